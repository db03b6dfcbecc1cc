// PipelineService pipelines, stages and sales settings, through a real in-process server and
// stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Pipeline;
using crm::v1::SalesSettings;
using crm::v1::Stage;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownPipelineId[] = "pip_01ARZ3NDEKTSV4RRFFQ69G5FAV";

Stage MakeStage(const std::string& name, int probability, crm::v1::StageKind kind, int expected_days = 0) {
  Stage s;
  s.set_name(name);
  s.set_probability(probability);
  s.set_kind(kind);
  s.set_expected_days(expected_days);
  return s;
}

// A small valid pipeline: two open stages, won, lost.
Pipeline MakePipeline(const std::string& name) {
  Pipeline p;
  p.set_name(name);
  *p.add_stages() = MakeStage("Lead in", 15, crm::v1::STAGE_KIND_OPEN, 7);
  *p.add_stages() = MakeStage("Offer", 50, crm::v1::STAGE_KIND_OPEN, 14);
  *p.add_stages() = MakeStage("Signed", 100, crm::v1::STAGE_KIND_WON);
  *p.add_stages() = MakeStage("Dropped", 0, crm::v1::STAGE_KIND_LOST);
  return p;
}

crm::v1::Money Money(const std::string& currency, int64_t units, int32_t nanos = 0) {
  crm::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

std::vector<std::string> StageNames(const Pipeline& p) {
  std::vector<std::string> names;
  for (const Stage& s : p.stages()) names.push_back(s.name());
  return names;
}

class PipelinesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    pipelines_ = crm::v1::PipelineService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  grpc::Status Create(const Pipeline& pipeline, Pipeline* out, const std::string& request_id = "") {
    crm::v1::CreatePipelineRequest request;
    *request.mutable_pipeline() = pipeline;
    request.set_request_id(request_id);
    return pipelines_->CreatePipeline(CallAs().get(), request, out);
  }

  Pipeline MustCreate(const Pipeline& pipeline) {
    Pipeline out;
    grpc::Status s = Create(pipeline, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, Pipeline* out) {
    crm::v1::GetPipelineRequest request;
    request.set_id(id);
    return pipelines_->GetPipeline(CallAs().get(), request, out);
  }

  Pipeline MustGet(const std::string& id) {
    Pipeline out;
    grpc::Status s = Get(id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Update(const Pipeline& patch, const std::vector<std::string>& paths, Pipeline* out,
                      const std::string& etag = "") {
    crm::v1::UpdatePipelineRequest request;
    *request.mutable_pipeline() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_etag(etag);
    return pipelines_->UpdatePipeline(CallAs().get(), request, out);
  }

  std::vector<Pipeline> ListAll(int page_size, int* pages = nullptr) {
    crm::v1::ListPipelinesRequest request;
    request.set_page_size(page_size);
    std::vector<Pipeline> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 100; ++n) {
      crm::v1::ListPipelinesResponse page;
      grpc::Status s = pipelines_->ListPipelines(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(page.pipelines_size(), page_size);
      for (const Pipeline& p : page.pipelines()) {
        EXPECT_TRUE(seen.insert(p.id()).second) << "repeated " << p.id();
        all.push_back(p);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  Pipeline DefaultPipeline() {
    for (const Pipeline& p : ListAll(1000)) {
      if (p.is_default()) return p;
    }
    ADD_FAILURE() << "no default pipeline";
    return Pipeline();
  }

  SalesSettings GetSettings() {
    SalesSettings out;
    grpc::Status s = pipelines_->GetSalesSettings(CallAs().get(), crm::v1::GetSalesSettingsRequest(), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status UpdateSettings(const SalesSettings& patch, const std::vector<std::string>& paths, SalesSettings* out,
                              const std::string& etag = "") {
    crm::v1::UpdateSalesSettingsRequest request;
    *request.mutable_settings() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_etag(etag);
    return pipelines_->UpdateSalesSettings(CallAs().get(), request, out);
  }

  std::string MustCreateAccount(const std::string& name) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  crm::v1::Opportunity MustCreateOpportunity(const std::string& account_id, const std::string& stage_id,
                                             const crm::v1::Money* amount = nullptr) {
    crm::v1::CreateOpportunityRequest request;
    request.mutable_opportunity()->set_account_id(account_id);
    request.mutable_opportunity()->set_name("Deal");
    request.mutable_opportunity()->set_stage_id(stage_id);
    if (amount != nullptr) *request.mutable_opportunity()->mutable_amount() = *amount;
    crm::v1::Opportunity out;
    grpc::Status s = pipelines_->CreateOpportunity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Move(const std::string& id, const std::string& stage_id, crm::v1::Opportunity* out) {
    crm::v1::MoveOpportunityRequest request;
    request.set_id(id);
    request.set_stage_id(stage_id);
    return pipelines_->MoveOpportunity(CallAs().get(), request, out);
  }

  std::vector<crm::v1::StageChange> History(const std::string& opportunity_id) {
    crm::v1::ListStageChangesRequest request;
    request.set_opportunity_id(opportunity_id);
    crm::v1::ListStageChangesResponse response;
    grpc::Status s = pipelines_->ListStageChanges(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.changes().begin(), response.changes().end()};
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

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

// ---------------------------------------------------------------------------------------------
// The default pipeline

void ExpectDefaultB2bStages(const Pipeline& p) {
  struct Expected {
    const char* name;
    int probability;
    crm::v1::StageKind kind;
  };
  const Expected expected[] = {
      {"Prospecting", 10, crm::v1::STAGE_KIND_OPEN},
      {"Qualification", 20, crm::v1::STAGE_KIND_OPEN},
      {"Needs analysis", 40, crm::v1::STAGE_KIND_OPEN},
      {"Proposal", 60, crm::v1::STAGE_KIND_OPEN},
      {"Negotiation", 80, crm::v1::STAGE_KIND_OPEN},
      {"Won", 100, crm::v1::STAGE_KIND_WON},
      {"Lost", 0, crm::v1::STAGE_KIND_LOST},
  };
  ASSERT_EQ(p.stages_size(), 7);
  std::set<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(p.stages(i).name(), expected[i].name);
    EXPECT_EQ(p.stages(i).probability(), expected[i].probability) << expected[i].name;
    EXPECT_EQ(p.stages(i).kind(), expected[i].kind) << expected[i].name;
    EXPECT_FALSE(p.stages(i).retired());
    EXPECT_EQ(p.stages(i).id().substr(0, 4), "stg_");
    ids.insert(p.stages(i).id());
  }
  EXPECT_EQ(ids.size(), 7u);
}

TEST_P(PipelinesTest, DefaultB2bPipelineExistsAfterTheFirstStart) {
  std::vector<Pipeline> all = ListAll(50);
  ASSERT_EQ(all.size(), 1u);
  const Pipeline& p = all[0];
  EXPECT_TRUE(p.is_default());
  EXPECT_EQ(p.id().substr(0, 4), "pip_");
  EXPECT_FALSE(p.name().empty());
  EXPECT_EQ(p.etag(), "\"r1\"");
  ExpectDefaultB2bStages(p);
  Pipeline fetched = MustGet(p.id());
  EXPECT_EQ(fetched.SerializeAsString(), p.SerializeAsString());
}

TEST_P(PipelinesTest, DefaultPipelineIsSeededOnceWhenTwoServersShareTheDatabase) {
  testing::TestServer second(*database_);
  ASSERT_TRUE(second.ok()) << second.status();
  auto second_stub = crm::v1::PipelineService::NewStub(second.channel());
  crm::v1::ListPipelinesResponse seen_by_second;
  ASSERT_GRPC_OK(second_stub->ListPipelines(CallAs().get(), crm::v1::ListPipelinesRequest(), &seen_by_second));
  ASSERT_EQ(seen_by_second.pipelines_size(), 1);

  // And a third start after both: still the same single default pipeline.
  second.Stop();
  testing::TestServer third(*database_);
  ASSERT_TRUE(third.ok()) << third.status();
  std::vector<Pipeline> all = ListAll(50);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id(), seen_by_second.pipelines(0).id());
  EXPECT_TRUE(all[0].is_default());
  ExpectDefaultB2bStages(all[0]);
}

TEST_P(PipelinesTest, DefaultPipelineIsSeededOnceWhenTwoServersStartTogether) {
  // On SQLite, common/db/migrations.cc checks "already applied?" before it takes the write lock,
  // so two processes migrating the same new file at once can fail with ALREADY_EXISTS (seen in
  // common/1 and accounts/2, before any pipeline migration). MariaDB migrations hold GET_LOCK.
  testing::TestDatabase fresh(GetParam());
  std::unique_ptr<testing::TestServer> a, b;
  std::thread other([&] { b = std::make_unique<testing::TestServer>(fresh); });
  a = std::make_unique<testing::TestServer>(fresh);
  other.join();
  ASSERT_TRUE(a->ok()) << a->status();
  ASSERT_TRUE(b->ok()) << b->status();
  for (testing::TestServer* server : {a.get(), b.get()}) {
    auto stub = crm::v1::PipelineService::NewStub(server->channel());
    crm::v1::ListPipelinesResponse all;
    ASSERT_GRPC_OK(stub->ListPipelines(CallAs().get(), crm::v1::ListPipelinesRequest(), &all));
    ASSERT_EQ(all.pipelines_size(), 1);
    EXPECT_TRUE(all.pipelines(0).is_default());
    ExpectDefaultB2bStages(all.pipelines(0));
  }
}

// ---------------------------------------------------------------------------------------------
// Create / Get / List

TEST_P(PipelinesTest, CreateThenGetReturnsTheStoredPipeline) {
  Pipeline created = MustCreate(MakePipeline("Partner sales"));
  EXPECT_EQ(created.id().substr(0, 4), "pip_");
  EXPECT_EQ(created.etag(), "\"r1\"");
  EXPECT_FALSE(created.is_default());
  EXPECT_TRUE(created.has_create_time());
  ASSERT_EQ(created.stages_size(), 4);
  EXPECT_EQ(StageNames(created), (std::vector<std::string>{"Lead in", "Offer", "Signed", "Dropped"}));
  EXPECT_EQ(created.stages(0).expected_days(), 7);
  EXPECT_EQ(created.stages(1).probability(), 50);
  for (const Stage& s : created.stages()) EXPECT_EQ(s.id().substr(0, 4), "stg_");

  Pipeline fetched = MustGet(created.id());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  std::vector<crm::v1::Event> events = Events("pipeline.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "pipeline");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].actor(), "alice");
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
}

TEST_P(PipelinesTest, CreateIgnoresClientStageIdsAndReplaysRequestIds) {
  Pipeline p = MakePipeline("Replayed");
  p.mutable_stages(0)->set_id("stg_client_chosen");
  Pipeline first, second;
  ASSERT_GRPC_OK(Create(p, &first, "req-1"));
  EXPECT_NE(first.stages(0).id(), "stg_client_chosen");
  ASSERT_GRPC_OK(Create(p, &second, "req-1"));
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(ListAll(50).size(), 2u);
  EXPECT_EQ(Events("pipeline.created").size(), 1u);
}

TEST_P(PipelinesTest, CreateRejectsInvalidPipelinesNamingTheField) {
  struct Case {
    const char* what;
    std::function<void(Pipeline&)> mutate;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"no name", [](Pipeline& p) { p.clear_name(); }, "pipeline.name"},
      {"no stages", [](Pipeline& p) { p.clear_stages(); }, "pipeline.stages"},
      {"no won stage", [](Pipeline& p) { p.mutable_stages()->DeleteSubrange(2, 1); }, "pipeline.stages"},
      {"no lost stage", [](Pipeline& p) { p.mutable_stages()->RemoveLast(); }, "pipeline.stages"},
      {"no open stage", [](Pipeline& p) { p.mutable_stages()->DeleteSubrange(0, 2); }, "pipeline.stages"},
      {"two won stages",
       [](Pipeline& p) { *p.mutable_stages()->Add() = MakeStage("Also won", 100, crm::v1::STAGE_KIND_WON); },
       "pipeline.stages[4].kind"},
      {"open after won",
       [](Pipeline& p) { *p.mutable_stages()->Add() = MakeStage("Late", 30, crm::v1::STAGE_KIND_OPEN); },
       "pipeline.stages[4].kind"},
      {"lost before won", [](Pipeline& p) { p.mutable_stages()->SwapElements(2, 3); }, "pipeline.stages[3].kind"},
      {"probability over 100", [](Pipeline& p) { p.mutable_stages(1)->set_probability(101); },
       "pipeline.stages[1].probability"},
      {"negative probability", [](Pipeline& p) { p.mutable_stages(0)->set_probability(-1); },
       "pipeline.stages[0].probability"},
      {"won below 100", [](Pipeline& p) { p.mutable_stages(2)->set_probability(90); },
       "pipeline.stages[2].probability"},
      {"lost above 0", [](Pipeline& p) { p.mutable_stages(3)->set_probability(5); }, "pipeline.stages[3].probability"},
      {"unspecified kind", [](Pipeline& p) { p.mutable_stages(0)->set_kind(crm::v1::STAGE_KIND_UNSPECIFIED); },
       "pipeline.stages[0].kind"},
      {"unknown kind", [](Pipeline& p) { p.mutable_stages(0)->set_kind(static_cast<crm::v1::StageKind>(9)); },
       "pipeline.stages[0].kind"},
      {"blank stage name", [](Pipeline& p) { p.mutable_stages(1)->set_name("  "); }, "pipeline.stages[1].name"},
      {"duplicate stage name", [](Pipeline& p) { p.mutable_stages(1)->set_name("lead IN"); },
       "pipeline.stages[1].name"},
      {"negative expected days", [](Pipeline& p) { p.mutable_stages(0)->set_expected_days(-3); },
       "pipeline.stages[0].expected_days"},
      {"retired new stage", [](Pipeline& p) { p.mutable_stages(0)->set_retired(true); }, "pipeline.stages[0].retired"},
  };
  for (const Case& c : cases) {
    Pipeline p = MakePipeline("Broken");
    c.mutate(p);
    Pipeline out;
    EXPECT_TRUE(HasCodeAndField(Create(p, &out), grpc::StatusCode::INVALID_ARGUMENT, c.field)) << c.what;
  }
  crm::v1::CreatePipelineRequest empty;
  Pipeline out;
  EXPECT_TRUE(HasCodeAndField(pipelines_->CreatePipeline(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "pipeline"));
  // Nothing was written.
  EXPECT_EQ(ListAll(50).size(), 1u);
  EXPECT_TRUE(Events("pipeline.").empty());
}

TEST_P(PipelinesTest, PipelineNamesAreUnique) {
  MustCreate(MakePipeline("Channel"));
  Pipeline out;
  EXPECT_TRUE(
      HasCodeAndField(Create(MakePipeline("Channel"), &out), grpc::StatusCode::ALREADY_EXISTS, "pipeline.name"));
  EXPECT_EQ(ListAll(50).size(), 2u);
}

TEST_P(PipelinesTest, GetUnknownOrMalformedId) {
  Pipeline out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownPipelineId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("pip 1; DROP", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(PipelinesTest, ListPagesThroughEveryPipelineOnce) {
  for (int i = 0; i < 6; ++i) MustCreate(MakePipeline("Pipeline " + std::to_string(i)));
  int pages = 0;
  std::vector<Pipeline> all = ListAll(2, &pages);
  EXPECT_EQ(all.size(), 7u);
  EXPECT_EQ(pages, 4);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].id(), all[i].id());
  for (const Pipeline& p : all) EXPECT_GE(p.stages_size(), 4) << p.name();

  crm::v1::ListPipelinesRequest forged;
  forged.set_page_token("not-a-token");
  crm::v1::ListPipelinesResponse response;
  EXPECT_TRUE(HasCodeAndField(pipelines_->ListPipelines(CallAs().get(), forged, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListPipelinesRequest negative;
  negative.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(pipelines_->ListPipelines(CallAs().get(), negative, &response),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
}

// ---------------------------------------------------------------------------------------------
// The default flag

TEST_P(PipelinesTest, OnlyOnePipelineIsEverTheDefault) {
  const Pipeline seeded = DefaultPipeline();
  Pipeline p = MakePipeline("New default");
  p.set_is_default(true);
  Pipeline created = MustCreate(p);
  EXPECT_TRUE(created.is_default());
  Pipeline old = MustGet(seeded.id());
  EXPECT_FALSE(old.is_default());
  EXPECT_EQ(old.etag(), "\"r2\"");

  // Back again through UpdatePipeline.
  Pipeline patch;
  patch.set_id(seeded.id());
  patch.set_is_default(true);
  Pipeline updated;
  ASSERT_GRPC_OK(Update(patch, {"is_default"}, &updated));
  EXPECT_TRUE(updated.is_default());
  EXPECT_FALSE(MustGet(created.id()).is_default());
  int defaults = 0;
  for (const Pipeline& each : ListAll(50)) defaults += each.is_default() ? 1 : 0;
  EXPECT_EQ(defaults, 1);

  // Each loss of the flag is a change of that pipeline.
  std::vector<crm::v1::Event> events = Events("pipeline.updated");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].entity_id(), seeded.id());
  EXPECT_EQ(events[1].entity_id(), created.id());
  EXPECT_EQ(events[2].entity_id(), seeded.id());

  // The default cannot simply be switched off: there is always one.
  patch.set_is_default(false);
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"is_default"}, &updated), grpc::StatusCode::FAILED_PRECONDITION,
                              "pipeline.is_default"));

  // New opportunities without a pipeline land in the default one.
  std::string account = MustCreateAccount("Acme");
  crm::v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_account_id(account);
  request.mutable_opportunity()->set_name("Deal");
  crm::v1::Opportunity opportunity;
  ASSERT_GRPC_OK(pipelines_->CreateOpportunity(CallAs().get(), request, &opportunity));
  EXPECT_EQ(opportunity.pipeline_id(), seeded.id());
}

// ---------------------------------------------------------------------------------------------
// UpdatePipeline

TEST_P(PipelinesTest, UpdateRenamesReordersAddsAndRetiresStages) {
  Pipeline created = MustCreate(MakePipeline("Evolving"));
  const std::string lead_in = created.stages(0).id(), offer = created.stages(1).id(),
                    signed_id = created.stages(2).id(), dropped = created.stages(3).id();

  Pipeline patch;
  patch.set_id(created.id());
  // Offer (renamed, new probability) now first, a new "Demo" stage, Lead in omitted → retired.
  Stage* s = patch.add_stages();
  s->set_id(offer);
  s->set_name("Quote");
  s->set_probability(55);
  s = patch.add_stages();
  *s = MakeStage("Demo", 70, crm::v1::STAGE_KIND_OPEN, 3);
  s = patch.add_stages();
  s->set_id(signed_id);
  s->set_name("Signed");
  s->set_probability(100);
  s = patch.add_stages();
  s->set_id(dropped);
  s->set_name("Dropped");
  Pipeline updated;
  ASSERT_GRPC_OK(Update(patch, {"stages"}, &updated, created.etag()));
  EXPECT_EQ(updated.etag(), "\"r2\"");
  ASSERT_EQ(updated.stages_size(), 5);
  EXPECT_EQ(StageNames(updated), (std::vector<std::string>{"Quote", "Demo", "Signed", "Dropped", "Lead in"}));
  EXPECT_EQ(updated.stages(0).id(), offer);
  EXPECT_EQ(updated.stages(0).probability(), 55);
  EXPECT_EQ(updated.stages(0).kind(), crm::v1::STAGE_KIND_OPEN);  // kept when not given
  EXPECT_EQ(updated.stages(1).id().substr(0, 4), "stg_");
  EXPECT_EQ(updated.stages(1).expected_days(), 3);
  EXPECT_EQ(updated.stages(3).kind(), crm::v1::STAGE_KIND_LOST);
  EXPECT_EQ(updated.stages(4).id(), lead_in);
  EXPECT_TRUE(updated.stages(4).retired());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(updated.stages(i).retired()) << i;
  EXPECT_EQ(MustGet(created.id()).SerializeAsString(), updated.SerializeAsString());

  // A retired stage listed again comes back.
  Pipeline revive;
  revive.set_id(created.id());
  for (int index : {4, 0, 1, 2, 3}) {
    Stage* listed = revive.add_stages();
    listed->set_id(updated.stages(index).id());
    listed->set_name(updated.stages(index).name());
    listed->set_probability(updated.stages(index).probability());
  }
  Pipeline revived;
  ASSERT_GRPC_OK(Update(revive, {"stages"}, &revived));
  EXPECT_EQ(StageNames(revived), (std::vector<std::string>{"Lead in", "Quote", "Demo", "Signed", "Dropped"}));
  for (const Stage& each : revived.stages()) EXPECT_FALSE(each.retired()) << each.name();

  std::vector<crm::v1::Event> events = Events("pipeline.updated");
  ASSERT_EQ(events.size(), 2u);
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "stages");
}

TEST_P(PipelinesTest, UpdateRenamesThePipeline) {
  Pipeline created = MustCreate(MakePipeline("Old name"));
  MustCreate(MakePipeline("Taken"));
  Pipeline patch;
  patch.set_id(created.id());
  patch.set_name("  New name ");
  Pipeline updated;
  ASSERT_GRPC_OK(Update(patch, {}, &updated));
  EXPECT_EQ(updated.name(), "New name");
  EXPECT_EQ(updated.stages_size(), 4);  // untouched

  // No effective change: no write, same etag.
  Pipeline same;
  ASSERT_GRPC_OK(Update(patch, {"name"}, &same));
  EXPECT_EQ(same.etag(), updated.etag());

  patch.set_name("Taken");
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"name"}, &updated), grpc::StatusCode::ALREADY_EXISTS, "pipeline.name"));
  EXPECT_EQ(MustGet(created.id()).name(), "New name");
}

TEST_P(PipelinesTest, UpdateRejectsBadRequestsAndChangesNothing) {
  Pipeline created = MustCreate(MakePipeline("Guarded"));
  Pipeline out;
  const auto with_stages = [&](std::function<void(Pipeline&)> mutate) {
    Pipeline patch = created;
    patch.clear_etag();
    mutate(patch);
    return patch;
  };

  EXPECT_TRUE(HasCodeAndField(
      Update(with_stages([](Pipeline& p) { p.mutable_stages(0)->set_id("stg_01ARZ3NDEKTSV4RRFFQ69G5FAV"); }),
             {"stages"}, &out),
      grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages[0].id"));
  EXPECT_TRUE(HasCodeAndField(
      Update(with_stages([&](Pipeline& p) { p.mutable_stages(1)->set_id(created.stages(0).id()); }), {"stages"}, &out),
      grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages[1].id"));
  EXPECT_TRUE(
      HasCodeAndField(Update(with_stages([](Pipeline& p) { p.mutable_stages(1)->set_kind(crm::v1::STAGE_KIND_LOST); }),
                             {"stages"}, &out),
                      grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages[1].kind"));
  // Omitting the only won stage retires it: no active won stage is left.
  EXPECT_TRUE(HasCodeAndField(
      Update(with_stages([](Pipeline& p) { p.mutable_stages()->DeleteSubrange(2, 1); }), {"stages"}, &out),
      grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages"));
  EXPECT_TRUE(HasCodeAndField(
      Update(with_stages([](Pipeline& p) { p.mutable_stages(0)->set_name("Offer"); }), {"stages"}, &out),
      grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages[1].name"));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline& p) {
                                       *p.mutable_stages()->Add() = MakeStage("New", 10, crm::v1::STAGE_KIND_OPEN);
                                       p.mutable_stages()->rbegin()->set_retired(true);
                                     }),
                                     {"stages"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "pipeline.stages[4].retired"));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline&) {}), {"create_time"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline& p) { p.set_name(""); }), {"name"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "pipeline.name"));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline& p) { p.set_name("x"); }), {"name"}, &out, "\"r9\""),
                              grpc::StatusCode::ABORTED));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline& p) { p.set_name("x"); }), {"name"}, &out, "garbage"),
                              grpc::StatusCode::INVALID_ARGUMENT, "etag"));
  EXPECT_TRUE(HasCodeAndField(Update(with_stages([](Pipeline& p) { p.set_id(kUnknownPipelineId); }), {"name"}, &out),
                              grpc::StatusCode::NOT_FOUND, "pipeline.id"));

  Pipeline after = MustGet(created.id());
  EXPECT_EQ(after.SerializeAsString(), created.SerializeAsString());
  EXPECT_TRUE(Events("pipeline.updated").empty());
}

