// The gateway client and crmctl against a real in-process server, on every backend: errors with
// their fields arrive intact, the access token names the actor, retried creates write once,
// paging follows every page, streams import / export / follow, and crmctl's exit codes and
// output.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using testing::HasCodeAndField;

TEST_P(ClientEndToEndTest, ErrorsKeepTheirCodeAndFields) {
  v1::CreateAccountRequest request;
  request.mutable_account()->set_name("");
  EXPECT_TRUE(HasCodeAndField(gateway_->accounts().CreateAccount(request).status(),
                              absl::StatusCode::kInvalidArgument, "account.name"));
  v1::GetAccountRequest get;
  get.set_id("acc_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(gateway_->accounts().GetAccount(get).status(), absl::StatusCode::kNotFound, "id"));
}

TEST_P(ClientEndToEndTest, CreatesCarryARequestIdAndTheUserOfTheToken) {
  v1::Account created = MustCreate("Client Co");
  EXPECT_EQ(created.owner(), "carol");  // the default owner is the caller the token names
  v1::ListEventsRequest list;
  list.add_types("account.created");
  absl::StatusOr<v1::ListEventsResponse> events = gateway_->events().ListEvents(list);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->events_size(), 1);
  EXPECT_EQ(events->events(0).actor(), "carol");
  EXPECT_FALSE(events->events(0).request_id().empty());  // filled in by the client

  v1::CreateAccountRequest again;
  again.mutable_account()->set_name("Twice");
  again.set_request_id("fixed-1");
  auto first = gateway_->accounts().CreateAccount(again);
  auto second = gateway_->accounts().CreateAccount(again);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->id(), second->id());
}

TEST_P(ClientEndToEndTest, ListAllFollowsEveryPage) {
  std::set<std::string> created;
  for (int i = 0; i < 23; ++i) created.insert(MustCreate("Paged " + std::to_string(i)).id());
  v1::ListAccountsRequest request;
  request.set_page_size(4);
  std::set<std::string> seen;
  int count = 0;
  for (const absl::StatusOr<v1::Account>& account : gateway_->accounts().ListAllAccounts(request)) {
    ASSERT_TRUE(account.ok()) << account.status();
    seen.insert(account->id());
    ++count;
  }
  EXPECT_EQ(count, 23);
  EXPECT_EQ(seen, created);
}

TEST_P(ClientEndToEndTest, ImportExportAndFollowThroughTheClient) {
  std::vector<v1::Account> rows(3);
  for (int i = 0; i < 3; ++i) {
    rows[i].set_external_key("ext-" + std::to_string(i));
    rows[i].set_name("Imported " + std::to_string(i));
  }
  rows[1].set_name("");
  absl::StatusOr<v1::ImportAccountsResponse> imported = gateway_->accounts().ImportAccounts(rows);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->created(), 2);
  ASSERT_EQ(imported->errors_size(), 1);
  EXPECT_EQ(imported->errors(0).index(), 1);
  EXPECT_EQ(imported->errors(0).field(), "account.name");

  std::vector<std::string> exported;
  ASSERT_TRUE(gateway_->accounts()
                  .ExportAccounts(v1::ExportAccountsRequest(),
                                  [&](const v1::Account& a) {
                                    exported.push_back(a.name());
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(exported, (std::vector<std::string>{"Imported 0", "Imported 2"}));

  client::CancellationToken stop;
  std::atomic<int> received{0};
  std::thread follower([&] {
    absl::Status status = gateway_->events().Subscribe(
        v1::SubscribeRequest(),
        [&](const v1::Event&) {
          ++received;
          return true;
        },
        stop);
    EXPECT_TRUE(status.ok() || status.code() == absl::StatusCode::kCancelled) << status;
  });
  MustCreate("Live one");
  const absl::Time end = absl::Now() + absl::Seconds(10);
  while (received < 3 && absl::Now() < end) absl::SleepFor(absl::Milliseconds(10));
  stop.Cancel();
  follower.join();
  EXPECT_EQ(received.load(), 3);  // two imported, one live
}

TEST_P(ClientEndToEndTest, CrmctlCreatesReadsAndReportsErrors) {
  std::string out, err;
  ASSERT_EQ(Crmctl({"--output=json", "accounts", "create", "name=Ctl GmbH", "region=EMEA"}, &out, &err), 0) << err;
  nlohmann::json created = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(created.is_object()) << out;
  const std::string id = created.value("id", "");
  EXPECT_EQ(created.value("name", ""), "Ctl GmbH");
  EXPECT_EQ(created.value("owner", ""), "dave");

  ASSERT_EQ(Crmctl({"accounts", "get", id}, &out, &err), 0) << err;
  EXPECT_NE(out.find("Ctl GmbH"), std::string::npos);

  EXPECT_EQ(Crmctl({"accounts", "create", "name="}, &out, &err), 1);
  EXPECT_NE(err.find("INVALID_ARGUMENT"), std::string::npos) << err;
  EXPECT_NE(err.find("account.name"), std::string::npos) << err;

  EXPECT_EQ(Crmctl({"accounts", "frobnicate"}, &out, &err), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ClientEndToEndTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
