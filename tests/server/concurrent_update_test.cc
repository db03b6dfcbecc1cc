// Optimistic concurrency under contention, through a real in-process server, on every backend:
// 64 callers increment one account's revenue at once, each a read-modify-write guarded by the
// etag and retried on ABORTED. Every increment that was acknowledged must be in the final value
// (no lost update), and the audit trail must hold exactly one record per acknowledged update.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/admin.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using testing::CallWithToken;

constexpr int kUpdaters = 64;
constexpr int kIncrementsEach = 2;

class ConcurrentUpdateTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    testing::TestServerOptions options;
    options.db_pool_size = 8;
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    token_ = server_->TokenFor("updater", crm::v1::ROLE_SALES_MANAGER);
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // Adds one unit to the account's revenue under its etag, reading again after each ABORTED.
  // Returns the number of attempts, or 0 when a call failed otherwise.
  int IncrementRevenue(const std::string& id) {
    for (int attempt = 1; attempt <= 10000; ++attempt) {
      crm::v1::GetAccountRequest get;
      get.set_id(id);
      Account current;
      if (!accounts_->GetAccount(CallWithToken(token_, absl::Seconds(30)).get(), get, &current).ok()) return 0;
      crm::v1::UpdateAccountRequest update;
      update.mutable_account()->set_id(id);
      *update.mutable_account()->mutable_annual_revenue() = current.annual_revenue();
      update.mutable_account()->mutable_annual_revenue()->set_units(current.annual_revenue().units() + 1);
      update.mutable_update_mask()->add_paths("annual_revenue");
      update.set_etag(current.etag());
      Account updated;
      const grpc::Status status =
          accounts_->UpdateAccount(CallWithToken(token_, absl::Seconds(30)).get(), update, &updated);
      if (status.ok()) return attempt;
      if (status.error_code() != grpc::StatusCode::ABORTED) {
        ADD_FAILURE() << status.error_code() << " " << status.error_message();
        return 0;
      }
    }
    ADD_FAILURE() << "no update went through in 10000 attempts";
    return 0;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::string token_;
};

TEST_P(ConcurrentUpdateTest, SixtyFourUpdatersOfOneRecordLoseNoUpdate) {
  crm::v1::CreateAccountRequest create;
  create.mutable_account()->set_name("Contended GmbH");
  create.mutable_account()->mutable_annual_revenue()->set_currency_code("EUR");
  create.mutable_account()->mutable_annual_revenue()->set_units(1000);
  Account account;
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallWithToken(token_).get(), create, &account));

  std::atomic<int> acknowledged{0};
  std::atomic<int> attempts{0};
  std::vector<std::thread> updaters;
  for (int u = 0; u < kUpdaters; ++u) {
    updaters.emplace_back([&] {
      for (int i = 0; i < kIncrementsEach; ++i) {
        const int tries = IncrementRevenue(account.id());
        if (tries == 0) return;
        acknowledged.fetch_add(1);
        attempts.fetch_add(tries);
      }
    });
  }
  for (std::thread& t : updaters) t.join();

  EXPECT_EQ(acknowledged.load(), kUpdaters * kIncrementsEach);
  crm::v1::GetAccountRequest get;
  get.set_id(account.id());
  Account final_state;
  ASSERT_GRPC_OK(accounts_->GetAccount(CallWithToken(token_).get(), get, &final_state));
  EXPECT_EQ(final_state.annual_revenue().units(), 1000 + acknowledged.load());
  // Contention really happened: more attempts than updates.
  EXPECT_GT(attempts.load(), acknowledged.load());
  std::cout << "[ figures  ] " << GetParam() << ": " << acknowledged.load() << " updates by " << kUpdaters
            << " callers took " << attempts.load() << " attempts\n";

  auto admin = crm::v1::AdminService::NewStub(server_->channel());
  crm::v1::ListAuditRecordsRequest audit;
  audit.mutable_filter()->set_method("crm.v1.AccountService/UpdateAccount");
  audit.mutable_filter()->set_entity_id(account.id());
  audit.set_page_size(1000);
  crm::v1::ListAuditRecordsResponse records;
  ASSERT_GRPC_OK(
      admin->ListAuditRecords(CallWithToken(server_->TokenFor("auditor", crm::v1::ROLE_ADMIN)).get(), audit, &records));
  EXPECT_EQ(records.records_size(), acknowledged.load());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentUpdateTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
