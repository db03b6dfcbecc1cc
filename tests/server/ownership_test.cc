// Ownership through a real in-process server, on every backend: a sales rep changes only the
// accounts, leads and opportunities it owns, a sales manager with a team only its team's, and
// lists, exports, analytics and events show each of them the same scope. A refused change leaves
// nothing written.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/admin.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Lead;
using crm::v1::Opportunity;
using crm::v1::Role;
using testing::CallWithToken;

// Team east: reps rita and ralph, manager mona. Team west: rep sam. Manager max has no team
// (head of sales); ana is an analyst; root the admin.
class OwnershipTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    pipelines_ = crm::v1::PipelineService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    admin_ = crm::v1::AdminService::NewStub(server_->channel());
    AddUser("root", crm::v1::ROLE_ADMIN, "");
    AddUser("rita", crm::v1::ROLE_SALES_REP, "east");
    AddUser("ralph", crm::v1::ROLE_SALES_REP, "east");
    AddUser("mona", crm::v1::ROLE_SALES_MANAGER, "east");
    AddUser("sam", crm::v1::ROLE_SALES_REP, "west");
    AddUser("max", crm::v1::ROLE_SALES_MANAGER, "");
    AddUser("ana", crm::v1::ROLE_ANALYST, "");
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  void AddUser(const std::string& id, Role role, const std::string& team) {
    const std::string token = server_->TokenFor(id, role);
    crm::v1::SetUserRequest set;
    set.mutable_user()->set_id(id);
    set.mutable_user()->set_role(role);
    set.mutable_user()->set_team_id(team);
    crm::v1::User out;
    ASSERT_GRPC_OK(admin_->SetUser(CallWithToken(server_->TokenFor("root")).get(), set, &out));
  }
  std::unique_ptr<grpc::ClientContext> As(const std::string& user) {
    return CallWithToken(server_->TokenFor(user));
  }

  grpc::Status CreateAccount(const std::string& user, const std::string& name, const std::string& owner,
                             Account* out) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    return accounts_->CreateAccount(As(user).get(), request, out);
  }
  Account MustCreateAccount(const std::string& owner) {
    Account out;
    EXPECT_GRPC_OK(CreateAccount("root", owner + "'s account", owner, &out));
    return out;
  }
  grpc::Status RenameAccount(const std::string& user, const std::string& id, const std::string& name) {
    crm::v1::UpdateAccountRequest request;
    request.mutable_account()->set_id(id);
    request.mutable_account()->set_name(name);
    request.mutable_update_mask()->add_paths("name");
    Account out;
    return accounts_->UpdateAccount(As(user).get(), request, &out);
  }
  Account GetAccount(const std::string& id) {
    crm::v1::GetAccountRequest request;
    request.set_id(id);
    Account out;
    EXPECT_GRPC_OK(accounts_->GetAccount(As("root").get(), request, &out));
    return out;
  }

  Lead MustCreateLead(const std::string& owner) {
    crm::v1::CreateLeadRequest request;
    request.mutable_lead()->set_full_name("Lead of " + owner);
    request.mutable_lead()->set_company_name("Co of " + owner);
    request.mutable_lead()->set_owner(owner);
    Lead out;
    EXPECT_GRPC_OK(pipelines_->CreateLead(As("root").get(), request, &out));
    return out;
  }
  grpc::Status GiveLead(const std::string& user, const std::string& id, const std::string& owner) {
    crm::v1::UpdateLeadRequest request;
    request.mutable_lead()->set_id(id);
    request.mutable_lead()->set_owner(owner);
    request.mutable_update_mask()->add_paths("owner");
    Lead out;
    return pipelines_->UpdateLead(As(user).get(), request, &out);
  }
  Lead GetLead(const std::string& id) {
    crm::v1::GetLeadRequest request;
    request.set_id(id);
    Lead out;
    EXPECT_GRPC_OK(pipelines_->GetLead(As("root").get(), request, &out));
    return out;
  }

  Opportunity MustCreateOpportunity(const std::string& owner, const std::string& account_id) {
    crm::v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_account_id(account_id);
    request.mutable_opportunity()->set_name("Deal of " + owner);
    request.mutable_opportunity()->set_owner(owner);
    request.mutable_opportunity()->mutable_amount()->set_currency_code("EUR");
    request.mutable_opportunity()->mutable_amount()->set_units(1000);
    Opportunity out;
    EXPECT_GRPC_OK(pipelines_->CreateOpportunity(As("root").get(), request, &out));
    return out;
  }
  grpc::Status CloseWon(const std::string& user, const std::string& id) {
    crm::v1::CloseOpportunityRequest request;
    request.set_id(id);
    request.set_won(true);
    Opportunity out;
    return pipelines_->CloseOpportunity(As(user).get(), request, &out);
  }

  std::set<std::string> ListedAccountOwners(const std::string& user, const std::string& owner_filter = "") {
    crm::v1::ListAccountsRequest request;
    request.set_page_size(1000);
    request.mutable_filter()->set_owner(owner_filter);
    crm::v1::ListAccountsResponse response;
    EXPECT_GRPC_OK(accounts_->ListAccounts(As(user).get(), request, &response));
    std::set<std::string> owners;
    for (const Account& a : response.accounts()) owners.insert(a.owner());
    return owners;
  }
  std::set<std::string> ListedLeadOwners(const std::string& user) {
    crm::v1::ListLeadsRequest request;
    request.set_page_size(1000);
    crm::v1::ListLeadsResponse response;
    EXPECT_GRPC_OK(pipelines_->ListLeads(As(user).get(), request, &response));
    std::set<std::string> owners;
    for (const Lead& l : response.leads()) owners.insert(l.owner());
    return owners;
  }
  std::set<std::string> ListedOpportunityOwners(const std::string& user) {
    crm::v1::ListOpportunitiesRequest request;
    request.set_page_size(1000);
    crm::v1::ListOpportunitiesResponse response;
    EXPECT_GRPC_OK(pipelines_->ListOpportunities(As(user).get(), request, &response));
    std::set<std::string> owners;
    for (const Opportunity& o : response.opportunities()) owners.insert(o.owner());
    return owners;
  }
  // Owners in the owner-performance report of `user` (every opportunity here is won).
  std::set<std::string> PerformanceOwners(const std::string& user) {
    crm::v1::GetOwnerPerformanceRequest request;
    crm::v1::OwnerPerformance response;
    EXPECT_GRPC_OK(pipelines_->GetOwnerPerformance(As(user).get(), request, &response));
    std::set<std::string> owners;
    for (const auto& stats : response.owners()) owners.insert(stats.owner());
    return owners;
  }

  // One account, lead and won opportunity per seller.
  void SeedEverySeller() {
    for (const std::string owner : {"rita", "ralph", "mona", "sam", "max"}) {
      const Account account = MustCreateAccount(owner);
      MustCreateLead(owner);
      const Opportunity deal = MustCreateOpportunity(owner, account.id());
      EXPECT_GRPC_OK(CloseWon("root", deal.id()));
    }
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::unique_ptr<crm::v1::AdminService::Stub> admin_;
};

