// AdminClient and crmctl's `whoami`, `users` and `tokens` against a real in-process server, on
// every backend: the first admin (through the token file the server wrote) makes a sales rep and
// a token for it; that token speaks for the rep, is refused what a rep may not do, and stops
// working once revoked. --token_file reads the secret from a file, and no secret is printed but
// the one `tokens create` returns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "common/auth/first_admin.h"
#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"

namespace crm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AdminEndToEndTest : public ClientEndToEndTest {
 protected:
  // The first admin's token, written by the server at its first start on the empty database.
  std::string AdminTokenFile() const { return server_->data_dir() + "/" + auth::kAdminTokenFile; }

  int CrmctlAsAdmin(const std::vector<std::string>& args, std::string* out, std::string* err) {
    return CrmctlWithCredentials({"--token_file=" + AdminTokenFile()}, args, out, err);
  }

  int CrmctlWithToken(const std::string& token, const std::vector<std::string>& args,
                      std::string* out, std::string* err) {
    return CrmctlWithCredentials({"--token=" + token}, args, out, err);
  }

  // `tokens create` for `user` as the admin, with --output=json: the parsed response.
  nlohmann::json MustCreateToken(const std::string& user) {
    std::string out, err;
    EXPECT_EQ(CrmctlAsAdmin({"--output=json", "tokens", "create", user, "description=laptop"}, &out,
                            &err),
              0)
        << err;
    nlohmann::json created = nlohmann::json::parse(out, nullptr, false);
    EXPECT_TRUE(created.is_object()) << out;
    return created.is_object() ? created : nlohmann::json::object();
  }

  void MustMakeRep(const std::string& id) {
    std::string out, err;
    ASSERT_EQ(CrmctlAsAdmin({"--output=json", "users", "set", id, "role=sales_rep", "name=Rep One",
                             "team=emea"},
                            &out, &err),
              0)
        << err;
    nlohmann::json user = nlohmann::json::parse(out, nullptr, false);
    ASSERT_TRUE(user.is_object()) << out;
    EXPECT_EQ(user.value("id", ""), id);
    EXPECT_EQ(user.value("role", ""), "ROLE_SALES_REP");
    EXPECT_EQ(user.value("team_id", ""), "emea");
    EXPECT_EQ(user.value("display_name", ""), "Rep One");
  }

  // A file in the test's temporary directory holding `contents`, removed at the end.
  std::string WriteTempFile(const std::string& name, const std::string& contents) {
    const std::string path = absl::StrCat(::testing::TempDir(), "/", name, "-", getpid());
    std::ofstream(path) << contents;
    temp_files_.push_back(path);
    return path;
  }

  void TearDown() override {
    for (const std::string& path : temp_files_) std::remove(path.c_str());
  }

  std::vector<std::string> temp_files_;
};

