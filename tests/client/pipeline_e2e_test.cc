// PipelineClient and crmctl's pipeline nouns against a real in-process server, on every backend:
// an opportunity created, moved and closed through the client with its history, ListAll over
// pages, the funnel, leads converted, errors with their codes and fields; crmctl's output and
// exit codes (0 ok, 1 the call failed, 2 usage).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using ::testing::HasSubstr;
using testing::HasCodeAndField;

constexpr char kUnknownOpportunityId[] = "opp_01ARZ3NDEKTSV4RRFFQ69G5FAV";

v1::Money Euros(int64_t units) {
  v1::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

class PipelineEndToEndTest : public ClientEndToEndTest {
 protected:
  void SetUp() override {
    ClientEndToEndTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const absl::StatusOr<v1::Pipeline>& pipeline :
         gateway_->pipeline().ListAllPipelines(v1::ListPipelinesRequest())) {
      ASSERT_TRUE(pipeline.ok()) << pipeline.status();
      if (pipeline->is_default()) b2b_ = *pipeline;
    }
    ASSERT_FALSE(b2b_.id().empty()) << "no default pipeline";
    account_ = MustCreate("Pipeline Co").id();
  }

  std::string StageId(const std::string& name) const {
    for (const v1::Stage& stage : b2b_.stages()) {
      if (stage.name() == name) return stage.id();
    }
    ADD_FAILURE() << "no stage " << name;
    return "";
  }

  v1::Opportunity MustCreateOpportunity(const std::string& name) {
    v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_account_id(account_);
    request.mutable_opportunity()->set_name(name);
    *request.mutable_opportunity()->mutable_amount() = Euros(12000);
    absl::StatusOr<v1::Opportunity> created = gateway_->pipeline().CreateOpportunity(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Opportunity());
  }

  v1::Pipeline b2b_;
  std::string account_;
};

TEST_P(PipelineEndToEndTest, OpportunityCreatedMovedAndClosedThroughTheClient) {
  client::PipelineClient pipeline = gateway_->pipeline();
  v1::Opportunity created = MustCreateOpportunity("Big deal");
  EXPECT_EQ(created.pipeline_id(), b2b_.id());
  EXPECT_EQ(created.stage_id(), StageId("Prospecting"));
  EXPECT_EQ(created.owner(), "carol");  // the caller named in metadata

  v1::MoveOpportunityRequest move;
  move.set_id(created.id());
  move.set_stage_id(StageId("Proposal"));
  move.set_etag(created.etag());
  absl::StatusOr<v1::Opportunity> moved = pipeline.MoveOpportunity(move);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->stage_id(), StageId("Proposal"));
  EXPECT_EQ(moved->probability(), 60);
  // The same move again carries a stale etag now.
  EXPECT_EQ(pipeline.MoveOpportunity(move).status().code(), absl::StatusCode::kAborted);

  v1::CloseOpportunityRequest close;
  close.set_id(created.id());
  close.set_won(true);
  absl::StatusOr<v1::Opportunity> won = pipeline.CloseOpportunity(close);
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_EQ(won->status(), v1::OPPORTUNITY_STATUS_WON);

  v1::ListStageChangesRequest history;
  history.set_opportunity_id(created.id());
  history.set_page_size(1);  // one change per page: ListAll must follow the tokens
  std::vector<std::string> path;
  for (const absl::StatusOr<v1::StageChange>& change : pipeline.ListAllStageChanges(history)) {
    ASSERT_TRUE(change.ok()) << change.status();
    path.push_back(change->from_stage_name() + ">" + change->to_stage_name());
    EXPECT_EQ(change->changed_by(), "carol");
  }
  EXPECT_EQ(path, (std::vector<std::string>{">Prospecting", "Prospecting>Proposal", "Proposal>Won"}));

  v1::GetFunnelRequest funnel_request;
  funnel_request.mutable_filter()->set_pipeline_id(b2b_.id());
  absl::StatusOr<v1::Funnel> funnel = pipeline.GetFunnel(funnel_request);
  ASSERT_TRUE(funnel.ok()) << funnel.status();
  EXPECT_EQ(funnel->pipeline_id(), b2b_.id());
  EXPECT_EQ(funnel->won(), 1);
  EXPECT_EQ(funnel->lost(), 0);
  ASSERT_FALSE(funnel->stages().empty());
  EXPECT_EQ(funnel->stages(0).stage_name(), "Prospecting");
  EXPECT_EQ(funnel->stages(0).entered(), 1);
}