TEST_P(PipelinesTest, ChangingAPipelineNeverRewritesRecordedHistory) {
  Pipeline created = MustCreate(MakePipeline("History"));
  std::string account = MustCreateAccount("Acme");
  crm::v1::Opportunity opportunity = MustCreateOpportunity(account, created.stages(0).id());
  crm::v1::Opportunity moved;
  ASSERT_GRPC_OK(Move(opportunity.id(), created.stages(1).id(), &moved));

  // Rename both stages, then retire "Lead in" (renamed "Intake") by leaving it out.
  Pipeline patch = created;
  patch.clear_etag();
  patch.mutable_stages(0)->set_name("Intake");
  patch.mutable_stages(1)->set_name("Quote");
  Pipeline renamed;
  ASSERT_GRPC_OK(Update(patch, {"stages"}, &renamed));
  patch.mutable_stages()->DeleteSubrange(0, 1);
  Pipeline retired;
  ASSERT_GRPC_OK(Update(patch, {"stages"}, &retired));
  EXPECT_TRUE(retired.stages(3).retired());
  EXPECT_EQ(retired.stages(3).name(), "Intake");

  std::vector<crm::v1::StageChange> history = History(opportunity.id());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].to_stage_name(), "Lead in");
  EXPECT_EQ(history[1].from_stage_name(), "Lead in");
  EXPECT_EQ(history[1].to_stage_name(), "Offer");

  // Later changes record the names of their time.
  crm::v1::Opportunity back_then;
  crm::v1::MoveOpportunityRequest to_retired;
  to_retired.set_id(opportunity.id());
  to_retired.set_stage_id(created.stages(0).id());
  EXPECT_TRUE(HasCodeAndField(pipelines_->MoveOpportunity(CallAs().get(), to_retired, &back_then),
                              grpc::StatusCode::INVALID_ARGUMENT, "stage_id"));
  crm::v1::CloseOpportunityRequest close;
  close.set_id(opportunity.id());
  close.set_won(true);
  crm::v1::Opportunity won;
  ASSERT_GRPC_OK(pipelines_->CloseOpportunity(CallAs().get(), close, &won));
  history = History(opportunity.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[2].from_stage_name(), "Quote");
  EXPECT_EQ(history[2].to_stage_name(), "Signed");

  // A new opportunity cannot start in the retired stage; one sitting in a retired stage can
  // still move on.
  crm::v1::CreateOpportunityRequest in_retired;
  in_retired.mutable_opportunity()->set_account_id(account);
  in_retired.mutable_opportunity()->set_name("Late");
  in_retired.mutable_opportunity()->set_stage_id(created.stages(0).id());
  crm::v1::Opportunity refused;
  EXPECT_TRUE(HasCodeAndField(pipelines_->CreateOpportunity(CallAs().get(), in_retired, &refused),
                              grpc::StatusCode::INVALID_ARGUMENT, "opportunity.stage_id"));
}

