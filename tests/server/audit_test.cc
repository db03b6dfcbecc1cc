// The audit trail through a real in-process server, on every backend: what a record says of a
// change, that a change that does not commit leaves none, users and tokens (which have no events),
// and ListAuditRecords' filters and pages. tests/server/mutation_walk_test.cc proves that every
// mutating method audits.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/admin.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::AuditRecord;
using crm::v1::ListAuditRecordsRequest;
using crm::v1::ListAuditRecordsResponse;
using testing::CallWithToken;

class AuditTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    admin_ = crm::v1::AdminService::NewStub(server_->channel());
    server_->TokenFor("alice", crm::v1::ROLE_SALES_MANAGER);
    server_->TokenFor("bob", crm::v1::ROLE_SALES_REP);
    server_->TokenFor("auditor", crm::v1::ROLE_ADMIN);
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& user, const std::string& correlation_id = "") {
    auto context = CallWithToken(server_->TokenFor(user));
    if (!correlation_id.empty()) context->AddMetadata("x-request-id", correlation_id);
    return context;
  }

  Account MustCreate(const std::string& user, const std::string& name, const std::string& request_id = "") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.set_request_id(request_id);
    Account out;
    EXPECT_GRPC_OK(accounts_->CreateAccount(As(user).get(), request, &out));
    return out;
  }

  grpc::Status Rename(const std::string& user, const Account& account, const std::string& name,
                      const std::string& correlation_id = "", const std::string& etag = "") {
    crm::v1::UpdateAccountRequest request;
    request.mutable_account()->set_id(account.id());
    request.mutable_account()->set_name(name);
    request.mutable_update_mask()->add_paths("name");
    request.set_etag(etag);
    Account out;
    return accounts_->UpdateAccount(As(user, correlation_id).get(), request, &out);
  }

  grpc::Status List(const ListAuditRecordsRequest& request, ListAuditRecordsResponse* response) {
    return admin_->ListAuditRecords(As("auditor").get(), request, response);
  }
  std::vector<AuditRecord> Records(const crm::v1::AuditFilter& filter) {
    ListAuditRecordsRequest request;
    *request.mutable_filter() = filter;
    request.set_page_size(1000);
    ListAuditRecordsResponse response;
    EXPECT_GRPC_OK(List(request, &response));
    return {response.records().begin(), response.records().end()};
  }
  std::vector<AuditRecord> RecordsOf(const std::string& entity, const std::string& id) {
    crm::v1::AuditFilter filter;
    filter.set_entity(entity);
    filter.set_entity_id(id);
    return Records(filter);
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::AdminService::Stub> admin_;
};

TEST_P(AuditTest, AChangeIsRecordedWithWhoWhatWhenAndWhichRequest) {
  const Account account = MustCreate("alice", "Acme", "create-1");
  server_->clock().Advance(absl::Minutes(5));
  ASSERT_GRPC_OK(Rename("alice", account, "Acme GmbH", "corr-7"));

  const std::vector<AuditRecord> records = RecordsOf("account", account.id());
  ASSERT_EQ(records.size(), 2u);
  const AuditRecord& update = records[0];  // newest first
  EXPECT_EQ(update.actor(), "alice");
  EXPECT_EQ(update.method(), "crm.v1.AccountService/UpdateAccount");
  EXPECT_EQ(update.change(), crm::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(std::vector<std::string>(update.changed_fields().begin(), update.changed_fields().end()),
            std::vector<std::string>{"name"});
  EXPECT_EQ(update.correlation_id(), "corr-7");
  EXPECT_EQ(update.request_id(), "corr-7");  // the update has no request_id of its own
  EXPECT_EQ(TimestampToTime(update.time()), server_->clock().Now());
  EXPECT_TRUE(update.id().rfind("aud_", 0) == 0) << update.id();

  const AuditRecord& create = records[1];
  EXPECT_EQ(create.method(), "crm.v1.AccountService/CreateAccount");
  EXPECT_EQ(create.change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(create.request_id(), "create-1");
  EXPECT_EQ(TimestampToTime(create.time()), server_->clock().Now() - absl::Minutes(5));
  const std::set<std::string> created_fields(create.changed_fields().begin(), create.changed_fields().end());
  EXPECT_TRUE(created_fields.count("name"));
}

TEST_P(AuditTest, AChangeThatDoesNotCommitLeavesNoRecord) {
  const Account account = MustCreate("alice", "Acme");
  ASSERT_GRPC_OK(Rename("alice", account, "Acme AG"));
  ASSERT_EQ(RecordsOf("account", account.id()).size(), 2u);

  // A stale etag, a refused owner (bob is a rep; the account is alice's), and an update that
  // changes nothing: no record for any of them.
  EXPECT_EQ(Rename("alice", account, "Stale", "", account.etag()).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Rename("bob", account, "Not mine").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_OK(Rename("alice", account, "Acme AG"));
  EXPECT_EQ(RecordsOf("account", account.id()).size(), 2u);
}

TEST_P(AuditTest, UsersAndTokensAreAuditedWithoutTheSecret) {
  crm::v1::SetUserRequest set;
  set.mutable_user()->set_id("carol");
  set.mutable_user()->set_role(crm::v1::ROLE_SERVICE_AGENT);
  crm::v1::User user;
  ASSERT_GRPC_OK(admin_->SetUser(As("auditor").get(), set, &user));
  set.mutable_user()->set_display_name("Carol C.");
  ASSERT_GRPC_OK(admin_->SetUser(As("auditor").get(), set, &user));

  std::vector<AuditRecord> records = RecordsOf("user", "carol");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].change(), crm::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(std::vector<std::string>(records[0].changed_fields().begin(), records[0].changed_fields().end()),
            std::vector<std::string>{"display_name"});
  EXPECT_EQ(records[1].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(records[1].actor(), "auditor");

  crm::v1::CreateAccessTokenRequest create;
  create.set_user_id("carol");
  crm::v1::CreateAccessTokenResponse created;
  ASSERT_GRPC_OK(admin_->CreateAccessToken(As("auditor").get(), create, &created));
  crm::v1::RevokeAccessTokenRequest revoke;
  revoke.set_id(created.token().id());
  crm::v1::AccessToken revoked;
  ASSERT_GRPC_OK(admin_->RevokeAccessToken(As("auditor").get(), revoke, &revoked));
  ASSERT_GRPC_OK(admin_->RevokeAccessToken(As("auditor").get(), revoke, &revoked));  // changes nothing

  records = RecordsOf("access_token", created.token().id());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].method(), "crm.v1.AdminService/RevokeAccessToken");
  EXPECT_EQ(std::vector<std::string>(records[0].changed_fields().begin(), records[0].changed_fields().end()),
            std::vector<std::string>{"revoke_time"});
  EXPECT_EQ(records[1].method(), "crm.v1.AdminService/CreateAccessToken");
  for (const AuditRecord& record : records) {
    EXPECT_EQ(record.DebugString().find(created.secret()), std::string::npos);
  }
}

// The first start makes the admin straight on the database, with no call: the server is the
// actor, and no method is named.
TEST_P(AuditTest, TheFirstAdminsCreationIsAuditedAsTheServers) {
  const std::vector<AuditRecord> records = RecordsOf("user", "admin");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].actor(), "system");
  EXPECT_EQ(records[0].method(), "");
  EXPECT_EQ(records[0].change(), crm::v1::CHANGE_KIND_CREATED);
  crm::v1::AuditFilter tokens;
  tokens.set_entity("access_token");
  tokens.set_actor("system");
  EXPECT_EQ(Records(tokens).size(), 1u);
}

