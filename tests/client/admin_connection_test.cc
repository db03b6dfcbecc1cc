// The retry rules of DefaultAdminConnection, RPC by RPC, against a fake stub (CreateAccessToken
// is sent once; reads, SetUser and RevokeAccessToken are retried); the admin mocks behind the
// public factories; ListAll* paging through AdminClient.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "clients/gateway/admin_client.h"
#include "clients/gateway/admin_connection_impl.h"
#include "clients/gateway/mocks/mock_admin_connection.h"
#include "clients/gateway/mocks/mock_admin_stub.h"
#include "tests/client/connection_test_fixture.h"

namespace crm::client {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using testing::FakeAdminStub;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;

absl::Status Unavailable() { return absl::UnavailableError("connection refused"); }

const google::protobuf::ServiceDescriptor& AdminService() {
  return *v1::User::descriptor()->file()->FindServiceByName("AdminService");
}

// The policy of every RPC, written out here independently of admin_rpcs.h, so that a row filed
// under the wrong kind there fails this test.
const std::set<std::string> kReads = {"GetUser", "ListUsers", "ListAccessTokens", "WhoAmI", "ListAuditRecords"};
// Changes a repeat leaves as they were: a whole replace, a revocation.
const std::set<std::string> kIdempotentChanges = {"SetUser", "RevokeAccessToken"};
// Sent once: a repeat would mint a second token.
const std::set<std::string> kChanges = {"CreateAccessToken"};

// Every RPC by name, called with an empty request; returns the final status.
const testing::RpcsByName<AdminConnection>& Rpcs() {
  static const auto* const kRpcs =
      new testing::RpcsByName<AdminConnection>{CRM_ADMIN_RPCS(CRM_TEST_RPC_BY_NAME)};
  return *kRpcs;
}

using AdminConnectionTest =
    testing::ConnectionTest<FakeAdminStub, internal::DefaultAdminConnection>;

TEST_F(AdminConnectionTest, TheClientCoversEveryRpcOfTheService) {
  testing::ExpectCoversTheService(AdminService(), Rpcs(),
                                  {&kReads, &kIdempotentChanges, &kChanges});
}

TEST_F(AdminConnectionTest, ReadsAreRetriedOnUnavailable) {
  auto connection = Connection();
  testing::ExpectRetriedOnUnavailable(*stub_, connection, Rpcs(), kReads);
}

TEST_F(AdminConnectionTest, SetUserAndRevokeAreRetriedWithTheSameRequest) {
  stub_->FailNext("SetUser", Unavailable());
  stub_->FailNext("RevokeAccessToken", Unavailable());
  v1::SetUserRequest set;
  set.mutable_user()->set_id("rep1");
  set.mutable_user()->set_role(v1::ROLE_SALES_REP);
  v1::RevokeAccessTokenRequest revoke;
  revoke.set_id("tok_1");

  auto connection = Connection();
  EXPECT_TRUE(connection.SetUser(set).ok());
  EXPECT_TRUE(connection.RevokeAccessToken(revoke).ok());
  ASSERT_EQ(stub_->calls().size(), 4u);
  EXPECT_EQ(stub_->calls()[0].request, set.SerializeAsString());
  EXPECT_EQ(stub_->calls()[1].request, set.SerializeAsString());
  EXPECT_EQ(stub_->calls()[2].request, revoke.SerializeAsString());
  EXPECT_EQ(stub_->calls()[3].request, revoke.SerializeAsString());
  EXPECT_THAT(sleeps_, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(100)));
}