TEST_P(OwnershipTest, RepChangesOnlyItsOwnAccountsAndNothingIsWrittenOtherwise) {
  const Account own = MustCreateAccount("rita");
  const Account colleagues = MustCreateAccount("ralph");

  EXPECT_GRPC_OK(RenameAccount("rita", own.id(), "Rita's renamed"));
  EXPECT_EQ(GetAccount(own.id()).name(), "Rita's renamed");

  const grpc::Status refused = RenameAccount("rita", colleagues.id(), "Taken over");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(refused.error_message().find(colleagues.id()), std::string::npos) << refused.error_message();
  EXPECT_NE(refused.error_message().find("ralph"), std::string::npos) << refused.error_message();
  const Account unchanged = GetAccount(colleagues.id());
  EXPECT_EQ(unchanged.name(), colleagues.name());
  EXPECT_EQ(unchanged.etag(), colleagues.etag());

  // A rep's new account is its own; it cannot create one for somebody else.
  Account created;
  ASSERT_GRPC_OK(CreateAccount("rita", "Fresh", "", &created));
  EXPECT_EQ(created.owner(), "rita");
  EXPECT_EQ(CreateAccount("rita", "For Sam", "sam", &created).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListedAccountOwners("root", "sam"), std::set<std::string>());
}

