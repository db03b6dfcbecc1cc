// PipelineService opportunities and their stage history, through a real in-process server and
// stub, on every backend; plus CreateOpportunityInTx, the create other areas (ConvertLead) run in
// their own transaction.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "common/core/time_util.h"
#include "common/server/call_context.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "services/pipeline/opportunity_logic.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Opportunity;
using crm::v1::Pipeline;
using crm::v1::Stage;
using crm::v1::StageChange;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownPipelineId[] = "pip_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownOpportunityId[] = "opp_01ARZ3NDEKTSV4RRFFQ69G5FAV";

crm::v1::Money Money(const std::string& currency, int64_t units, int32_t nanos = 0) {
  crm::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

crm::v1::Date Date(int y, int m, int d) {
  crm::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class OpportunityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    pipelines_ = crm::v1::PipelineService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    crm::v1::ListPipelinesResponse all;
    ASSERT_GRPC_OK(pipelines_->ListPipelines(CallAs().get(), crm::v1::ListPipelinesRequest(), &all));
    ASSERT_EQ(all.pipelines_size(), 1);
    b2b_ = all.pipelines(0);
    account_ = MustCreateAccount("Acme GmbH");
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // The default pipeline's stage with this name.
  const Stage& S(const std::string& name) const {
    for (const Stage& s : b2b_.stages()) {
      if (s.name() == name) return s;
    }
    ADD_FAILURE() << "no stage " << name;
    return b2b_.stages(0);
  }

  std::string MustCreateAccount(const std::string& name) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner("bob");
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  Opportunity MakeOpportunity(const std::string& name = "Big deal") const {
    Opportunity o;
    o.set_account_id(account_);
    o.set_name(name);
    *o.mutable_amount() = Money("EUR", 25000, 500000000);
    *o.mutable_expected_close_date() = Date(2026, 3, 31);
    return o;
  }

  grpc::Status Create(const Opportunity& o, Opportunity* out, const std::string& user = "alice",
                      const std::string& request_id = "") {
    crm::v1::CreateOpportunityRequest request;
    *request.mutable_opportunity() = o;
    request.set_request_id(request_id);
    return pipelines_->CreateOpportunity(CallAs(user).get(), request, out);
  }

  Opportunity MustCreate(const Opportunity& o, const std::string& user = "alice") {
    Opportunity out;
    grpc::Status s = Create(o, &out, user);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Opportunity MustGet(const std::string& id) {
    crm::v1::GetOpportunityRequest request;
    request.set_id(id);
    Opportunity out;
    grpc::Status s = pipelines_->GetOpportunity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Update(const Opportunity& patch, const std::vector<std::string>& paths, Opportunity* out,
                      const std::string& etag = "") {
    crm::v1::UpdateOpportunityRequest request;
    *request.mutable_opportunity() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_etag(etag);
    return pipelines_->UpdateOpportunity(CallAs().get(), request, out);
  }

  grpc::Status Move(const std::string& id, const std::string& stage_id, Opportunity* out,
                    const std::string& user = "alice", std::optional<int> probability = std::nullopt,
                    const std::string& etag = "") {
    crm::v1::MoveOpportunityRequest request;
    request.set_id(id);
    request.set_stage_id(stage_id);
    if (probability.has_value()) request.set_probability(*probability);
    request.set_etag(etag);
    return pipelines_->MoveOpportunity(CallAs(user).get(), request, out);
  }

  grpc::Status Close(const std::string& id, bool won, const std::string& reason, Opportunity* out,
                     const std::string& user = "alice", const std::string& lost_stage_id = "") {
    crm::v1::CloseOpportunityRequest request;
    request.set_id(id);
    request.set_won(won);
    request.set_lost_reason(reason);
    request.set_lost_stage_id(lost_stage_id);
    return pipelines_->CloseOpportunity(CallAs(user).get(), request, out);
  }

  grpc::Status Reopen(const std::string& id, const std::string& stage_id, Opportunity* out,
                      const std::string& user = "alice") {
    crm::v1::ReopenOpportunityRequest request;
    request.set_id(id);
    request.set_stage_id(stage_id);
    return pipelines_->ReopenOpportunity(CallAs(user).get(), request, out);
  }

  std::vector<StageChange> History(const std::string& id, int page_size = 1000, int* pages = nullptr) {
    crm::v1::ListStageChangesRequest request;
    request.set_opportunity_id(id);
    request.set_page_size(page_size);
    std::vector<StageChange> all;
    int n = 0;
    for (; n < 100; ++n) {
      crm::v1::ListStageChangesResponse page;
      grpc::Status s = pipelines_->ListStageChanges(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.changes_size(), page_size);
      all.insert(all.end(), page.changes().begin(), page.changes().end());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  std::vector<Opportunity> ListAll(crm::v1::ListOpportunitiesRequest request, int page_size = 1000) {
    request.set_page_size(page_size);
    std::vector<Opportunity> all;
    std::set<std::string> seen;
    for (int n = 0; n < 100; ++n) {
      crm::v1::ListOpportunitiesResponse page;
      grpc::Status s = pipelines_->ListOpportunities(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.opportunities_size(), page_size);
      for (const Opportunity& o : page.opportunities()) {
        EXPECT_TRUE(seen.insert(o.id()).second) << "repeated " << o.id();
        all.push_back(o);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  grpc::Status SetSettings(const std::string& threshold_eur, std::vector<std::pair<std::string, std::string>> rates,
                           int64_t threshold_units) {
    crm::v1::UpdateSalesSettingsRequest request;
    for (const auto& [code, rate] : rates) {
      crm::v1::ExchangeRate* r = request.mutable_settings()->add_rates();
      r->set_currency_code(code);
      r->set_rate(rate);
    }
    if (!threshold_eur.empty()) {
      *request.mutable_settings()->mutable_large_deal_threshold() = Money(threshold_eur, threshold_units);
    }
    request.mutable_update_mask()->add_paths("rates");
    request.mutable_update_mask()->add_paths("large_deal_threshold");
    crm::v1::SalesSettings out;
    return pipelines_->UpdateSalesSettings(CallAs().get(), request, &out);
  }

  Pipeline MustCreatePipeline(const std::string& name, int lost_stages = 1) {
    crm::v1::CreatePipelineRequest request;
    Pipeline* p = request.mutable_pipeline();
    p->set_name(name);
    const auto add = [&](const std::string& stage, int probability, crm::v1::StageKind kind) {
      Stage* s = p->add_stages();
      s->set_name(stage);
      s->set_probability(probability);
      s->set_kind(kind);
    };
    add("First", 30, crm::v1::STAGE_KIND_OPEN);
    add("Second", 70, crm::v1::STAGE_KIND_OPEN);
    add("Done", 100, crm::v1::STAGE_KIND_WON);
    for (int i = 0; i < lost_stages; ++i) add("Lost " + std::to_string(i), 0, crm::v1::STAGE_KIND_LOST);
    Pipeline out;
    grpc::Status s = pipelines_->CreatePipeline(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  Pipeline b2b_;
  std::string account_;
};

// ---------------------------------------------------------------------------------------------
// Create / Get

TEST_P(OpportunityTest, CreateDefaultsPipelineStageProbabilityAndOwner) {
  Opportunity created = MustCreate(MakeOpportunity());
  EXPECT_EQ(created.id().substr(0, 4), "opp_");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_EQ(created.pipeline_id(), b2b_.id());
  EXPECT_EQ(created.stage_id(), S("Prospecting").id());
  EXPECT_EQ(created.probability(), 10);
  EXPECT_EQ(created.owner(), "alice");
  EXPECT_EQ(created.status(), crm::v1::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(created.amount().units(), 25000);
  EXPECT_EQ(created.amount().nanos(), 500000000);
  EXPECT_EQ(TimestampToTime(created.stage_enter_time()), server_->clock().Now());
  EXPECT_EQ(TimestampToTime(created.create_time()), server_->clock().Now());
  EXPECT_FALSE(created.has_close_time());

  Opportunity fetched = MustGet(created.id());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(fetched.expected_close_date().year(), 2026);
  EXPECT_EQ(fetched.expected_close_date().month(), 3);
  EXPECT_EQ(fetched.expected_close_date().day(), 31);

  // Creation is the first entry of the stage history.
  std::vector<StageChange> history = History(created.id());
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].opportunity_id(), created.id());
  EXPECT_EQ(history[0].pipeline_id(), b2b_.id());
  EXPECT_EQ(history[0].from_stage_id(), "");
  EXPECT_EQ(history[0].from_stage_name(), "");
  EXPECT_EQ(history[0].to_stage_id(), S("Prospecting").id());
  EXPECT_EQ(history[0].to_stage_name(), "Prospecting");
  EXPECT_EQ(history[0].changed_by(), "alice");
  EXPECT_GT(history[0].sequence(), 0);

  std::vector<crm::v1::Event> events = Events("opportunity.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "opportunity");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].user(), "alice");
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_TRUE(Events("opportunity.large_deal").empty());
}

TEST_P(OpportunityTest, CreateTakesStagePipelineProbabilityAndOwnerWhenGiven) {
  Pipeline other = MustCreatePipeline("Partner");
  Opportunity o = MakeOpportunity();
  o.set_stage_id(other.stages(1).id());  // pipeline inferred from the stage
  o.set_probability(65);
  o.set_owner("carol");
  o.set_source_channel(crm::v1::LEAD_CHANNEL_REFERRAL);
  o.set_lead_id("led_01ARZ3NDEKTSV4RRFFQ69G5FAV");  // only ConvertLead links leads
  o.set_status(crm::v1::OPPORTUNITY_STATUS_WON);    // output only
  Opportunity created = MustCreate(o);
  EXPECT_EQ(created.pipeline_id(), other.id());
  EXPECT_EQ(created.stage_id(), other.stages(1).id());
  EXPECT_EQ(created.probability(), 65);
  EXPECT_EQ(created.owner(), "carol");
  EXPECT_EQ(created.source_channel(), crm::v1::LEAD_CHANNEL_REFERRAL);
  EXPECT_EQ(created.lead_id(), "");
  EXPECT_EQ(created.status(), crm::v1::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(Events("opportunity.created")[0].user(), "carol");

  Opportunity explicit_pipeline = MakeOpportunity();
  explicit_pipeline.set_pipeline_id(other.id());
  explicit_pipeline.clear_amount();
  Opportunity first_stage = MustCreate(explicit_pipeline);
  EXPECT_EQ(first_stage.stage_id(), other.stages(0).id());
  EXPECT_EQ(first_stage.probability(), 30);
  EXPECT_FALSE(first_stage.has_amount());
  EXPECT_FALSE(MustGet(first_stage.id()).has_amount());
}

TEST_P(OpportunityTest, CreateRejectsBadInputNamingTheFieldAndWritesNothing) {
  Pipeline other = MustCreatePipeline("Other");
  struct Case {
    const char* what;
    std::function<void(Opportunity&)> mutate;
    grpc::StatusCode code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"no name", [](Opportunity& o) { o.clear_name(); }, grpc::StatusCode::INVALID_ARGUMENT, "opportunity.name"},
      {"no account", [](Opportunity& o) { o.clear_account_id(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "opportunity.account_id"},
      {"unknown account", [](Opportunity& o) { o.set_account_id(kUnknownAccountId); }, grpc::StatusCode::NOT_FOUND,
       "opportunity.account_id"},
      {"unknown pipeline", [](Opportunity& o) { o.set_pipeline_id(kUnknownPipelineId); }, grpc::StatusCode::NOT_FOUND,
       "opportunity.pipeline_id"},
      {"unknown stage", [](Opportunity& o) { o.set_stage_id("stg_01ARZ3NDEKTSV4RRFFQ69G5FAV"); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.stage_id"},
      {"stage of another pipeline",
       [&](Opportunity& o) {
         o.set_pipeline_id(b2b_.id());
         o.set_stage_id(other.stages(0).id());
       },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.stage_id"},
      {"won stage", [&](Opportunity& o) { o.set_stage_id(S("Won").id()); }, grpc::StatusCode::INVALID_ARGUMENT,
       "opportunity.stage_id"},
      {"lost stage", [&](Opportunity& o) { o.set_stage_id(S("Lost").id()); }, grpc::StatusCode::INVALID_ARGUMENT,
       "opportunity.stage_id"},
      {"probability over 100", [](Opportunity& o) { o.set_probability(101); }, grpc::StatusCode::INVALID_ARGUMENT,
       "opportunity.probability"},
      {"negative probability", [](Opportunity& o) { o.set_probability(-5); }, grpc::StatusCode::INVALID_ARGUMENT,
       "opportunity.probability"},
      {"negative amount", [](Opportunity& o) { *o.mutable_amount() = Money("EUR", -1); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount"},
      {"seven decimals", [](Opportunity& o) { *o.mutable_amount() = Money("EUR", 1, 1234567); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount.nanos"},
      {"mixed signs", [](Opportunity& o) { *o.mutable_amount() = Money("EUR", 1, -500000000); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount.nanos"},
      {"bad currency", [](Opportunity& o) { *o.mutable_amount() = Money("euro", 1); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount.currency_code"},
      {"too large", [](Opportunity& o) { *o.mutable_amount() = Money("EUR", 1000000000000); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount"},
      {"close date before creation", [](Opportunity& o) { *o.mutable_expected_close_date() = Date(2025, 12, 31); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.expected_close_date"},
      {"not a date", [](Opportunity& o) { *o.mutable_expected_close_date() = Date(2026, 2, 29); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.expected_close_date"},
      {"unknown channel", [](Opportunity& o) { o.set_source_channel(static_cast<crm::v1::LeadChannel>(99)); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.source_channel"},
      {"malformed campaign", [](Opportunity& o) { o.set_source_campaign_id("cmp 1"); },
       grpc::StatusCode::INVALID_ARGUMENT, "opportunity.source_campaign_id"},
  };
  for (const Case& c : cases) {
    Opportunity o = MakeOpportunity();
    c.mutate(o);
    Opportunity out;
    EXPECT_TRUE(HasCodeAndField(Create(o, &out), c.code, c.field)) << c.what;
  }
  // A deleted account takes no new opportunities.
  crm::v1::DeleteAccountRequest del;
  del.set_id(account_);
  crm::v1::Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  Opportunity out;
  EXPECT_TRUE(HasCodeAndField(Create(MakeOpportunity(), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "opportunity.account_id"));

  EXPECT_TRUE(ListAll(crm::v1::ListOpportunitiesRequest()).empty());
  EXPECT_TRUE(Events("opportunity.").empty());
}

TEST_P(OpportunityTest, SourceCampaignMustExist) {
  crm::v1::CreateCampaignRequest make;
  make.mutable_campaign()->set_name("Spring webinar");
  make.mutable_campaign()->set_channel(crm::v1::LEAD_CHANNEL_EVENT);
  crm::v1::Campaign campaign;
  ASSERT_GRPC_OK(pipelines_->CreateCampaign(CallAs().get(), make, &campaign));

  Opportunity o = MakeOpportunity();
  o.set_source_campaign_id("cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  Opportunity out;
  EXPECT_TRUE(HasCodeAndField(Create(o, &out), grpc::StatusCode::NOT_FOUND, "opportunity.source_campaign_id"));
  o.set_source_campaign_id(campaign.id());
  Opportunity created = MustCreate(o);
  EXPECT_EQ(created.source_campaign_id(), campaign.id());

  Opportunity patch;
  patch.set_id(created.id());
  patch.set_source_campaign_id("cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"source_campaign_id"}, &out), grpc::StatusCode::NOT_FOUND,
                              "opportunity.source_campaign_id"));
  patch.clear_source_campaign_id();
  ASSERT_GRPC_OK(Update(patch, {"source_campaign_id"}, &out));
  EXPECT_EQ(out.source_campaign_id(), "");
}

TEST_P(OpportunityTest, CloseDateOnTheDayOfCreationIsFine) {
  Opportunity o = MakeOpportunity();
  *o.mutable_expected_close_date() = Date(2026, 1, 1);
  MustCreate(o);
}

TEST_P(OpportunityTest, RetriedCreateReturnsTheFirstOpportunity) {
  Opportunity first, second;
  ASSERT_GRPC_OK(Create(MakeOpportunity(), &first, "alice", "req-7"));
  ASSERT_GRPC_OK(Create(MakeOpportunity(), &second, "alice", "req-7"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(History(first.id()).size(), 1u);
  EXPECT_EQ(ListAll(crm::v1::ListOpportunitiesRequest()).size(), 1u);
  Opportunity different;
  EXPECT_TRUE(HasCodeAndField(Create(MakeOpportunity("Other"), &different, "alice", "req-7"),
                              grpc::StatusCode::ALREADY_EXISTS, "request_id"));
}

TEST_P(OpportunityTest, GetUnknownOrMalformedId) {
  crm::v1::GetOpportunityRequest request;
  request.set_id(kUnknownOpportunityId);
  Opportunity out;
  EXPECT_TRUE(
      HasCodeAndField(pipelines_->GetOpportunity(CallAs().get(), request, &out), grpc::StatusCode::NOT_FOUND, "id"));
  request.set_id("");
  EXPECT_TRUE(HasCodeAndField(pipelines_->GetOpportunity(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

// ---------------------------------------------------------------------------------------------
// Update

TEST_P(OpportunityTest, UpdateChangesMaskedFieldsUnderTheEtag) {
  Opportunity created = MustCreate(MakeOpportunity());
  server_->clock().Advance(absl::Hours(1));
  Opportunity patch;
  patch.set_id(created.id());
  patch.set_name("Bigger deal");
  *patch.mutable_amount() = Money("EUR", 40000);
  *patch.mutable_expected_close_date() = Date(2026, 6, 30);
  patch.set_probability(35);
  patch.set_owner("dave");
  Opportunity updated;
  ASSERT_GRPC_OK(
      Update(patch, {"name", "amount", "expected_close_date", "probability", "owner"}, &updated, created.etag()));
  EXPECT_EQ(updated.etag(), "\"r2\"");
  EXPECT_EQ(updated.name(), "Bigger deal");
  EXPECT_EQ(updated.amount().units(), 40000);
  EXPECT_EQ(updated.amount().nanos(), 0);
  EXPECT_EQ(updated.expected_close_date().month(), 6);
  EXPECT_EQ(updated.probability(), 35);
  EXPECT_EQ(updated.owner(), "dave");
  EXPECT_EQ(updated.stage_id(), created.stage_id());
  EXPECT_EQ(updated.stage_enter_time().seconds(), created.stage_enter_time().seconds());
  EXPECT_EQ(MustGet(created.id()).SerializeAsString(), updated.SerializeAsString());
  EXPECT_EQ(History(created.id()).size(), 1u);  // no stage change

  std::vector<crm::v1::Event> events = Events("opportunity.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].user(), "dave");
  std::set<std::string> fields;
  for (const auto& c : events[0].changes()) fields.insert(c.field());
  EXPECT_EQ(fields, (std::set<std::string>{"name", "amount", "expected_close_date", "probability", "owner"}));

  // The old etag is stale now.
  patch.set_name("Stale");
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"name"}, &updated, created.etag()), grpc::StatusCode::ABORTED));
  EXPECT_EQ(MustGet(created.id()).name(), "Bigger deal");

  // Clearing the amount through the mask.
  Opportunity clear;
  clear.set_id(created.id());
  ASSERT_GRPC_OK(Update(clear, {"amount"}, &updated));
  EXPECT_FALSE(updated.has_amount());
}

TEST_P(OpportunityTest, UpdateRefusesStageStatusAndBadValues) {
  Opportunity created = MustCreate(MakeOpportunity());
  Opportunity out;
  Opportunity patch;
  patch.set_id(created.id());
  patch.set_stage_id(S("Proposal").id());
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"stage_id"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  patch.set_name("x");
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"name"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.stage_id"));
  patch.clear_stage_id();
  patch.set_status(crm::v1::OPPORTUNITY_STATUS_WON);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"name"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.status"));
  patch.clear_status();
  patch.set_account_id(kUnknownAccountId);
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"name"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.account_id"));
  patch.clear_account_id();

  patch.set_probability(150);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"probability"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.probability"));
  *patch.mutable_expected_close_date() = Date(2025, 6, 1);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"expected_close_date"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.expected_close_date"));
  *patch.mutable_amount() = Money("EUR", 5, 5);
  EXPECT_TRUE(
      HasCodeAndField(Update(patch, {"amount"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.amount.nanos"));
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"owner"}, &out), grpc::StatusCode::INVALID_ARGUMENT, "opportunity.owner"));
  patch.set_id(kUnknownOpportunityId);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"name"}, &out), grpc::StatusCode::NOT_FOUND, "opportunity.id"));

  EXPECT_EQ(MustGet(created.id()).SerializeAsString(), created.SerializeAsString());
  EXPECT_TRUE(Events("opportunity.updated").empty());

  // A closed deal's probability is its stage's.
  Opportunity won;
  ASSERT_GRPC_OK(Close(created.id(), true, "", &won));
  Opportunity probability;
  probability.set_id(created.id());
  probability.set_probability(50);
  EXPECT_TRUE(HasCodeAndField(Update(probability, {"probability"}, &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "opportunity.probability"));
  // Other corrections are fine.
  probability.set_name("Won deal");
  ASSERT_GRPC_OK(Update(probability, {"name"}, &out));
}

// ---------------------------------------------------------------------------------------------
// Stage history

TEST_P(OpportunityTest, StageHistoryIsExactAcrossSkipRevisitCloseAndReopen) {
  const absl::Time t0 = server_->clock().Now();
  Opportunity o = MustCreate(MakeOpportunity(), "alice");
  Opportunity out;
  // Skip: Prospecting → Proposal.
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Move(o.id(), S("Proposal").id(), &out, "bob"));
  EXPECT_EQ(out.probability(), 60);
  EXPECT_EQ(out.etag(), "\"r2\"");
  EXPECT_EQ(TimestampToTime(out.stage_enter_time()), t0 + absl::Hours(24));
  // Revisit: back to Qualification, forward to Proposal again (with a probability override).
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Move(o.id(), S("Qualification").id(), &out, "bob"));
  EXPECT_EQ(out.probability(), 20);
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Move(o.id(), S("Proposal").id(), &out, "carol", 65));
  EXPECT_EQ(out.probability(), 65);
  // Lost, reopened into the stage it was in before closing, won.
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Close(o.id(), false, "Budget cut", &out, "carol"));
  EXPECT_EQ(out.status(), crm::v1::OPPORTUNITY_STATUS_LOST);
  EXPECT_EQ(out.stage_id(), S("Lost").id());
  EXPECT_EQ(out.probability(), 0);
  EXPECT_EQ(out.lost_reason(), "Budget cut");
  EXPECT_EQ(TimestampToTime(out.close_time()), t0 + absl::Hours(96));
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Reopen(o.id(), "", &out, "dave"));
  EXPECT_EQ(out.status(), crm::v1::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(out.stage_id(), S("Proposal").id());
  EXPECT_EQ(out.probability(), 60);
  EXPECT_EQ(out.lost_reason(), "");
  EXPECT_FALSE(out.has_close_time());
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Move(o.id(), S("Negotiation").id(), &out, "dave"));
  server_->clock().Advance(absl::Hours(24));
  ASSERT_GRPC_OK(Close(o.id(), true, "", &out, "erin"));
  EXPECT_EQ(out.status(), crm::v1::OPPORTUNITY_STATUS_WON);
  EXPECT_EQ(out.stage_id(), S("Won").id());
  EXPECT_EQ(out.probability(), 100);
  EXPECT_EQ(out.etag(), "\"r8\"");
  EXPECT_EQ(MustGet(o.id()).SerializeAsString(), out.SerializeAsString());

  struct Expected {
    const char* from;
    const char* to;
    const char* by;
    int hours;
  };
  const Expected expected[] = {
      {"", "Prospecting", "alice", 0},          {"Prospecting", "Proposal", "bob", 24},
      {"Proposal", "Qualification", "bob", 48}, {"Qualification", "Proposal", "carol", 72},
      {"Proposal", "Lost", "carol", 96},        {"Lost", "Proposal", "dave", 120},
      {"Proposal", "Negotiation", "dave", 144}, {"Negotiation", "Won", "erin", 168},
  };
  // Paged in threes, to cover the page tokens too.
  int pages = 0;
  std::vector<StageChange> history = History(o.id(), 3, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(history.size(), 8u);
  for (size_t i = 0; i < history.size(); ++i) {
    const StageChange& c = history[i];
    EXPECT_EQ(c.from_stage_name(), expected[i].from) << i;
    EXPECT_EQ(c.to_stage_name(), expected[i].to) << i;
    EXPECT_EQ(c.from_stage_id(), i == 0 ? "" : S(expected[i].from).id()) << i;
    EXPECT_EQ(c.to_stage_id(), S(expected[i].to).id()) << i;
    EXPECT_EQ(c.changed_by(), expected[i].by) << i;
    EXPECT_EQ(TimestampToTime(c.change_time()), t0 + absl::Hours(expected[i].hours)) << i;
    EXPECT_EQ(c.pipeline_id(), b2b_.id());
    EXPECT_EQ(c.opportunity_id(), o.id());
    if (i > 0) {
      EXPECT_GT(c.sequence(), history[i - 1].sequence());
    }
  }

  EXPECT_EQ(Events("opportunity.stage_changed").size(), 4u);
  EXPECT_EQ(Events("opportunity.lost").size(), 1u);
  EXPECT_EQ(Events("opportunity.reopened").size(), 1u);
  std::vector<crm::v1::Event> won = Events("opportunity.won");
  ASSERT_EQ(won.size(), 1u);
  EXPECT_EQ(won[0].actor(), "erin");
  EXPECT_EQ(won[0].user(), "alice");
}

TEST_P(OpportunityTest, MoveRefusesIllegalTargetsAndWritesNothing) {
  Pipeline other = MustCreatePipeline("Other");
  Opportunity o = MustCreate(MakeOpportunity());
  Opportunity out;
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), other.stages(0).id(), &out), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"))
      << "stage of another pipeline";
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), "stg_01ARZ3NDEKTSV4RRFFQ69G5FAV", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "stage_id"));
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), S("Won").id(), &out), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), S("Lost").id(), &out), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  EXPECT_TRUE(
      HasCodeAndField(Move(o.id(), S("Prospecting").id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "stage_id"))
      << "already there";
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), S("Proposal").id(), &out, "alice", 101), grpc::StatusCode::INVALID_ARGUMENT,
                              "probability"));
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), "", &out), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  EXPECT_TRUE(
      HasCodeAndField(Move(kUnknownOpportunityId, S("Proposal").id(), &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), S("Proposal").id(), &out, "alice", std::nullopt, "\"r5\""),
                              grpc::StatusCode::ABORTED));
  EXPECT_EQ(History(o.id()).size(), 1u);
  EXPECT_EQ(MustGet(o.id()).SerializeAsString(), o.SerializeAsString());

  // A probability of 0 on a move is an explicit override.
  ASSERT_GRPC_OK(Move(o.id(), S("Proposal").id(), &out, "alice", 0, o.etag()));
  EXPECT_EQ(out.probability(), 0);

  // Closed: no moves until reopened.
  ASSERT_GRPC_OK(Close(o.id(), true, "", &out));
  EXPECT_TRUE(HasCodeAndField(Move(o.id(), S("Negotiation").id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(History(o.id()).size(), 3u);
  EXPECT_TRUE(Events("opportunity.stage_changed").size() == 1u);
}

TEST_P(OpportunityTest, CloseAndReopenRules) {
  Pipeline two_lost = MustCreatePipeline("Two lost", 2);
  Opportunity o = MakeOpportunity();
  o.set_pipeline_id(two_lost.id());
  Opportunity created = MustCreate(o);
  Opportunity out;
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), false, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "lost_reason"));
  EXPECT_TRUE(
      HasCodeAndField(Close(created.id(), true, "why", &out), grpc::StatusCode::INVALID_ARGUMENT, "lost_reason"));
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), true, "", &out, "alice", two_lost.stages(3).id()),
                              grpc::StatusCode::INVALID_ARGUMENT, "lost_stage_id"));
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), false, "Gone", &out, "alice", two_lost.stages(1).id()),
                              grpc::StatusCode::INVALID_ARGUMENT, "lost_stage_id"))
      << "an open stage";
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), false, "Gone", &out, "alice", S("Lost").id()),
                              grpc::StatusCode::INVALID_ARGUMENT, "lost_stage_id"))
      << "a lost stage of another pipeline";
  EXPECT_TRUE(HasCodeAndField(Close(kUnknownOpportunityId, true, "", &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Reopen(created.id(), "", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"))
      << "open already";
  EXPECT_EQ(History(created.id()).size(), 1u);

  // Lost into the second lost stage.
  ASSERT_GRPC_OK(Close(created.id(), false, "Went with a competitor", &out, "alice", two_lost.stages(4).id()));
  EXPECT_EQ(out.stage_id(), two_lost.stages(4).id());
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), true, "", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(Close(created.id(), false, "again", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));

  // Reopen into a named stage; not into won/lost or foreign stages.
  EXPECT_TRUE(HasCodeAndField(Reopen(created.id(), two_lost.stages(2).id(), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "stage_id"));
  EXPECT_TRUE(
      HasCodeAndField(Reopen(created.id(), S("Proposal").id(), &out), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  ASSERT_GRPC_OK(Reopen(created.id(), two_lost.stages(1).id(), &out));
  EXPECT_EQ(out.stage_id(), two_lost.stages(1).id());
  EXPECT_EQ(out.probability(), 70);
  std::vector<StageChange> history = History(created.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].to_stage_name(), "Lost 1");
  EXPECT_EQ(history[2].from_stage_name(), "Lost 1");
  EXPECT_EQ(history[2].to_stage_name(), "Second");
}

TEST_P(OpportunityTest, ReopenRefusesARetiredPreviousStage) {
  Opportunity o = MustCreate(MakeOpportunity());
  Opportunity out;
  ASSERT_GRPC_OK(Move(o.id(), S("Proposal").id(), &out));
  ASSERT_GRPC_OK(Close(o.id(), false, "No budget", &out));
  // Retire "Proposal".
  crm::v1::UpdatePipelineRequest update;
  *update.mutable_pipeline() = b2b_;
  update.mutable_pipeline()->clear_etag();
  for (int i = 0; i < update.pipeline().stages_size(); ++i) {
    if (update.pipeline().stages(i).name() == "Proposal")
      update.mutable_pipeline()->mutable_stages()->DeleteSubrange(i, 1);
  }
  update.mutable_update_mask()->add_paths("stages");
  Pipeline updated;
  ASSERT_GRPC_OK(pipelines_->UpdatePipeline(CallAs().get(), update, &updated));
  EXPECT_TRUE(HasCodeAndField(Reopen(o.id(), "", &out), grpc::StatusCode::FAILED_PRECONDITION, "stage_id"));
  ASSERT_GRPC_OK(Reopen(o.id(), S("Negotiation").id(), &out));
  EXPECT_EQ(out.stage_id(), S("Negotiation").id());
}

TEST_P(OpportunityTest, ListStageChangesOfUnknownOpportunity) {
  crm::v1::ListStageChangesRequest request;
  request.set_opportunity_id(kUnknownOpportunityId);
  crm::v1::ListStageChangesResponse response;
  EXPECT_TRUE(HasCodeAndField(pipelines_->ListStageChanges(CallAs().get(), request, &response),
                              grpc::StatusCode::NOT_FOUND, "opportunity_id"));
  request.clear_opportunity_id();
  EXPECT_TRUE(HasCodeAndField(pipelines_->ListStageChanges(CallAs().get(), request, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "opportunity_id"));
  Opportunity o = MustCreate(MakeOpportunity());
  request.set_opportunity_id(o.id());
  request.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(pipelines_->ListStageChanges(CallAs().get(), request, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

// ---------------------------------------------------------------------------------------------
// Large-deal alert

TEST_P(OpportunityTest, LargeDealAlertOnCreateMoveAndRaise) {
  ASSERT_GRPC_OK(SetSettings("EUR", {{"USD", "0.9"}}, 100000));
  // 120,000 USD = 108,000 EUR: at or above 100,000 EUR.
  Opportunity usd = MakeOpportunity("US deal");
  *usd.mutable_amount() = Money("USD", 120000);
  usd.set_owner("olga");
  Opportunity large = MustCreate(usd);
  std::vector<crm::v1::Event> alerts = Events("opportunity.large_deal");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].entity_id(), large.id());
  EXPECT_EQ(alerts[0].user(), "olga");
  EXPECT_EQ(alerts[0].change(), crm::v1::CHANGE_KIND_NOTICE);
  std::map<std::string, std::string> fields;
  for (const auto& c : alerts[0].changes()) fields[c.field()] = c.after();
  EXPECT_EQ(fields["amount"], "\"120000 USD\"");
  EXPECT_EQ(fields["base_amount"], "\"108000 EUR\"");
  EXPECT_EQ(fields["large_deal_threshold"], "\"100000 EUR\"");
  EXPECT_EQ(fields["trigger"], "\"created\"");

  // Just below: 111,111.11 USD × 0.9 = 99,999.999 EUR.
  Opportunity below = MakeOpportunity("Almost");
  *below.mutable_amount() = Money("USD", 111111, 110000000);
  Opportunity small = MustCreate(below);
  EXPECT_EQ(Events("opportunity.large_deal").size(), 1u);

  // Moving the large one alerts again; moving the small one does not.
  Opportunity out;
  ASSERT_GRPC_OK(Move(large.id(), S("Proposal").id(), &out));
  ASSERT_GRPC_OK(Move(small.id(), S("Proposal").id(), &out));
  alerts = Events("opportunity.large_deal");
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1].entity_id(), large.id());

  // Raised to exactly the threshold (in the base currency) by an update.
  Opportunity patch;
  patch.set_id(small.id());
  *patch.mutable_amount() = Money("EUR", 100000);
  ASSERT_GRPC_OK(Update(patch, {"amount"}, &out));
  alerts = Events("opportunity.large_deal");
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[2].entity_id(), small.id());
  fields.clear();
  for (const auto& c : alerts[2].changes()) fields[c.field()] = c.after();
  EXPECT_EQ(fields["trigger"], "\"amount_raised\"");
  // Raised further while already large: no new alert; other fields: none either.
  *patch.mutable_amount() = Money("EUR", 150000);
  ASSERT_GRPC_OK(Update(patch, {"amount"}, &out));
  patch.set_name("Renamed");
  ASSERT_GRPC_OK(Update(patch, {"name"}, &out));
  EXPECT_EQ(Events("opportunity.large_deal").size(), 3u);
  // Closing is not a move: no alert.
  ASSERT_GRPC_OK(Close(large.id(), true, "", &out));
  EXPECT_EQ(Events("opportunity.large_deal").size(), 3u);
}

TEST_P(OpportunityTest, WithAThresholdAnAmountWithoutRateIsRefused) {
  // No threshold: any well-formed currency is accepted (nothing needs converting).
  Opportunity yen = MakeOpportunity("Tokyo");
  *yen.mutable_amount() = Money("JPY", 5000000);
  MustCreate(yen);

  ASSERT_GRPC_OK(SetSettings("EUR", {{"JPY", "0.0061"}}, 100000));
  Opportunity pounds = MakeOpportunity("London");
  *pounds.mutable_amount() = Money("GBP", 10);
  Opportunity out;
  EXPECT_TRUE(
      HasCodeAndField(Create(pounds, &out), grpc::StatusCode::FAILED_PRECONDITION, "opportunity.amount.currency_code"));
  Opportunity created = MustCreate(MakeOpportunity("Berlin"));
  Opportunity patch;
  patch.set_id(created.id());
  *patch.mutable_amount() = Money("GBP", 10);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"amount"}, &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "opportunity.amount.currency_code"));
  EXPECT_EQ(MustGet(created.id()).amount().currency_code(), "EUR");
  EXPECT_EQ(ListAll(crm::v1::ListOpportunitiesRequest()).size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// List

TEST_P(OpportunityTest, ListFiltersAndPages) {
  Pipeline other = MustCreatePipeline("Other");
  const std::string second_account = MustCreateAccount("Globex");
  std::vector<Opportunity> made;
  for (int i = 0; i < 5; ++i) {
    Opportunity o = MakeOpportunity("Deal " + std::to_string(i));
    o.set_owner(i % 2 == 0 ? "alice" : "bob");
    *o.mutable_expected_close_date() = Date(2026, 2 + i, 15);
    made.push_back(MustCreate(o));
  }
  Opportunity elsewhere = MakeOpportunity("Elsewhere");
  elsewhere.set_account_id(second_account);
  elsewhere.set_pipeline_id(other.id());
  elsewhere.clear_expected_close_date();
  made.push_back(MustCreate(elsewhere));
  Opportunity out;
  ASSERT_GRPC_OK(Move(made[1].id(), S("Proposal").id(), &out));
  ASSERT_GRPC_OK(Close(made[2].id(), true, "", &out));

  const auto ids = [](const std::vector<Opportunity>& list) {
    std::vector<std::string> v;
    for (const Opportunity& o : list) v.push_back(o.id());
    return v;
  };
  crm::v1::ListOpportunitiesRequest all;
  std::vector<Opportunity> everything = ListAll(all, 2);
  ASSERT_EQ(everything.size(), 6u);
  for (size_t i = 0; i < everything.size(); ++i) EXPECT_EQ(everything[i].id(), made[i].id());

  crm::v1::ListOpportunitiesRequest by_account;
  by_account.set_account_id(second_account);
  EXPECT_EQ(ids(ListAll(by_account)), std::vector<std::string>{made[5].id()});
  crm::v1::ListOpportunitiesRequest by_pipeline;
  by_pipeline.set_pipeline_id(b2b_.id());
  EXPECT_EQ(ListAll(by_pipeline, 2).size(), 5u);
  crm::v1::ListOpportunitiesRequest by_stage;
  by_stage.set_stage_id(S("Proposal").id());
  EXPECT_EQ(ids(ListAll(by_stage)), std::vector<std::string>{made[1].id()});
  crm::v1::ListOpportunitiesRequest by_status;
  by_status.set_status(crm::v1::OPPORTUNITY_STATUS_WON);
  EXPECT_EQ(ids(ListAll(by_status)), std::vector<std::string>{made[2].id()});
  crm::v1::ListOpportunitiesRequest open_of_bob;
  open_of_bob.set_status(crm::v1::OPPORTUNITY_STATUS_OPEN);
  open_of_bob.set_owner("bob");
  EXPECT_EQ(ids(ListAll(open_of_bob)), (std::vector<std::string>{made[1].id(), made[3].id()}));
  crm::v1::ListOpportunitiesRequest by_close;
  *by_close.mutable_close_from() = Date(2026, 3, 15);  // inclusive
  *by_close.mutable_close_to() = Date(2026, 5, 15);    // inclusive
  EXPECT_EQ(ids(ListAll(by_close, 1)), (std::vector<std::string>{made[1].id(), made[2].id(), made[3].id()}));
  crm::v1::ListOpportunitiesRequest from_only;
  *from_only.mutable_close_from() = Date(2026, 6, 1);
  EXPECT_EQ(ids(ListAll(from_only)), std::vector<std::string>{made[4].id()});
}

TEST_P(OpportunityTest, ListRejectsUnknownOrBadFilters) {
  Pipeline other = MustCreatePipeline("Other");
  crm::v1::ListOpportunitiesResponse response;
  const auto list = [&](const crm::v1::ListOpportunitiesRequest& r) {
    return pipelines_->ListOpportunities(CallAs().get(), r, &response);
  };
  crm::v1::ListOpportunitiesRequest r;
  r.set_account_id(kUnknownAccountId);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::NOT_FOUND, "account_id"));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_pipeline_id(kUnknownPipelineId);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::NOT_FOUND, "pipeline_id"));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_stage_id("stg_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::NOT_FOUND, "stage_id"));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_pipeline_id(b2b_.id());
  r.set_stage_id(other.stages(0).id());
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_status(static_cast<crm::v1::OpportunityStatus>(42));
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "status"));
  r = crm::v1::ListOpportunitiesRequest();
  *r.mutable_close_from() = Date(2026, 13, 1);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "close_from"));
  r = crm::v1::ListOpportunitiesRequest();
  *r.mutable_close_from() = Date(2026, 5, 1);
  *r.mutable_close_to() = Date(2026, 4, 30);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "close_to"));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_page_size(-2);
  EXPECT_TRUE(HasCodeAndField(list(r), grpc::StatusCode::INVALID_ARGUMENT, "page_size"));

  // A token only continues the query it was issued for.
  for (int i = 0; i < 3; ++i) MustCreate(MakeOpportunity("Deal " + std::to_string(i)));
  r = crm::v1::ListOpportunitiesRequest();
  r.set_page_size(1);
  ASSERT_GRPC_OK(list(r));
  ASSERT_FALSE(response.next_page_token().empty());
  crm::v1::ListOpportunitiesRequest other_filter;
  other_filter.set_owner("bob");
  other_filter.set_page_size(1);
  other_filter.set_page_token(response.next_page_token());
  EXPECT_TRUE(HasCodeAndField(list(other_filter), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

// ---------------------------------------------------------------------------------------------
// CreateOpportunityInTx: the create ConvertLead runs inside its own transaction

TEST_P(OpportunityTest, CreateInTxUsesTheCallersTransactionAndFieldPrefix) {
  server::Runtime& rt = server_->runtime();
  server::CallContext call;
  call.actor = "converter";
  call.correlation_id = "corr-1";

  Opportunity o;
  o.set_account_id(account_);
  o.set_name("From lead");
  o.set_lead_id("led_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  o.set_source_channel(crm::v1::LEAD_CHANNEL_WEB);
  Opportunity created;
  ASSERT_TRUE(rt.db
                  ->Write([&](db::Tx& tx) -> absl::Status {
                    absl::StatusOr<Opportunity> made = pipeline::CreateOpportunityInTx(rt, tx, call, o, "opportunity");
                    if (!made.ok()) return made.status();
                    created = *made;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(created.lead_id(), "led_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(created.owner(), "converter");
  EXPECT_EQ(created.stage_id(), S("Prospecting").id());
  EXPECT_EQ(MustGet(created.id()).SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(History(created.id()).size(), 1u);
  EXPECT_EQ(Events("opportunity.created")[0].request_id(), "corr-1");

  // Errors name fields under the caller's prefix.
  o.set_probability(200);
  absl::Status bad = rt.db->Write([&](db::Tx& tx) -> absl::Status {
    return pipeline::CreateOpportunityInTx(rt, tx, call, o, "opportunity").status();
  });
  EXPECT_TRUE(HasCodeAndField(bad, absl::StatusCode::kInvalidArgument, "opportunity.probability"));
  o.set_probability(0);
  o.set_account_id(kUnknownAccountId);
  absl::Status missing = rt.db->Write([&](db::Tx& tx) -> absl::Status {
    return pipeline::CreateOpportunityInTx(rt, tx, call, o, "convert.opportunity").status();
  });
  EXPECT_TRUE(HasCodeAndField(missing, absl::StatusCode::kNotFound, "convert.opportunity.account_id"));

  // When the caller's transaction fails later, nothing of the opportunity remains.
  o.set_account_id(account_);
  std::string rolled_back_id;
  absl::Status aborted = rt.db->Write([&](db::Tx& tx) -> absl::Status {
    absl::StatusOr<Opportunity> made = pipeline::CreateOpportunityInTx(rt, tx, call, o);
    if (!made.ok()) return made.status();
    rolled_back_id = made->id();
    return absl::FailedPreconditionError("the lead was converted meanwhile");
  });
  EXPECT_TRUE(absl::IsFailedPrecondition(aborted));
  ASSERT_FALSE(rolled_back_id.empty());
  crm::v1::GetOpportunityRequest get;
  get.set_id(rolled_back_id);
  Opportunity none;
  EXPECT_TRUE(
      HasCodeAndField(pipelines_->GetOpportunity(CallAs().get(), get, &none), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_EQ(ListAll(crm::v1::ListOpportunitiesRequest()).size(), 1u);
  EXPECT_EQ(Events("opportunity.created").size(), 1u);

  // FindOpportunity reads what was stored.
  absl::StatusOr<std::optional<Opportunity>> found;
  ASSERT_TRUE(rt.db
                  ->Read([&](soci::session& sql) -> absl::Status {
                    found = pipeline::FindOpportunity(sql, created.id());
                    return found.status();
                  })
                  .ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->SerializeAsString(), created.SerializeAsString());
}

INSTANTIATE_TEST_SUITE_P(Backends, OpportunityTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