TEST_P(AuditTest, FiltersNarrowAndPagesCoverEveryRecordOnce) {
  const absl::Time start = server_->clock().Now();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(MustCreate(i % 2 == 0 ? "alice" : "auditor", "Account " + std::to_string(i)).id());
    server_->clock().Advance(absl::Minutes(1));
  }

  crm::v1::AuditFilter by_actor;
  by_actor.set_actor("alice");
  by_actor.set_entity("account");
  EXPECT_EQ(Records(by_actor).size(), 3u);

  crm::v1::AuditFilter by_period;
  by_period.set_entity("account");
  *by_period.mutable_start_time() = TimeToTimestamp(start + absl::Minutes(1));
  *by_period.mutable_end_time() = TimeToTimestamp(start + absl::Minutes(3));
  std::vector<AuditRecord> in_period = Records(by_period);
  ASSERT_EQ(in_period.size(), 2u);
  EXPECT_EQ(in_period[0].entity_id(), ids[2]);
  EXPECT_EQ(in_period[1].entity_id(), ids[1]);

  crm::v1::AuditFilter by_method;
  by_method.set_method("crm.v1.AccountService/UpdateAccount");
  EXPECT_TRUE(Records(by_method).empty());

  // Pages of two: every account record once, newest first.
  ListAuditRecordsRequest request;
  request.mutable_filter()->set_entity("account");
  request.set_page_size(2);
  std::vector<std::string> paged;
  for (int page = 0; page < 10; ++page) {
    ListAuditRecordsResponse response;
    ASSERT_GRPC_OK(List(request, &response));
    for (const AuditRecord& r : response.records()) paged.push_back(r.entity_id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(paged, std::vector<std::string>(ids.rbegin(), ids.rend()));

  // A token is bound to its filter; a period must not end before it starts.
  ListAuditRecordsResponse response;
  request.set_page_token("");
  ASSERT_GRPC_OK(List(request, &response));
  request.set_page_token(response.next_page_token());
  request.mutable_filter()->set_actor("alice");
  EXPECT_TRUE(testing::HasCodeAndField(List(request, &response), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  ListAuditRecordsRequest backwards;
  *backwards.mutable_filter()->mutable_start_time() = TimeToTimestamp(start + absl::Minutes(3));
  *backwards.mutable_filter()->mutable_end_time() = TimeToTimestamp(start);
  EXPECT_TRUE(
      testing::HasCodeAndField(List(backwards, &response), grpc::StatusCode::INVALID_ARGUMENT, "filter.end_time"));
}

TEST_P(AuditTest, OnlyAnAdminReadsTheTrail) {
  ListAuditRecordsResponse response;
  EXPECT_EQ(admin_->ListAuditRecords(As("alice").get(), ListAuditRecordsRequest(), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
