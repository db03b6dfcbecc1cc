// The gateway client and crmctl against a real in-process server, on every backend: errors with
// their fields arrive intact, metadata names the actor, retried creates write once, paging
// follows every page, streams import / export / follow, and crmctl's exit codes and output.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "clients/gateway/gateway_client.h"
#include "nlohmann/json.hpp"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using testing::HasCodeAndField;

class ClientEndToEndTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    client::ClientOptions options;
    options.address = server_->address();
    options.user = "carol";
    auto gateway = client::GatewayClient::Create(options);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::make_unique<client::GatewayClient>(*std::move(gateway));
  }

  v1::Account MustCreate(const std::string& name) {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    absl::StatusOr<v1::Account> created = gateway_->accounts().CreateAccount(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Account());
  }

  // Runs crmctl against the test server; returns the exit code, stdout and stderr.
  int Crmctl(const std::vector<std::string>& args, std::string* out, std::string* err) {
    std::string out_file = absl::StrCat(::testing::TempDir(), "/crmctl-out-", getpid());
    std::string err_file = out_file + ".err";
    const pid_t pid = fork();
    if (pid == 0) {
      freopen(out_file.c_str(), "w", stdout);
      freopen(err_file.c_str(), "w", stderr);
      std::vector<std::string> all = {CRMCTL_BINARY, "--address=" + server_->address(), "--user=dave"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(CRMCTL_BINARY, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    auto slurp = [](const std::string& path) {
      std::string text;
      if (FILE* f = fopen(path.c_str(), "r")) {
        std::array<char, 4096> buffer;
        size_t n;
        while ((n = fread(buffer.data(), 1, buffer.size(), f)) > 0) text.append(buffer.data(), n);
        fclose(f);
      }
      return text;
    };
    *out = slurp(out_file);
    *err = slurp(err_file);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<client::GatewayClient> gateway_;
};

TEST_P(ClientEndToEndTest, ErrorsKeepTheirCodeAndFields) {
  v1::CreateAccountRequest request;
  request.mutable_account()->set_name("");
  EXPECT_TRUE(HasCodeAndField(gateway_->accounts().CreateAccount(request).status(),
                              absl::StatusCode::kInvalidArgument, "account.name"));
  v1::GetAccountRequest get;
  get.set_id("acc_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(gateway_->accounts().GetAccount(get).status(), absl::StatusCode::kNotFound, "id"));
}

TEST_P(ClientEndToEndTest, CreatesCarryARequestIdAndTheUserFromTheOptions) {
  v1::Account created = MustCreate("Client Co");
  EXPECT_EQ(created.owner(), "carol");  // the default owner is the caller named in metadata
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