TEST_P(PipelinesTest, OpportunitiesInARetiredStageMoveOn) {
  Pipeline created = MustCreate(MakePipeline("Retiring"));
  std::string account = MustCreateAccount("Acme");
  crm::v1::Opportunity opportunity = MustCreateOpportunity(account, created.stages(0).id());
  Pipeline patch = created;
  patch.clear_etag();
  patch.mutable_stages()->DeleteSubrange(0, 1);
  Pipeline updated;
  ASSERT_GRPC_OK(Update(patch, {"stages"}, &updated));
  crm::v1::GetOpportunityRequest get;
  get.set_id(opportunity.id());
  crm::v1::Opportunity still;
  ASSERT_GRPC_OK(pipelines_->GetOpportunity(CallAs().get(), get, &still));
  EXPECT_EQ(still.stage_id(), created.stages(0).id());
  crm::v1::Opportunity moved;
  ASSERT_GRPC_OK(Move(opportunity.id(), created.stages(1).id(), &moved));
  std::vector<crm::v1::StageChange> history = History(opportunity.id());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].from_stage_id(), created.stages(0).id());
  EXPECT_EQ(history[1].from_stage_name(), "Lead in");
}

// ---------------------------------------------------------------------------------------------
// Sales settings

TEST_P(PipelinesTest, SettingsStartWithEurAndNoRatesOrThreshold) {
  SalesSettings settings = GetSettings();
  EXPECT_EQ(settings.base_currency(), "EUR");
  EXPECT_EQ(settings.rates_size(), 0);
  EXPECT_FALSE(settings.has_large_deal_threshold());
  EXPECT_EQ(settings.etag(), "\"r1\"");
}