TEST_P(PipelineEndToEndTest, CreatesCarryARequestIdSoARepeatWritesOnce) {
  v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_account_id(account_);
  request.mutable_opportunity()->set_name("Once");
  *request.mutable_opportunity()->mutable_amount() = Euros(500);
  request.set_request_id("opp-once-1");
  absl::StatusOr<v1::Opportunity> first = gateway_->pipeline().CreateOpportunity(request);
  absl::StatusOr<v1::Opportunity> again = gateway_->pipeline().CreateOpportunity(request);
  ASSERT_TRUE(first.ok() && again.ok()) << first.status() << again.status();
  EXPECT_EQ(first->id(), again->id());

  MustCreateOpportunity("Without an id of its own");
  v1::ListEventsRequest events;
  events.add_types("opportunity.created");
  absl::StatusOr<v1::ListEventsResponse> created = gateway_->events().ListEvents(events);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_EQ(created->events_size(), 2);
  EXPECT_EQ(created->events(0).request_id(), "opp-once-1");
  EXPECT_FALSE(created->events(1).request_id().empty());  // filled in by the client
}

TEST_P(PipelineEndToEndTest, ListAllOpportunitiesFollowsEveryPage) {
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) created.insert(MustCreateOpportunity("Paged " + std::to_string(i)).id());
  v1::ListOpportunitiesRequest request;
  request.set_account_id(account_);
  request.set_page_size(3);
  std::set<std::string> seen;
  int count = 0;
  for (const absl::StatusOr<v1::Opportunity>& o : gateway_->pipeline().ListAllOpportunities(request)) {
    ASSERT_TRUE(o.ok()) << o.status();
    seen.insert(o->id());
    ++count;
  }
  EXPECT_EQ(count, 7);
  EXPECT_EQ(seen, created);
}

