// Keyset pagination under concurrent inserts: listing 1,000 accounts with page sizes 1, 7, 50
// and 1000 while other callers keep inserting misses and repeats none of the rows present at
// the start.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "crm/v1/account.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using testing::CallAs;

class PaginationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    testing::TestServerOptions options;
    options.db_pool_size = 6;
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    stub_ = crm::v1::AccountService::NewStub(server_->channel());
  }

  std::string Create(const std::string& name) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner("alice");
    crm::v1::Account out;
    grpc::Status s = stub_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> stub_;
};

TEST_P(PaginationTest, NoRowPresentAtTheStartIsMissedOrRepeatedUnderConcurrentInserts) {
  constexpr int kInitial = 1000;
  std::vector<std::thread> loaders;
  std::mutex mu;
  std::set<std::string> initial;
  for (int t = 0; t < 4; ++t) {
    loaders.emplace_back([&, t] {
      for (int i = t; i < kInitial; i += 4) {
        // Names repeat so that name order has ties broken by id.
        std::string id = Create("Account " + std::to_string(i % 97));
        std::lock_guard<std::mutex> lock(mu);
        initial.insert(id);
      }
    });
  }
  for (auto& t : loaders) t.join();
  ASSERT_EQ(initial.size(), static_cast<size_t>(kInitial));

  std::atomic<bool> stop{false};
  std::atomic<int> inserted{0};
  std::thread inserter([&] {
    // Bounded, so that the page-size-1 listings always reach the end.
    while (!stop && inserted < 400) {
      absl::SleepFor(absl::Milliseconds(3));
      // New names land before, between and after existing ones in every order.
      Create(inserted % 2 ? "AAA new " + std::to_string(inserted.load()) : "zzz new " + std::to_string(inserted.load()));
      ++inserted;
    }
  });

  for (const std::string order : {"", "name", "name desc", "create_time desc"}) {
    for (int page_size : {1, 7, 50, 1000}) {
      crm::v1::ListAccountsRequest request;
      request.set_page_size(page_size);
      request.set_order_by(order);
      std::multiset<std::string> seen;
      for (int pages = 0; pages < 20000; ++pages) {
        crm::v1::ListAccountsResponse response;
        grpc::Status s = stub_->ListAccounts(CallAs().get(), request, &response);
        ASSERT_TRUE(s.ok()) << s.error_message();
        ASSERT_LE(response.accounts_size(), page_size);
        for (const auto& a : response.accounts()) seen.insert(a.id());
        if (response.next_page_token().empty()) break;
        request.set_page_token(response.next_page_token());
      }
      for (const std::string& id : initial) {
        ASSERT_EQ(seen.count(id), 1u) << "order '" << order << "' page size " << page_size << " id " << id;
      }
      // Rows inserted meanwhile may or may not appear, but never twice.
      for (const std::string& id : seen) ASSERT_EQ(seen.count(id), 1u) << id;
    }
  }
  stop = true;
  inserter.join();
  EXPECT_GT(inserted.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, PaginationTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
