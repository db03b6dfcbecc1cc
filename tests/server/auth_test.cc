// Authentication and role policy on every service, through a real in-process server: bearer
// tokens issued by AdminService, the first admin's token file, and a walk over every method of
// every hosted service with a token of every role.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/access_policy.h"
#include "common/auth/auth_store.h"
#include "common/auth/first_admin.h"
#include "common/auth/token_secret.h"
#include "common/core/time_util.h"
#include "common/db/migrations.h"
#include "common/server/call_context.h"
#include "common/server/method_dispatch.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/admin.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_backends.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Role;
using testing::CallAs;
using testing::CallWithToken;

constexpr Role kRoles[] = {crm::v1::ROLE_ADMIN,           crm::v1::ROLE_SALES_MANAGER, crm::v1::ROLE_SALES_REP,
                           crm::v1::ROLE_SERVICE_MANAGER, crm::v1::ROLE_SERVICE_AGENT, crm::v1::ROLE_ANALYST};

class AuthTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    admin_ = crm::v1::AdminService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::string FirstAdminToken() {
    std::ifstream in(server_->data_dir() + "/" + auth::kAdminTokenFile);
    std::string token;
    std::getline(in, token);
    return token;
  }

  grpc::Status WhoAmI(const std::string& token, crm::v1::User* out) {
    return admin_->WhoAmI(CallWithToken(token).get(), crm::v1::WhoAmIRequest(), out);
  }

  grpc::Status GetAccount(const std::string& token, const std::string& id) {
    crm::v1::GetAccountRequest request;
    request.set_id(id);
    crm::v1::Account out;
    return accounts_->GetAccount(CallWithToken(token).get(), request, &out);
  }

  // A token of a new user with `role`, made through AdminService by the first admin.
  std::string NewUserToken(const std::string& id, Role role, google::protobuf::Timestamp* expire = nullptr) {
    crm::v1::SetUserRequest set;
    set.mutable_user()->set_id(id);
    set.mutable_user()->set_role(role);
    crm::v1::User user;
    grpc::Status s = admin_->SetUser(CallWithToken(FirstAdminToken()).get(), set, &user);
    EXPECT_TRUE(s.ok()) << s.error_message();
    crm::v1::CreateAccessTokenRequest create;
    create.set_user_id(id);
    create.set_description("for the test");
    if (expire != nullptr) *create.mutable_expire_time() = *expire;
    crm::v1::CreateAccessTokenResponse created;
    s = admin_->CreateAccessToken(CallWithToken(FirstAdminToken()).get(), create, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    token_ids_[created.secret()] = created.token().id();
    return created.secret();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AdminService::Stub> admin_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::map<std::string, std::string> token_ids_;
};

TEST_P(AuthTest, TheFirstStartWritesAnAdminTokenOnlyItsOwnerCanRead) {
  const std::string path = server_->data_dir() + "/" + auth::kAdminTokenFile;
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0) << path;
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const std::string token = FirstAdminToken();
  EXPECT_EQ(token.rfind("crm_", 0), 0u) << token;
  crm::v1::User me;
  ASSERT_TRUE(WhoAmI(token, &me).ok());
  EXPECT_EQ(me.id(), auth::kFirstAdminUser);
  EXPECT_EQ(me.role(), crm::v1::ROLE_ADMIN);

  // A second start on the same database finds users and writes no new token.
  testing::TestServer again(*database_);
  ASSERT_TRUE(again.ok()) << again.status();
  struct stat other {};
  EXPECT_NE(stat((again.data_dir() + "/" + auth::kAdminTokenFile).c_str(), &other), 0);
}