TEST_P(PipelinesTest, UpdateSettingsStoresCanonicalRatesAndThreshold) {
  SalesSettings patch;
  crm::v1::ExchangeRate* usd = patch.add_rates();
  usd->set_currency_code("USD");
  usd->set_rate("0.9200");
  crm::v1::ExchangeRate* chf = patch.add_rates();
  chf->set_currency_code("CHF");
  chf->set_rate("1.0825");
  *patch.mutable_large_deal_threshold() = Money("EUR", 100000);
  SalesSettings updated;
  ASSERT_GRPC_OK(UpdateSettings(patch, {"rates", "large_deal_threshold"}, &updated, "\"r1\""));
  EXPECT_EQ(updated.etag(), "\"r2\"");
  ASSERT_EQ(updated.rates_size(), 2);
  EXPECT_EQ(updated.rates(0).currency_code(), "CHF");
  EXPECT_EQ(updated.rates(0).rate(), "1.0825");
  EXPECT_EQ(updated.rates(1).currency_code(), "USD");
  EXPECT_EQ(updated.rates(1).rate(), "0.92");
  EXPECT_EQ(updated.large_deal_threshold().units(), 100000);
  EXPECT_EQ(GetSettings().SerializeAsString(), updated.SerializeAsString());

  std::vector<crm::v1::Event> events = Events("settings.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "sales_settings");
  EXPECT_EQ(events[0].changes_size(), 2);

  // Stale etag: ABORTED, nothing changes.
  SalesSettings out;
  patch.clear_rates();
  EXPECT_TRUE(HasCodeAndField(UpdateSettings(patch, {"rates"}, &out, "\"r1\""), grpc::StatusCode::ABORTED));
  EXPECT_EQ(GetSettings().rates_size(), 2);

  // A new base currency comes with its rates; the threshold follows the base.
  SalesSettings rebase;
  rebase.set_base_currency("USD");
  crm::v1::ExchangeRate* eur = rebase.add_rates();
  eur->set_currency_code("EUR");
  eur->set_rate("1.087");
  *rebase.mutable_large_deal_threshold() = Money("USD", 110000);
  ASSERT_GRPC_OK(UpdateSettings(rebase, {"base_currency", "rates", "large_deal_threshold"}, &out));
  EXPECT_EQ(out.base_currency(), "USD");
  ASSERT_EQ(out.rates_size(), 1);
  EXPECT_EQ(out.rates(0).currency_code(), "EUR");

  // Removing the threshold.
  ASSERT_GRPC_OK(UpdateSettings(SalesSettings(), {"large_deal_threshold"}, &out));
  EXPECT_FALSE(out.has_large_deal_threshold());
}

TEST_P(PipelinesTest, UpdateSettingsRejectsBadValuesNamingTheField) {
  struct Case {
    const char* what;
    std::function<void(SalesSettings&)> mutate;
    std::vector<std::string> paths;
    const char* field;
  };
  const auto rate = [](SalesSettings& s, const std::string& code, const std::string& text) {
    crm::v1::ExchangeRate* r = s.add_rates();
    r->set_currency_code(code);
    r->set_rate(text);
  };
  const std::vector<Case> cases = {
      {"lower-case base",
       [](SalesSettings& s) { s.set_base_currency("eur"); },
       {"base_currency"},
       "settings.base_currency"},
      {"malformed rate", [&](SalesSettings& s) { rate(s, "USD", "0,92"); }, {"rates"}, "settings.rates[0].rate"},
      {"zero rate", [&](SalesSettings& s) { rate(s, "USD", "0"); }, {"rates"}, "settings.rates[0].rate"},
      {"negative rate", [&](SalesSettings& s) { rate(s, "USD", "-1"); }, {"rates"}, "settings.rates[0].rate"},
      {"13 decimals",
       [&](SalesSettings& s) { rate(s, "USD", "0.1234567890123"); },
       {"rates"},
       "settings.rates[0].rate"},
      {"bad code", [&](SalesSettings& s) { rate(s, "US", "1"); }, {"rates"}, "settings.rates[0].currency_code"},
      {"rate for the base",
       [&](SalesSettings& s) { rate(s, "EUR", "1"); },
       {"rates"},
       "settings.rates[0].currency_code"},
      {"duplicate",
       [&](SalesSettings& s) {
         rate(s, "USD", "1");
         rate(s, "USD", "2");
       },
       {"rates"},
       "settings.rates[1].currency_code"},
      {"threshold in another currency",
       [](SalesSettings& s) { *s.mutable_large_deal_threshold() = Money("USD", 5); },
       {"large_deal_threshold"},
       "settings.large_deal_threshold.currency_code"},
      {"threshold with 7 decimals",
       [](SalesSettings& s) { *s.mutable_large_deal_threshold() = Money("EUR", 5, 1234567); },
       {"large_deal_threshold"},
       "settings.large_deal_threshold.nanos"},
      {"negative threshold",
       [](SalesSettings& s) { *s.mutable_large_deal_threshold() = Money("EUR", -5); },
       {"large_deal_threshold"},
       "settings.large_deal_threshold"},
      {"unknown mask path", [](SalesSettings&) {}, {"etag"}, "update_mask.paths[0]"},
  };
  for (const Case& c : cases) {
    SalesSettings patch;
    patch.set_base_currency("EUR");
    c.mutate(patch);
    SalesSettings out;
    EXPECT_TRUE(HasCodeAndField(UpdateSettings(patch, c.paths, &out), grpc::StatusCode::INVALID_ARGUMENT, c.field))
        << c.what;
  }

  // Rates are relative to the base: changing it alone would silently revalue every amount.
  SalesSettings with_rate;
  rate(with_rate, "USD", "0.92");
  SalesSettings out;
  ASSERT_GRPC_OK(UpdateSettings(with_rate, {"rates"}, &out));
  SalesSettings rebase;
  rebase.set_base_currency("GBP");
  EXPECT_TRUE(HasCodeAndField(UpdateSettings(rebase, {"base_currency"}, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "settings.rates"));
  EXPECT_EQ(GetSettings().base_currency(), "EUR");
  EXPECT_EQ(Events("settings.updated").size(), 1u);
}

TEST_P(PipelinesTest, WithAThresholdEveryOpportunityCurrencyKeepsARate) {
  std::string account = MustCreateAccount("Acme");
  const Pipeline pipeline = DefaultPipeline();
  crm::v1::Money usd = Money("USD", 5000);
  MustCreateOpportunity(account, pipeline.stages(0).id(), &usd);

  // A threshold without a USD rate could not judge that deal.
  SalesSettings threshold;
  *threshold.mutable_large_deal_threshold() = Money("EUR", 100000);
  SalesSettings out;
  EXPECT_TRUE(HasCodeAndField(UpdateSettings(threshold, {"large_deal_threshold"}, &out),
                              grpc::StatusCode::FAILED_PRECONDITION, "settings.large_deal_threshold"));

  crm::v1::ExchangeRate* r = threshold.add_rates();
  r->set_currency_code("USD");
  r->set_rate("0.92");
  ASSERT_GRPC_OK(UpdateSettings(threshold, {"large_deal_threshold", "rates"}, &out));

  // Nor may the USD rate go while the threshold stays.
  SalesSettings no_rates;
  EXPECT_TRUE(HasCodeAndField(UpdateSettings(no_rates, {"rates"}, &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "settings.rates"));
  EXPECT_EQ(GetSettings().rates_size(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PipelinesTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