TEST_P(OwnershipTest, RepCannotGiveAwayOrTouchAnotherRepsLeads) {
  const Lead own = MustCreateLead("rita");
  const Lead foreign = MustCreateLead("sam");

  EXPECT_EQ(GiveLead("rita", own.id(), "ralph").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetLead(own.id()).owner(), "rita");

  crm::v1::QualifyLeadRequest qualify;
  qualify.set_id(foreign.id());
  Lead out;
  EXPECT_EQ(pipelines_->QualifyLead(As("rita").get(), qualify, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  crm::v1::DeleteLeadRequest remove;
  remove.set_id(foreign.id());
  crm::v1::DeleteLeadResponse removed;
  EXPECT_EQ(pipelines_->DeleteLead(As("rita").get(), remove, &removed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetLead(foreign.id()).status(), foreign.status());

  // Its own lead converts, and what the conversion creates is its own too.
  qualify.set_id(own.id());
  ASSERT_GRPC_OK(pipelines_->QualifyLead(As("rita").get(), qualify, &out));
  crm::v1::ConvertLeadRequest convert;
  convert.set_id(own.id());
  convert.set_create_opportunity(true);
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(pipelines_->ConvertLead(As("rita").get(), convert, &converted));
  EXPECT_EQ(GetAccount(converted.account_id()).owner(), "rita");
  crm::v1::GetOpportunityRequest get;
  get.set_id(converted.opportunity_id());
  Opportunity opportunity;
  ASSERT_GRPC_OK(pipelines_->GetOpportunity(As("rita").get(), get, &opportunity));
  EXPECT_EQ(opportunity.owner(), "rita");
}

TEST_P(OwnershipTest, RepMovesAndClosesOnlyItsOwnOpportunities) {
  const Account account = MustCreateAccount("rita");
  const Opportunity own = MustCreateOpportunity("rita", account.id());
  const Opportunity foreign = MustCreateOpportunity("sam", account.id());
  EXPECT_EQ(CloseWon("rita", foreign.id()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_GRPC_OK(CloseWon("rita", own.id()));

  crm::v1::GetOpportunityRequest get;
  get.set_id(foreign.id());
  Opportunity after;
  ASSERT_GRPC_OK(pipelines_->GetOpportunity(As("root").get(), get, &after));
  EXPECT_EQ(after.status(), foreign.status());
  EXPECT_EQ(after.etag(), foreign.etag());
}

TEST_P(OwnershipTest, ManagerChangesItsTeamsRecordsAndHandsThemOnlyWithinTheTeam) {
  const Lead ritas = MustCreateLead("rita");
  const Lead sams = MustCreateLead("sam");
  const Account sams_account = MustCreateAccount("sam");

  EXPECT_GRPC_OK(GiveLead("mona", ritas.id(), "ralph"));
  EXPECT_EQ(GetLead(ritas.id()).owner(), "ralph");
  EXPECT_EQ(GiveLead("mona", ritas.id(), "sam").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetLead(ritas.id()).owner(), "ralph");
  EXPECT_EQ(GiveLead("mona", sams.id(), "mona").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(RenameAccount("mona", sams_account.id(), "West no more").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A manager without a team (head of sales) is not narrowed.
  EXPECT_GRPC_OK(GiveLead("max", sams.id(), "rita"));
  EXPECT_GRPC_OK(RenameAccount("max", sams_account.id(), "Renamed by the head of sales"));
}

TEST_P(OwnershipTest, ATeamChangeTakesEffectForTheManager) {
  const Lead sams = MustCreateLead("sam");
  EXPECT_EQ(GiveLead("mona", sams.id(), "mona").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  AddUser("sam", crm::v1::ROLE_SALES_REP, "east");
  EXPECT_GRPC_OK(GiveLead("mona", sams.id(), "mona"));
}

TEST_P(OwnershipTest, ListsAreScopedToTheCallersOwners) {
  SeedEverySeller();
  const std::set<std::string> everyone = {"max", "mona", "ralph", "rita", "sam"};
  const std::set<std::string> east = {"mona", "ralph", "rita"};

  EXPECT_EQ(ListedAccountOwners("rita"), std::set<std::string>{"rita"});
  EXPECT_EQ(ListedLeadOwners("rita"), std::set<std::string>{"rita"});
  EXPECT_EQ(ListedOpportunityOwners("rita"), std::set<std::string>{"rita"});
  EXPECT_EQ(ListedAccountOwners("mona"), east);
  EXPECT_EQ(ListedLeadOwners("mona"), east);
  EXPECT_EQ(ListedOpportunityOwners("mona"), east);
  EXPECT_EQ(ListedAccountOwners("mona", "ralph"), std::set<std::string>{"ralph"});
  for (const char* unrestricted : {"root", "max", "ana"}) {
    EXPECT_EQ(ListedAccountOwners(unrestricted), everyone) << unrestricted;
    EXPECT_EQ(ListedOpportunityOwners(unrestricted), everyone) << unrestricted;
  }

  crm::v1::ListAccountsRequest outside;
  outside.mutable_filter()->set_owner("sam");
  crm::v1::ListAccountsResponse response;
  const grpc::Status refused = accounts_->ListAccounts(As("rita").get(), outside, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(refused.error_message().find("filter.owner"), std::string::npos) << refused.error_message();
  crm::v1::ListLeadsRequest outside_leads;
  outside_leads.set_owner("sam");
  crm::v1::ListLeadsResponse leads;
  EXPECT_EQ(pipelines_->ListLeads(As("mona").get(), outside_leads, &leads).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The bulk export a team manager may run carries its team's accounts only.
  crm::v1::ExportAccountsRequest export_request;
  auto context = As("mona");
  auto reader = accounts_->ExportAccounts(context.get(), export_request);
  std::set<std::string> exported;
  Account row;
  while (reader->Read(&row)) exported.insert(row.owner());
  EXPECT_GRPC_OK(reader->Finish());
  EXPECT_EQ(exported, east);
}

TEST_P(OwnershipTest, AnalyticsAreScopedToTheCallersOwners) {
  SeedEverySeller();
  EXPECT_EQ(PerformanceOwners("rita"), std::set<std::string>{"rita"});
  EXPECT_EQ(PerformanceOwners("mona"), (std::set<std::string>{"mona", "ralph", "rita"}));
  EXPECT_EQ(PerformanceOwners("ana"), (std::set<std::string>{"max", "mona", "ralph", "rita", "sam"}));

  crm::v1::GetFunnelRequest funnel_request;
  crm::v1::Funnel rita_funnel, root_funnel;
  ASSERT_GRPC_OK(pipelines_->GetFunnel(As("rita").get(), funnel_request, &rita_funnel));
  ASSERT_GRPC_OK(pipelines_->GetFunnel(As("root").get(), funnel_request, &root_funnel));
  EXPECT_EQ(rita_funnel.won(), 1);
  EXPECT_EQ(root_funnel.won(), 5);

  crm::v1::GetOwnerPerformanceRequest outside;
  outside.mutable_filter()->set_owner("sam");
  crm::v1::OwnerPerformance response;
  EXPECT_EQ(pipelines_->GetOwnerPerformance(As("mona").get(), outside, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(OwnershipTest, EventsAreScopedToTheCallersOwners) {
  SeedEverySeller();
  crm::v1::ListEventsRequest request;
  request.set_page_size(1000);
  crm::v1::ListEventsResponse response;
  ASSERT_GRPC_OK(events_->ListEvents(As("rita").get(), request, &response));
  ASSERT_GT(response.events_size(), 0);
  for (const crm::v1::Event& event : response.events()) EXPECT_EQ(event.user(), "rita") << event.type();

  ASSERT_GRPC_OK(events_->ListEvents(As("root").get(), request, &response));
  std::set<std::string> users;
  for (const crm::v1::Event& event : response.events()) users.insert(event.user());
  EXPECT_TRUE(users.count("sam"));

  request.set_user("sam");
  EXPECT_EQ(events_->ListEvents(As("rita").get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  crm::v1::SubscribeRequest subscribe;
  subscribe.set_user("sam");
  auto context = As("rita");
  auto stream = events_->Subscribe(context.get(), subscribe);
  crm::v1::Event event;
  EXPECT_FALSE(stream->Read(&event));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

INSTANTIATE_TEST_SUITE_P(Backends, OwnershipTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