TEST_P(PipelineEndToEndTest, LeadQualifiedAndConvertedOnceThroughTheClient) {
  client::PipelineClient pipeline = gateway_->pipeline();
  v1::CreateLeadRequest create;
  create.mutable_lead()->set_full_name("Lena Lead");
  create.mutable_lead()->set_company_name("Lead Works");
  create.mutable_lead()->mutable_source()->set_channel(v1::LEAD_CHANNEL_WEB);
  absl::StatusOr<v1::Lead> lead = pipeline.CreateLead(create);
  ASSERT_TRUE(lead.ok()) << lead.status();

  v1::QualifyLeadRequest qualify;
  qualify.set_id(lead->id());
  ASSERT_TRUE(pipeline.QualifyLead(qualify).ok());

  v1::ConvertLeadRequest convert;
  convert.set_id(lead->id());
  convert.set_create_opportunity(true);
  *convert.mutable_opportunity()->mutable_amount() = Euros(4000);
  convert.set_request_id("convert-1");
  absl::StatusOr<v1::ConvertLeadResponse> converted = pipeline.ConvertLead(convert);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_FALSE(converted->account_id().empty());
  EXPECT_FALSE(converted->contact_id().empty());
  EXPECT_FALSE(converted->opportunity_id().empty());
  // A retry with the same request id gets the first conversion back ...
  absl::StatusOr<v1::ConvertLeadResponse> replayed = pipeline.ConvertLead(convert);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->opportunity_id(), converted->opportunity_id());
  // ... while converting again for real fails cleanly.
  convert.clear_request_id();
  EXPECT_EQ(pipeline.ConvertLead(convert).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(PipelineEndToEndTest, ErrorsKeepTheirCodeAndFields) {
  client::PipelineClient pipeline = gateway_->pipeline();
  v1::GetOpportunityRequest get;
  get.set_id(kUnknownOpportunityId);
  EXPECT_TRUE(HasCodeAndField(pipeline.GetOpportunity(get).status(), absl::StatusCode::kNotFound, "id"));

  v1::CloseOpportunityRequest lost;
  lost.set_id(MustCreateOpportunity("Lost one").id());
  lost.set_won(false);
  EXPECT_TRUE(HasCodeAndField(pipeline.CloseOpportunity(lost).status(),
                              absl::StatusCode::kInvalidArgument, "lost_reason"));
}

// GetForecast is still being written: it may answer, or be UNIMPLEMENTED; its figures are not
// this test's business.
TEST_P(PipelineEndToEndTest, ForecastAnswersOrIsNotImplementedYet) {
  v1::GetForecastRequest request;
  request.set_granularity("quarter");
  absl::StatusOr<v1::Forecast> forecast = gateway_->pipeline().GetForecast(request);
  EXPECT_TRUE(forecast.ok() || forecast.status().code() == absl::StatusCode::kUnimplemented)
      << forecast.status();
}

TEST_P(PipelineEndToEndTest, CrmctlWorksAnOpportunityThroughItsStages) {
  std::string out, err;
  ASSERT_EQ(Crmctl({"pipelines", "list"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(b2b_.id()));
  EXPECT_THAT(out, HasSubstr("Prospecting, Qualification, Needs analysis, Proposal"));
  ASSERT_EQ(Crmctl({"pipelines", "get", b2b_.id()}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr(StageId("Negotiation")));
  EXPECT_THAT(out, HasSubstr("PROBABILITY"));

  nlohmann::json created =
      CrmctlJson({"opportunities", "create", "account=" + account_, "name=Ctl deal",
                  "amount=1200.50 EUR", "expected_close_date=2026-06-30"});
  const std::string id = created.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created.value("stage_id", ""), StageId("Prospecting"));
  EXPECT_EQ(created.value("owner", ""), "dave");

  // Stages by name (any case) or by id.
  nlohmann::json moved = CrmctlJson({"opportunities", "move", id, "stage=needs analysis"});
  EXPECT_EQ(moved.value("stage_id", ""), StageId("Needs analysis"));
  moved = CrmctlJson({"opportunities", "move", id, "stage=" + StageId("Proposal"), "probability=55"});
  EXPECT_EQ(moved.value("stage_id", ""), StageId("Proposal"));
  EXPECT_EQ(moved.value("probability", 0), 55);

  ASSERT_EQ(Crmctl({"opportunities", "update", id, "name=Ctl deal XL", "amount=2400 EUR"}, &out, &err), 0)
      << err;
  EXPECT_THAT(out, HasSubstr("Ctl deal XL"));

  nlohmann::json lost = CrmctlJson({"opportunities", "close", id, "lost_reason=budget cut"});
  EXPECT_EQ(lost.value("status", ""), "OPPORTUNITY_STATUS_LOST");
  nlohmann::json reopened = CrmctlJson({"opportunities", "reopen", id, "stage=Negotiation"});
  EXPECT_EQ(reopened.value("stage_id", ""), StageId("Negotiation"));
  nlohmann::json won = CrmctlJson({"opportunities", "close", id, "--won"});
  EXPECT_EQ(won.value("status", ""), "OPPORTUNITY_STATUS_WON");

  ASSERT_EQ(Crmctl({"opportunities", "history", id}, &out, &err), 0) << err;
  for (const char* stage : {"Prospecting", "Needs analysis", "Proposal", "Lost", "Negotiation", "Won"}) {
    EXPECT_THAT(out, HasSubstr(stage));
  }
  EXPECT_THAT(out, HasSubstr("dave"));

  ASSERT_EQ(Crmctl({"opportunities", "list", "account=" + account_, "status=won", "--all"}, &out, &err), 0)
      << err;
  EXPECT_THAT(out, HasSubstr(id));
  EXPECT_THAT(out, HasSubstr("Won"));  // the stage by name, not by id
  EXPECT_THAT(out, HasSubstr("2400.00 EUR"));
  ASSERT_EQ(Crmctl({"opportunities", "list", "account=" + account_, "status=open"}, &out, &err), 0) << err;
  EXPECT_THAT(out, ::testing::Not(HasSubstr(id)));

  ASSERT_EQ(Crmctl({"funnel", "get", "pipeline=" + b2b_.id(), "period_start=2020-01-01"}, &out, &err), 0)
      << err;
  EXPECT_THAT(out, HasSubstr("ENTERED"));
  EXPECT_THAT(out, HasSubstr("Needs analysis"));
  nlohmann::json funnel = CrmctlJson({"funnel", "get", "pipeline=" + b2b_.id()});
  EXPECT_EQ(funnel.value("won", ""), "1");  // int64 in protobuf JSON is a string
}

TEST_P(PipelineEndToEndTest, CrmctlLeadsFromCreateToConversion) {
  std::string out, err;
  nlohmann::json lead = CrmctlJson({"leads", "create", "full_name=Lee Ctl", "company_name=Ctl Leads",
                                    "email=lee@example.com", "channel=web", "score=70"});
  const std::string id = lead.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(lead["source"].value("channel", ""), "LEAD_CHANNEL_WEB");

  ASSERT_EQ(Crmctl({"leads", "qualify", id}, &out, &err), 0) << err;
  ASSERT_EQ(Crmctl({"leads", "list", "status=qualified", "channel=web"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("Lee Ctl"));
  EXPECT_THAT(out, HasSubstr("web"));
  ASSERT_EQ(Crmctl({"leads", "get", id}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("lee@example.com"));

  nlohmann::json converted = CrmctlJson({"leads", "convert", id, "--create_opportunity",
                                         "opportunity.amount=5000 EUR"});
  EXPECT_FALSE(converted.value("account_id", "").empty());
  EXPECT_FALSE(converted.value("opportunity_id", "").empty());

  // A converted lead is final: the server says so, crmctl exits 1.
  EXPECT_EQ(Crmctl({"leads", "disqualify", id, "reason=duplicate"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("FAILED_PRECONDITION"));

  nlohmann::json other = CrmctlJson({"leads", "create", "full_name=Not Now"});
  ASSERT_EQ(Crmctl({"leads", "disqualify", other.value("id", ""), "reason=no budget"}, &out, &err), 0)
      << err;
  EXPECT_THAT(out, HasSubstr("disqualified"));
}

TEST_P(PipelineEndToEndTest, CrmctlForecastParsesItsArguments) {
  std::string out, err;
  // The figures may not exist yet (UNIMPLEMENTED, exit 1); the arguments must be understood.
  const int code = Crmctl({"forecast", "get", "granularity=quarter", "period_start=2026-01-01",
                           "period_end=2026-12-31", "owner=dave", "source_channel=web"},
                          &out, &err);
  EXPECT_TRUE(code == 0 || (code == 1 && err.find("UNIMPLEMENTED") != std::string::npos))
      << code << ": " << err;

  EXPECT_EQ(Crmctl({"forecast", "get", "period_start=someday"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("period_start"));
  EXPECT_THAT(err, HasSubstr("usage: crmctl forecast get"));
  EXPECT_EQ(Crmctl({"forecast", "get", "horizon=12"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("unknown argument 'horizon'"));
  EXPECT_EQ(Crmctl({"forecast", "get", "2026"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"forecast", "get", "source_channel=carrier-pigeon"}, &out, &err), 2);
}

TEST_P(PipelineEndToEndTest, CrmctlPipelineErrorsAndUsage) {
  std::string out, err;
  EXPECT_EQ(Crmctl({"opportunities", "get", kUnknownOpportunityId}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Crmctl({"opportunities", "move", kUnknownOpportunityId, "stage=Proposal"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Crmctl({"opportunities", "create", "name=No account", "amount=1 EUR"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(err, HasSubstr("opportunity.account_id"));

  EXPECT_EQ(Crmctl({"opportunities", "move"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("missing <id>"));
  EXPECT_THAT(err, HasSubstr("usage: crmctl opportunities move <id> stage="));
  EXPECT_EQ(Crmctl({"opportunities", "history", "a", "b"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"opportunities", "create", "amount=lots"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"opportunities", "list", "colour=red"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"leads", "create", "channel=telepathy"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"funnel", "get", "period_end=31.12.2026"}, &out, &err), 2);
  EXPECT_EQ(Crmctl({"opportunities", "frobnicate"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("crmctl opportunities history"));  // the noun's commands
  EXPECT_EQ(Crmctl({"funnel"}, &out, &err), 2);

  ASSERT_EQ(Crmctl({"help"}, &out, &err), 0);
  for (const char* command : {"pipelines list", "opportunities close", "leads convert", "funnel get",
                              "forecast get"}) {
    EXPECT_THAT(out, HasSubstr(command));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PipelineEndToEndTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
