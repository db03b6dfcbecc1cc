// What the duplicate and merge tests share: a real in-process server on the backend the test is
// parameterised with, and a stub of each service those tests call.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/support/test_server.h"

namespace crm::testing {

class DuplicateServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    duplicates_ = crm::v1::DuplicateService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::DuplicateService::Stub> duplicates_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

}  // namespace crm::testing