TEST_F(AdminConnectionTest, CreateAccessTokenIsSentOnce) {
  stub_->FailNext("CreateAccessToken", Unavailable());
  v1::CreateAccessTokenRequest request;
  request.set_user_id("rep1");

  absl::StatusOr<v1::CreateAccessTokenResponse> created = Connection().CreateAccessToken(request);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(created.status().message(), "connection refused");  // not "gave up after ..."
  EXPECT_EQ(stub_->CallCount("CreateAccessToken"), 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(AdminConnectionTest, OnlyUnavailableIsRetried) {
  const absl::Status answers[] = {absl::PermissionDeniedError("admins only"),
                                  absl::UnauthenticatedError("revoked token"),
                                  absl::NotFoundError("id")};
  auto connection = Connection();
  for (const absl::Status& answer : answers) {
    stub_->FailNext("ListUsers", answer);
    EXPECT_EQ(connection.ListUsers({}).status(), answer);
  }
  EXPECT_EQ(stub_->CallCount("ListUsers"), 3);
}

TEST_F(AdminConnectionTest, ReadsGiveUpAfterMaxAttempts) {
  for (int i = 0; i < 10; ++i) stub_->FailNext("WhoAmI", Unavailable());
  policy_.retry.max_attempts = 3;

  absl::StatusOr<v1::User> user = Connection().WhoAmI({});
  EXPECT_EQ(user.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(user.status().message()), HasSubstr("(gave up after 3 attempts)"));
  EXPECT_EQ(stub_->CallCount("WhoAmI"), 3);
}

TEST_F(AdminConnectionTest, MetadataDecoratorSendsTokenAndOneCorrelationId) {
  auto decorated = std::make_shared<MetadataAdminStub>(stub_, CallMetadata{"t0ken"});
  internal::DefaultAdminConnection connection(decorated, policy_);
  stub_->FailNext("WhoAmI", Unavailable());
  EXPECT_TRUE(connection.WhoAmI({}).ok());

  ASSERT_EQ(stub_->calls().size(), 2u);
  for (const testing::RecordedCall& call : stub_->calls()) {
    EXPECT_THAT(call.metadata,
                ::testing::UnorderedElementsAre(Pair("authorization", "Bearer t0ken"),
                                                Pair("x-request-id", "id-1")));
  }
}

ClientOptions FastRetries() {
  ClientOptions options;
  options.retry.initial_backoff = absl::Milliseconds(1);
  return options;
}

TEST(AdminMocksTest, MockStubBehindTheDefaultConnection) {
  auto stub = std::make_shared<mocks::MockAdminStub>();
  v1::User rep;
  rep.set_id("rep1");
  EXPECT_CALL(*stub, GetUser(_, _))
      .WillOnce(Return(absl::UnavailableError("blip")))
      .WillOnce(Return(rep));
  EXPECT_CALL(*stub, CreateAccessToken(_, _)).WillOnce(Return(absl::UnavailableError("blip")));
  AdminClient client(MakeAdminConnection(stub, FastRetries()));

  absl::StatusOr<v1::User> user = client.GetUser(v1::GetUserRequest());
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->id(), "rep1");
  EXPECT_EQ(client.CreateAccessToken(v1::CreateAccessTokenRequest()).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(AdminPaginationTest, ListAllAccessTokensFollowsTokensAndKeepsTheFilter) {
  auto connection = std::make_shared<mocks::MockAdminConnection>();
  auto page = [](std::vector<std::string> ids, std::string next) {
    v1::ListAccessTokensResponse response;
    for (const std::string& id : ids) response.add_tokens()->set_id(id);
    response.set_next_page_token(std::move(next));
    return response;
  };
  auto of_rep = ::testing::Property(&v1::ListAccessTokensRequest::user_id, "rep1");
  EXPECT_CALL(*connection,
              ListAccessTokens(::testing::AllOf(
                  of_rep, ::testing::Property(&v1::ListAccessTokensRequest::page_token, ""))))
      .WillOnce(Return(page({"tok_3", "tok_2"}, "p1")));
  EXPECT_CALL(*connection,
              ListAccessTokens(::testing::AllOf(
                  of_rep, ::testing::Property(&v1::ListAccessTokensRequest::page_token, "p1"))))
      .WillOnce(Return(page({"tok_1"}, "")));
  AdminClient client(connection);

  v1::ListAccessTokensRequest request;
  request.set_user_id("rep1");
  std::vector<std::string> ids;
  for (const absl::StatusOr<v1::AccessToken>& token : client.ListAllAccessTokens(request)) {
    ASSERT_TRUE(token.ok()) << token.status();
    ids.push_back(token->id());
  }
  EXPECT_THAT(ids, ElementsAre("tok_3", "tok_2", "tok_1"));
}

}  // namespace
}  // namespace crm::client