TEST_P(AdminEndToEndTest, AnAdminMakesARepWhoseTokenWorksUntilRevoked) {
  MustMakeRep("rep1");
  nlohmann::json created = MustCreateToken("rep1");
  const std::string secret = created.value("secret", "");
  const std::string token_id = created["token"].value("id", "");
  ASSERT_FALSE(secret.empty()) << created.dump();
  ASSERT_FALSE(token_id.empty()) << created.dump();
  EXPECT_EQ(created["token"].value("user_id", ""), "rep1");
  EXPECT_EQ(created["token"].value("created_by", ""), auth::kFirstAdminUser);

  std::string out, err;
  ASSERT_EQ(CrmctlWithToken(secret, {"whoami"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("rep1"));
  EXPECT_THAT(out, HasSubstr("sales_rep"));

  EXPECT_EQ(CrmctlWithToken(secret, {"users", "list"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("PERMISSION_DENIED"));

  // The admin sees the token, never its secret.
  ASSERT_EQ(CrmctlAsAdmin({"tokens", "list", "user=rep1"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(token_id));
  EXPECT_THAT(out, Not(HasSubstr(secret)));

  ASSERT_EQ(CrmctlAsAdmin({"tokens", "revoke", token_id}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("revoke_time"));
  EXPECT_THAT(out + err, Not(HasSubstr(secret)));

  EXPECT_EQ(CrmctlWithToken(secret, {"whoami"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("UNAUTHENTICATED"));

  // Revoked tokens drop out of the list unless asked for.
  ASSERT_EQ(CrmctlAsAdmin({"tokens", "list", "user=rep1"}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr(token_id)));
  ASSERT_EQ(CrmctlAsAdmin({"tokens", "list", "user=rep1", "inactive=true"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(token_id));
}

TEST_P(AdminEndToEndTest, TokenCreateShowsTheSecretOnceInTableOutput) {
  MustMakeRep("rep1");
  std::string out, err;
  ASSERT_EQ(CrmctlAsAdmin({"tokens", "create", "rep1", "expires=+30d"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("token.id"));
  EXPECT_THAT(out, HasSubstr("token.expire_time"));
  EXPECT_THAT(out, HasSubstr("secret"));
  EXPECT_THAT(err, HasSubstr("shown only this once"));

  ASSERT_EQ(CrmctlAsAdmin({"users", "list", "role=sales_rep"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("rep1"));
  EXPECT_THAT(out, Not(HasSubstr("carol")));  // an admin, filtered out
}

TEST_P(AdminEndToEndTest, AuditListShowsWhoChangedWhatAndFilters) {
  MustMakeRep("rep1");
  const std::string token_id = MustCreateToken("rep1")["token"].value("id", "");
  ASSERT_FALSE(token_id.empty());

  std::string out, err;
  ASSERT_EQ(CrmctlAsAdmin({"audit", "list", "entity=user", "entity_id=rep1"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("crm.v1.AdminService/SetUser"));
  EXPECT_THAT(out, HasSubstr("role"));
  EXPECT_THAT(out, Not(HasSubstr("CreateAccessToken")));

  ASSERT_EQ(CrmctlAsAdmin({"--output=json", "audit", "list", "method=crm.v1.AdminService/CreateAccessToken"}, &out,
                          &err),
            0)
      << err;
  EXPECT_THAT(out, HasSubstr(token_id));
  EXPECT_THAT(out, HasSubstr(auth::kFirstAdminUser));

  ASSERT_EQ(CrmctlAsAdmin({"audit", "list", "actor=nobody"}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr("crm.v1.")));
  EXPECT_EQ(CrmctlAsAdmin({"audit", "list", "since=yesterday"}, &out, &err), 2);
}

TEST_P(AdminEndToEndTest, TokenFileHoldsTheSecret) {
  MustMakeRep("rep1");
  const std::string secret = MustCreateToken("rep1").value("secret", "");
  ASSERT_FALSE(secret.empty());

  std::string out, err;
  const std::string file = WriteTempFile("rep1-token", "  " + secret + "  \n");
  ASSERT_EQ(CrmctlWithCredentials({"--token_file=" + file}, {"whoami"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("rep1"));

  // --token, when given, wins over the file.
  ASSERT_EQ(CrmctlWithCredentials({"--token_file=" + AdminTokenFile(), "--token=" + secret},
                                  {"whoami"}, &out, &err),
            0)
      << err;
  EXPECT_THAT(out, HasSubstr("rep1"));

  const std::string missing = file + ".missing";
  EXPECT_EQ(CrmctlWithCredentials({"--token_file=" + missing}, {"whoami"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("--token_file"));
  EXPECT_THAT(err, HasSubstr(missing));

  // No token at all: the server says who is missing.
  EXPECT_EQ(CrmctlWithCredentials({}, {"whoami"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("UNAUTHENTICATED"));
}

TEST_P(AdminEndToEndTest, HelpDoesNotShowTheToken) {
  std::string out, err;
  ASSERT_EQ(CrmctlWithToken("s3cret-never-shown", {"help"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("--token=(set)"));
  EXPECT_THAT(out + err, Not(HasSubstr("s3cret-never-shown")));
}

TEST_P(AdminEndToEndTest, AdminClientThroughTheGateway) {
  client::AdminClient admin = gateway_->admin();
  absl::StatusOr<v1::User> me = admin.WhoAmI({});
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->id(), "carol");
  EXPECT_EQ(me->role(), v1::ROLE_ADMIN);

  v1::SetUserRequest set;
  set.mutable_user()->set_id("agent1");
  set.mutable_user()->set_role(v1::ROLE_SERVICE_AGENT);
  absl::StatusOr<v1::User> agent = admin.SetUser(set);
  ASSERT_TRUE(agent.ok()) << agent.status();

  v1::ListUsersRequest list;
  list.set_page_size(1);  // one page per user: ListAllUsers must follow them
  std::set<std::string> ids;
  for (const absl::StatusOr<v1::User>& user : admin.ListAllUsers(list)) {
    ASSERT_TRUE(user.ok()) << user.status();
    ids.insert(user->id());
  }
  EXPECT_EQ(ids, (std::set<std::string>{auth::kFirstAdminUser, "agent1", "carol", "dave"}));

  v1::CreateAccessTokenRequest create;
  create.set_user_id("agent1");
  absl::StatusOr<v1::CreateAccessTokenResponse> token = admin.CreateAccessToken(create);
  ASSERT_TRUE(token.ok()) << token.status();
  v1::RevokeAccessTokenRequest revoke;
  revoke.set_id(token->token().id());
  ASSERT_TRUE(admin.RevokeAccessToken(revoke).ok());
  // Revoking again changes nothing, which is why the client may retry it.
  absl::StatusOr<v1::AccessToken> again = admin.RevokeAccessToken(revoke);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->has_revoke_time());
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminEndToEndTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
