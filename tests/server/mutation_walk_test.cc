// The mutation catalogue (tests/support/mutation_catalogue.h) against the access policy and a
// real in-process server: it covers exactly the methods whose policy says they mutate, every call
// it makes succeeds, and every one leaves an audit record naming the method, the caller and what
// it changed, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/auth/access_policy.h"
#include "crm/v1/admin.grpc.pb.h"
#include "tests/support/mutation_catalogue.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

// Needs no server: it compares two tables.
TEST(MutationCatalogueTest, CoversExactlyTheMethodsWhosePolicyMutates) {
  const std::vector<std::string> catalogued = testing::CatalogueMethods();
  const std::set<std::string> catalogue(catalogued.begin(), catalogued.end());
  EXPECT_EQ(catalogue.size(), catalogued.size()) << "a method is catalogued more than once";

  for (const std::string& method : auth::PolicyMethods()) {
    const auth::MethodPolicy* policy = auth::FindMethodPolicy(method);
    ASSERT_NE(policy, nullptr) << method;
    if (policy->mutates) {
      EXPECT_EQ(catalogue.count(method), 1u) << method << " mutates but the catalogue has no step for it";
    }
  }
  for (const std::string& method : catalogued) {
    const auth::MethodPolicy* policy = auth::FindMethodPolicy(method);
    EXPECT_TRUE(policy != nullptr && policy->mutates)
        << method << " is catalogued but its policy " << (policy == nullptr ? "does not exist" : "does not mutate");
  }
}

class MutationWalkTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
};

// Every mutating method, called once each: each call succeeds and leaves, in its own
// transaction, audit records naming the method and the caller, one of them the record the call
// changed with the fields it set.
TEST_P(MutationWalkTest, EveryMutatingMethodSucceedsAndAudits) {
  auto admin = crm::v1::AdminService::NewStub(server_->channel());
  const std::string auditor_token = server_->TokenFor("auditor", crm::v1::ROLE_ADMIN);
  auto audit_of = [&](const std::string& method) {
    crm::v1::ListAuditRecordsRequest request;
    request.mutable_filter()->set_method(method);
    request.set_page_size(1000);
    crm::v1::ListAuditRecordsResponse response;
    grpc::Status status = admin->ListAuditRecords(testing::CallWithToken(auditor_token).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  };

  std::vector<std::string> walked;
  testing::WalkEveryMutation(*server_, "walker", [&](const testing::MutationResult& result) {
    walked.push_back(result.method);
    EXPECT_TRUE(result.status.ok()) << result.method << ": " << result.status.error_code() << " "
                                    << result.status.error_message();
    EXPECT_FALSE(result.entity_id.empty()) << result.method << " reported no entity id";
    if (!result.status.ok()) return;

    const crm::v1::ListAuditRecordsResponse audit = audit_of(result.method);
    ASSERT_GT(audit.records_size(), 0) << result.method << " left no audit record";
    bool names_the_record = false;
    for (const crm::v1::AuditRecord& record : audit.records()) {
      EXPECT_EQ(record.actor(), "walker") << result.method;
      EXPECT_FALSE(record.entity().empty()) << result.method;
      EXPECT_FALSE(record.entity_id().empty()) << result.method;
      EXPECT_NE(record.change(), crm::v1::CHANGE_KIND_UNSPECIFIED) << result.method;
      EXPECT_TRUE(record.has_time()) << result.method;
      if (record.entity_id() == result.entity_id && (result.entity.empty() || record.entity() == result.entity)) {
        names_the_record = true;
        if (record.change() != crm::v1::CHANGE_KIND_NOTICE && record.change() != crm::v1::CHANGE_KIND_DELETED) {
          EXPECT_GT(record.changed_fields_size(), 0) << result.method << " audited no changed field";
        }
      }
    }
    EXPECT_TRUE(names_the_record) << result.method << " audited " << audit.records(0).entity() << " "
                                  << audit.records(0).entity_id() << ", not " << result.entity << " "
                                  << result.entity_id;
  });
  EXPECT_EQ(walked, testing::CatalogueMethods());
}

INSTANTIATE_TEST_SUITE_P(Backends, MutationWalkTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