TEST_P(AuthTest, CallsWithoutAValidTokenAreUnauthenticatedAndHealthStaysOpen) {
  for (const std::string& bad : {std::string(), std::string("crm_not-a-token"), FirstAdminToken() + "x"}) {
    EXPECT_EQ(GetAccount(bad, "acc_x").error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
  }
  auto context = CallWithToken("");
  context->AddMetadata("authorization", "Basic YWRtaW46YWRtaW4=");
  crm::v1::Account out;
  crm::v1::GetAccountRequest get;
  get.set_id("acc_x");
  EXPECT_EQ(accounts_->GetAccount(context.get(), get, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // Streams too.
  auto events = crm::v1::EventService::NewStub(server_->channel());
  auto stream_context = CallWithToken("", absl::Seconds(5));
  auto reader = events->Subscribe(stream_context.get(), crm::v1::SubscribeRequest());
  crm::v1::Event event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);

  auto health = grpc::health::v1::Health::NewStub(server_->channel());
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse answer;
  grpc::ClientContext plain;
  ASSERT_TRUE(health->Check(&plain, check, &answer).ok());
  EXPECT_EQ(answer.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_P(AuthTest, TheActorIsTheTokensUserWhateverElseTheCallClaims) {
  const std::string token = NewUserToken("carol", crm::v1::ROLE_SALES_REP);
  auto context = CallWithToken(token);
  context->AddMetadata("x-crm-user", "mallory");
  crm::v1::CreateAccountRequest create;
  create.mutable_account()->set_name("Acme");
  create.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  create.mutable_account()->set_owner("carol");
  crm::v1::Account account;
  ASSERT_TRUE(accounts_->CreateAccount(context.get(), create, &account).ok());

  auto events = crm::v1::EventService::NewStub(server_->channel());
  crm::v1::ListEventsRequest list;
  crm::v1::ListEventsResponse page;
  ASSERT_TRUE(events->ListEvents(CallWithToken(token).get(), list, &page).ok());
  ASSERT_FALSE(page.events().empty());
  EXPECT_EQ(page.events(0).entity_id(), account.id());
  EXPECT_EQ(page.events(0).actor(), "carol");
}

TEST_P(AuthTest, RevokedExpiredAndDisabledTokensStopAtOnce) {
  const std::string revoked = NewUserToken("rita", crm::v1::ROLE_ANALYST);
  crm::v1::User me;
  ASSERT_TRUE(WhoAmI(revoked, &me).ok());  // cached from here on
  crm::v1::RevokeAccessTokenRequest revoke;
  revoke.set_id(token_ids_[revoked]);
  crm::v1::AccessToken after;
  ASSERT_TRUE(admin_->RevokeAccessToken(CallWithToken(FirstAdminToken()).get(), revoke, &after).ok());
  EXPECT_TRUE(after.has_revoke_time());
  grpc::Status refused = WhoAmI(revoked, &me);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(refused.error_message().find("revoked"), std::string::npos) << refused.error_message();

  google::protobuf::Timestamp in_an_hour = TimeToTimestamp(server_->clock().Now() + absl::Hours(1));
  const std::string expiring = NewUserToken("eve", crm::v1::ROLE_ANALYST, &in_an_hour);
  ASSERT_TRUE(WhoAmI(expiring, &me).ok());
  server_->clock().Advance(absl::Hours(2));
  EXPECT_EQ(WhoAmI(expiring, &me).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  const std::string disabled = NewUserToken("dora", crm::v1::ROLE_SERVICE_AGENT);
  ASSERT_TRUE(WhoAmI(disabled, &me).ok());
  crm::v1::SetUserRequest set;
  set.mutable_user()->set_id("dora");
  set.mutable_user()->set_role(crm::v1::ROLE_SERVICE_AGENT);
  set.mutable_user()->set_disabled(true);
  crm::v1::User user;
  ASSERT_TRUE(admin_->SetUser(CallWithToken(FirstAdminToken()).get(), set, &user).ok());
  EXPECT_EQ(WhoAmI(disabled, &me).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(AuthTest, AWrongRoleIsDeniedBeforeAnythingIsLookedUp) {
  const std::string analyst = NewUserToken("ann", crm::v1::ROLE_ANALYST);
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id("acc_does_not_exist");
  update.mutable_update_mask()->add_paths("name");
  crm::v1::Account out;
  grpc::Status denied = accounts_->UpdateAccount(CallWithToken(analyst).get(), update, &out);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("analyst"), std::string::npos) << denied.error_message();
  EXPECT_NE(denied.error_message().find("crm.v1.AccountService/UpdateAccount"), std::string::npos);
  // Reads are the analyst's: the same id is simply not found.
  EXPECT_EQ(GetAccount(analyst, "acc_does_not_exist").error_code(), grpc::StatusCode::NOT_FOUND);

  // Users and tokens are the admin's alone.
  crm::v1::ListUsersResponse users;
  EXPECT_EQ(admin_->ListUsers(CallWithToken(analyst).get(), crm::v1::ListUsersRequest(), &users).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(AuthTest, AdminServiceRefusesBadInputNamingTheField) {
  const std::string admin = FirstAdminToken();
  crm::v1::User user;
  crm::v1::SetUserRequest set;
  set.mutable_user()->set_id("bob");
  EXPECT_TRUE(testing::HasCodeAndField(admin_->SetUser(CallWithToken(admin).get(), set, &user), grpc::StatusCode::INVALID_ARGUMENT, "user.role"));
  set.mutable_user()->set_id(auth::kFirstAdminUser);
  set.mutable_user()->set_role(crm::v1::ROLE_ANALYST);
  EXPECT_TRUE(testing::HasCodeAndField(admin_->SetUser(CallWithToken(admin).get(), set, &user), grpc::StatusCode::FAILED_PRECONDITION, "user.role"));

  crm::v1::CreateAccessTokenRequest create;
  crm::v1::CreateAccessTokenResponse created;
  create.set_user_id("nobody");
  EXPECT_TRUE(testing::HasCodeAndField(admin_->CreateAccessToken(CallWithToken(admin).get(), create, &created), grpc::StatusCode::NOT_FOUND, "user_id"));
  create.set_user_id(auth::kFirstAdminUser);
  *create.mutable_expire_time() = TimeToTimestamp(server_->clock().Now() - absl::Minutes(1));
  EXPECT_TRUE(testing::HasCodeAndField(admin_->CreateAccessToken(CallWithToken(admin).get(), create, &created), grpc::StatusCode::INVALID_ARGUMENT, "expire_time"));

  crm::v1::RevokeAccessTokenRequest revoke;
  revoke.set_id("tok_unknown");
  crm::v1::AccessToken token;
  EXPECT_TRUE(testing::HasCodeAndField(admin_->RevokeAccessToken(CallWithToken(admin).get(), revoke, &token), grpc::StatusCode::NOT_FOUND, "id"));
}

TEST_P(AuthTest, TokenListsPageAndNeverCarryASecret) {
  std::vector<std::string> secrets;
  for (int i = 0; i < 3; ++i) secrets.push_back(NewUserToken("lena", crm::v1::ROLE_SALES_MANAGER));
  crm::v1::ListAccessTokensRequest list;
  list.set_user_id("lena");
  list.set_page_size(2);
  std::vector<std::string> ids;
  std::string wire;
  for (int pages = 0; pages < 5; ++pages) {
    crm::v1::ListAccessTokensResponse page;
    ASSERT_TRUE(admin_->ListAccessTokens(CallWithToken(FirstAdminToken()).get(), list, &page).ok());
    wire += page.SerializeAsString();
    for (const auto& t : page.tokens()) ids.push_back(t.id());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  std::vector<std::string> expected;
  for (auto it = secrets.rbegin(); it != secrets.rend(); ++it) expected.push_back(token_ids_[*it]);
  EXPECT_EQ(ids, expected);  // newest first, each once
  for (const std::string& secret : secrets) EXPECT_EQ(wire.find(secret), std::string::npos);
}

// Every method of every service the server hosts has a policy in the table, and every entry of
// the table names a method that exists.
TEST_P(AuthTest, EveryMethodOfEveryHostedServiceHasAnAccessPolicy) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const std::string& name : server_->host().ServiceNames()) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int m = 0; m < service->method_count(); ++m) {
      const std::string method = absl::StrCat(name, "/", service->method(m)->name());
      EXPECT_NE(auth::FindMethodPolicy(method), nullptr) << method << " has no access policy";
      ++methods;
    }
  }
  EXPECT_GT(methods, 100);
  for (const std::string& method : auth::PolicyMethods()) {
    if (method.rfind("crm.v1.", 0) != 0) continue;
    const size_t slash = method.find('/');
    const auto* service = pool->FindServiceByName(method.substr(0, slash));
    ASSERT_NE(service, nullptr) << method;
    EXPECT_NE(service->FindMethodByName(method.substr(slash + 1)), nullptr) << method << " does not exist";
  }
}

// Calls every method of every hosted service with an empty request and a token of every role:
// exactly the roles its policy names get past authorization.
TEST_P(AuthTest, EveryMethodAdmitsExactlyTheRolesOfItsPolicy) {
  std::map<Role, std::string> tokens;
  for (Role role : kRoles) tokens[role] = NewUserToken(absl::StrCat("user-", Role_Name(role)), role);
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  grpc::GenericStub stub(server_->channel());
  for (const std::string& name : server_->host().ServiceNames()) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    ASSERT_NE(service, nullptr);
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor* method = service->method(m);
      const std::string full = absl::StrCat(name, "/", method->name());
      const auth::MethodPolicy* policy = auth::FindMethodPolicy(full);
      ASSERT_NE(policy, nullptr) << full;
      for (Role role : kRoles) {
        // Streams that would follow live are cut short: only how they start matters here.
        const bool streams = method->server_streaming() || method->client_streaming();
        auto context = CallWithToken(tokens[role], streams ? absl::Milliseconds(300) : absl::Seconds(10));
        grpc::Slice empty_message("");  // a request with every field unset
        grpc::ByteBuffer request(&empty_message, 1), response;
        std::promise<grpc::Status> done;
        stub.UnaryCall(context.get(), absl::StrCat("/", full), grpc::StubOptions(), &request, &response,
                       [&done](grpc::Status s) { done.set_value(s); });
        const grpc::Status status = done.get_future().get();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << full << " " << Role_Name(role);
        if (policy->Allows(role)) {
          EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << full << " refused " << Role_Name(role) << ": " << status.error_message();
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << full << " let " << Role_Name(role) << " through: " << status.error_message();
        }
      }
    }
  }
}

// A request that does not parse (proto3 strings must be UTF-8) is refused as bad input, on unary
// and server-streaming methods alike; but only to a caller the method admits, since who may call
// is decided before anything about the request is looked at.
TEST_P(AuthTest, AnUnparsableRequestIsRefusedAsBadInputOnlyToACallerTheMethodAdmits) {
  const std::string analyst = NewUserToken("ann", crm::v1::ROLE_ANALYST);
  const std::string admin = FirstAdminToken();
  grpc::GenericStub stub(server_->channel());
  auto call = [&](const std::string& token, const std::string& method, const google::protobuf::Message& request) {
    std::string bytes;
    request.SerializePartialToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request_buffer(&slice, 1), response;
    auto context = token.empty() ? std::make_unique<grpc::ClientContext>() : CallWithToken(token);
    std::promise<grpc::Status> done;
    stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request_buffer, &response,
                   [&done](grpc::Status s) { done.set_value(s); });
    return done.get_future().get();
  };
  const std::string not_utf8 = "\xff\xfe acc";
  crm::v1::GetAccountRequest get;
  get.set_id(not_utf8);
  crm::v1::UpdateAccountRequest update;
  update.mutable_account()->set_id(not_utf8);
  crm::v1::SubscribeRequest subscribe;
  subscribe.set_user(not_utf8);

  EXPECT_EQ(call("", "/crm.v1.AccountService/GetAccount", get).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call(analyst, "/crm.v1.AccountService/UpdateAccount", update).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  for (const auto& [method, request] : std::vector<std::pair<std::string, const google::protobuf::Message*>>{
           {"/crm.v1.AccountService/GetAccount", &get},
           {"/crm.v1.AccountService/UpdateAccount", &update},
           {"/crm.v1.EventService/Subscribe", &subscribe}}) {
    const grpc::Status refused = call(admin, method, *request);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method << ": " << refused.error_message();
    EXPECT_NE(refused.error_message().find("UTF-8"), std::string::npos) << refused.error_message();
  }
  // The same method with a request that parses is served as usual.
  EXPECT_EQ(GetAccount(admin, "acc_does_not_exist").error_code(), grpc::StatusCode::NOT_FOUND);
}

// A server registers each service through DispatchByName, which names every method of a linked-in
// service; work that did not come through it is refused rather than run without a policy.
TEST(MethodDispatchTest, OnlyALinkedInServiceIsDispatchedAndACallOutsideADispatchIsRefused) {
  crm::v1::AccountService::CallbackService service;
  absl::StatusOr<std::unique_ptr<grpc::Service>> unknown =
      server::DispatchByName(service, "crm.v1.NoSuchService", nullptr);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
  absl::StatusOr<std::unique_ptr<grpc::Service>> known =
      server::DispatchByName(service, crm::v1::AccountService::service_full_name(), nullptr);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_TRUE((*known)->has_callback_methods());
  EXPECT_FALSE((*known)->has_synchronous_methods());

  EXPECT_EQ(server::StartingCall().method, nullptr);
  grpc::CallbackServerContext context;
  EXPECT_EQ(server::MakeCallContext(context, server::StartingCall()).status().code(), absl::StatusCode::kInternal);
  {
    const server::CallStart outer{"/crm.v1.AccountService/GetAccount", nullptr, true};
    const server::ScopedCallStart starting_outer(outer);
    {
      const server::CallStart inner{"/crm.v1.AccountService/ListAccounts", nullptr, false};
      const server::ScopedCallStart starting_inner(inner);
      EXPECT_STREQ(server::StartingCall().method, inner.method);
      EXPECT_FALSE(server::StartingCall().request_parsed);
    }
    EXPECT_STREQ(server::StartingCall().method, outer.method);
    // Another thread starts no call of its own.
    std::thread([] { EXPECT_EQ(server::StartingCall().method, nullptr); }).join();
  }
  EXPECT_EQ(server::StartingCall().method, nullptr);
}

// Servers started together on an empty database (several processes, each with its pool) make
// exactly one first admin: one of them writes the token file, the others find the user.
class FirstAdminRaceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FirstAdminRaceTest, ServersStartingTogetherMakeOneFirstAdmin) {
  testing::TestDatabase database(GetParam());
  CRM_SKIP_IF_UNAVAILABLE(database);
  constexpr int kServers = 4;
  std::vector<std::unique_ptr<db::Database>> pools;
  for (int i = 0; i < kServers; ++i) {
    auto opened = testing::OpenDatabase(database, 2, {db::CommonMigrations(), auth::AuthMigrations()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    pools.push_back(*std::move(opened));
  }
  SystemClock clock;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(pools[0]->Write([](db::Tx& tx) -> absl::Status {
                          tx.session() << "DELETE FROM auth_tokens";
                          tx.session() << "DELETE FROM auth_users";
                          return absl::OkStatus();
                        }).ok());
    std::vector<std::string> dirs;
    for (int i = 0; i < kServers; ++i) {
      dirs.push_back(absl::StrCat(::testing::TempDir(), "first-admin-", getpid(), "-", round, "-", i));
      std::filesystem::remove_all(dirs.back());
    }
    std::vector<absl::StatusOr<std::optional<std::string>>> results(kServers, std::optional<std::string>());
    std::atomic<int> ready{0};
    std::vector<std::thread> servers;
    for (int i = 0; i < kServers; ++i) {
      servers.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < kServers) std::this_thread::yield();
        results[i] = auth::EnsureFirstAdmin(*pools[i], clock, dirs[i]);
      });
    }
    for (std::thread& t : servers) t.join();
    int files = 0;
    for (int i = 0; i < kServers; ++i) {
      ASSERT_TRUE(results[i].ok()) << results[i].status();
      const bool wrote = results[i]->has_value();
      EXPECT_EQ(wrote, std::filesystem::exists(std::filesystem::path(dirs[i]) / auth::kAdminTokenFile)) << i;
      files += wrote ? 1 : 0;
      std::filesystem::remove_all(dirs[i]);
    }
    EXPECT_EQ(files, 1) << "round " << round;
    long long users = 0, tokens = 0;
    ASSERT_TRUE(pools[0]->Read([&](soci::session& sql) -> absl::Status {
                          sql << "SELECT COUNT(*) FROM auth_users", soci::into(users);
                          sql << "SELECT COUNT(*) FROM auth_tokens", soci::into(tokens);
                          return absl::OkStatus();
                        }).ok());
    EXPECT_EQ(users, 1) << "round " << round;
    EXPECT_EQ(tokens, 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, FirstAdminRaceTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

INSTANTIATE_TEST_SUITE_P(Backends, AuthTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

// Stored tokens are found by this hash, so it must stay plain hex SHA-256 however it is computed,
// on every thread and on every call of a thread.
TEST(TokenSecretHashTest, IsHexSha256OnEveryThreadAndEveryCall) {
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_EQ(auth::TokenSecretHash("abc"), abc);
  EXPECT_EQ(auth::TokenSecretHash(""), empty);
  EXPECT_EQ(auth::TokenSecretHash("abc"), abc) << "a reused digest context carried state over";
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (auth::TokenSecretHash(i % 2 == 0 ? "abc" : "") != (i % 2 == 0 ? abc : empty)) wrong.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace crm
