// Custom fields on leads and opportunities through PipelineService: typed values checked against
// their definitions on create and on updates whose mask names one value, kept through status and
// stage changes, hidden while their field is removed, list filters answered from the value index,
// events, and the opportunity ConvertLead makes; through a real in-process server on every
// backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <string>
#include <vector>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/customfields/custom_field_helpers.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::CustomField;
using crm::v1::CustomValue;
using crm::v1::Lead;
using crm::v1::Opportunity;
using testing::CallAs;
using testing::ChoicesValue;
using testing::ChoiceValue;
using testing::DateValue;
using testing::FieldDefinition;
using testing::FieldFilter;
using testing::HasCodeAndField;
using testing::MoneyValue;
using testing::NumberValue;
using testing::TextValue;

constexpr auto kLead = crm::v1::CUSTOM_FIELD_ENTITY_LEAD;
constexpr auto kOpportunity = crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY;

class PipelineCustomFieldTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    fields_ = std::make_unique<testing::FieldAdmin>(server_->channel());
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    crm::v1::ListPipelinesResponse all;
    ASSERT_GRPC_OK(pipeline_->ListPipelines(CallAs().get(), crm::v1::ListPipelinesRequest(), &all));
    ASSERT_EQ(all.pipelines_size(), 1);
    default_pipeline_ = all.pipelines(0);
    crm::v1::CreateAccountRequest account;
    account.mutable_account()->set_name("Acme GmbH");
    crm::v1::Account created;
    ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account, &created));
    account_id_ = created.id();
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  void AddField(crm::v1::CustomFieldEntity entity, const std::string& key, crm::v1::CustomFieldType type) {
    fields_->Create(FieldDefinition(entity, key, type));
  }

  // ---- leads

  static Lead MakeLead(const std::string& name) {
    Lead l;
    l.set_full_name(name);
    l.set_company_name(name + " Ltd");
    return l;
  }
  grpc::Status CreateLead(const Lead& lead, Lead* out) {
    crm::v1::CreateLeadRequest request;
    *request.mutable_lead() = lead;
    return pipeline_->CreateLead(CallAs().get(), request, out);
  }
  Lead MustCreateLead(const Lead& lead) {
    Lead out;
    const grpc::Status s = CreateLead(lead, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  Lead GetLead(const std::string& id) {
    crm::v1::GetLeadRequest request;
    request.set_id(id);
    Lead out;
    const grpc::Status s = pipeline_->GetLead(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status UpdateLead(const Lead& patch, const std::vector<std::string>& paths, Lead* out) {
    crm::v1::UpdateLeadRequest request;
    *request.mutable_lead() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    return pipeline_->UpdateLead(CallAs().get(), request, out);
  }
  grpc::Status ListLeads(const crm::v1::ListLeadsRequest& request, crm::v1::ListLeadsResponse* out) {
    return pipeline_->ListLeads(CallAs().get(), request, out);
  }
  // Full names of every lead the request lists, following page tokens.
  std::vector<std::string> LeadNames(crm::v1::ListLeadsRequest request) {
    return testing::TextsOfEveryPage(
        request, [this](const auto& r, auto* out) { return ListLeads(r, out); }, &crm::v1::ListLeadsResponse::leads,
        [](const Lead& l) { return l.full_name(); });
  }

  // ---- opportunities

  Opportunity MakeOpportunity(const std::string& name) const {
    Opportunity o;
    o.set_account_id(account_id_);
    o.set_name(name);
    return o;
  }
  grpc::Status CreateOpportunity(const Opportunity& opportunity, Opportunity* out) {
    crm::v1::CreateOpportunityRequest request;
    *request.mutable_opportunity() = opportunity;
    return pipeline_->CreateOpportunity(CallAs().get(), request, out);
  }
  Opportunity MustCreateOpportunity(const Opportunity& opportunity) {
    Opportunity out;
    const grpc::Status s = CreateOpportunity(opportunity, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  Opportunity GetOpportunity(const std::string& id) {
    crm::v1::GetOpportunityRequest request;
    request.set_id(id);
    Opportunity out;
    const grpc::Status s = pipeline_->GetOpportunity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status UpdateOpportunity(const Opportunity& patch, const std::vector<std::string>& paths, Opportunity* out) {
    crm::v1::UpdateOpportunityRequest request;
    *request.mutable_opportunity() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    return pipeline_->UpdateOpportunity(CallAs().get(), request, out);
  }
  grpc::Status ListOpportunities(const crm::v1::ListOpportunitiesRequest& request,
                                 crm::v1::ListOpportunitiesResponse* out) {
    return pipeline_->ListOpportunities(CallAs().get(), request, out);
  }
  // Names of every opportunity the request lists, following page tokens.
  std::vector<std::string> OpportunityNames(crm::v1::ListOpportunitiesRequest request) {
    return testing::TextsOfEveryPage(
        request, [this](const auto& r, auto* out) { return ListOpportunities(r, out); },
        &crm::v1::ListOpportunitiesResponse::opportunities, [](const Opportunity& o) { return o.name(); });
  }
  const std::string& StageId(const std::string& name) const {
    for (const crm::v1::Stage& s : default_pipeline_.stages()) {
      if (s.name() == name) return s.id();
    }
    ADD_FAILURE() << "no stage " << name;
    return default_pipeline_.stages(0).id();
  }

  // ---- the rest

  // Events of `type`, oldest first.
  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    crm::v1::ListEventsResponse response;
    const grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }
  // The event's change of `field`; null when it has none.
  static const crm::v1::FieldChange* ChangeOf(const crm::v1::Event& event, const std::string& field) {
    for (const crm::v1::FieldChange& c : event.changes()) {
      if (c.field() == field) return &c;
    }
    return nullptr;
  }
  static bool ChangesCustomFields(const crm::v1::Event& event) {
    for (const crm::v1::FieldChange& c : event.changes()) {
      if (c.field().rfind("custom_fields", 0) == 0) return true;
    }
    return false;
  }
  // Rows the value index holds for one record.
  long long IndexRows(const std::string& entity, const std::string& id) {
    long long n = -1;
    const absl::Status s = server_->runtime().db->Read([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM custom_field_values WHERE entity_type = :entity AND entity_id = :id",
          soci::use(entity, "entity"), soci::use(id, "id"), soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<testing::FieldAdmin> fields_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  crm::v1::Pipeline default_pipeline_;
  std::string account_id_;
};

TEST_P(PipelineCustomFieldTest, LeadValuesAreTypedDefaultedAndCheckedNamingTheField) {
  AddField(kLead, "budget", crm::v1::CUSTOM_FIELD_TYPE_MONEY);
  AddField(kLead, "first_visit", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  AddField(kLead, "hot", crm::v1::CUSTOM_FIELD_TYPE_BOOLEAN);
  CustomField interests = FieldDefinition(kLead, "interests", crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE);
  interests.add_options("crm");
  interests.add_options("erp");
  fields_->Create(interests);
  CustomField team_size = FieldDefinition(kLead, "team_size", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  team_size.mutable_validation()->set_min(1);
  *team_size.mutable_default_value() = NumberValue(10);
  fields_->Create(team_size);
  CustomField region_code = FieldDefinition(kLead, "region_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  region_code.set_required(true);
  fields_->Create(region_code);

  Lead input = MakeLead("Typed");
  (*input.mutable_custom_fields())["budget"] = MoneyValue("EUR", 40000);
  (*input.mutable_custom_fields())["first_visit"] = DateValue(2026, 2, 3);
  (*input.mutable_custom_fields())["hot"] = testing::BoolValue(true);
  (*input.mutable_custom_fields())["interests"] = ChoicesValue({"crm", "erp"});
  (*input.mutable_custom_fields())["region_code"] = TextValue("DE-BY");
  const Lead created = MustCreateLead(input);
  EXPECT_EQ(created.custom_fields().at("team_size").number_value(), 10);  // the default, in the answer too
  const Lead fetched = GetLead(created.id());
  ASSERT_EQ(fetched.custom_fields_size(), 6);
  EXPECT_EQ(fetched.custom_fields().at("budget").money_value().units(), 40000);
  EXPECT_EQ(fetched.custom_fields().at("budget").money_value().currency_code(), "EUR");
  EXPECT_EQ(fetched.custom_fields().at("first_visit").date_value().day(), 3);
  EXPECT_TRUE(fetched.custom_fields().at("hot").bool_value());
  EXPECT_EQ(fetched.custom_fields().at("interests").choices_value().choices_size(), 2);
  EXPECT_EQ(fetched.custom_fields().at("region_code").text_value(), "DE-BY");
  EXPECT_EQ(fetched.custom_fields().at("team_size").number_value(), 10);

  Lead out;
  Lead wrong_type = input;
  (*wrong_type.mutable_custom_fields())["team_size"] = TextValue("ten");
  EXPECT_TRUE(HasCodeAndField(CreateLead(wrong_type, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.custom_fields.team_size"));
  Lead unknown = input;
  (*unknown.mutable_custom_fields())["no_such_field"] = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(CreateLead(unknown, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.custom_fields.no_such_field"));
  Lead missing = input;
  missing.mutable_custom_fields()->erase("region_code");
  EXPECT_TRUE(HasCodeAndField(CreateLead(missing, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.custom_fields.region_code"));
  Lead bad_option = input;
  (*bad_option.mutable_custom_fields())["interests"] = ChoicesValue({"hr"});
  EXPECT_TRUE(HasCodeAndField(CreateLead(bad_option, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.custom_fields.interests"));
  Lead below_min = input;
  (*below_min.mutable_custom_fields())["team_size"] = NumberValue(0);
  EXPECT_TRUE(HasCodeAndField(CreateLead(below_min, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "lead.custom_fields.team_size"));

  // None of the refused creates left a lead behind.
  EXPECT_EQ(LeadNames(crm::v1::ListLeadsRequest()), std::vector<std::string>{"Typed"});
}

TEST_P(PipelineCustomFieldTest, LeadUpdatesNameOneValueAndStatusChangesKeepThemAll) {
  AddField(kLead, "segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField(kLead, "seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  Lead input = MakeLead("Masked");
  (*input.mutable_custom_fields())["segment"] = TextValue("smb");
  (*input.mutable_custom_fields())["seats"] = NumberValue(10);
  const Lead created = MustCreateLead(input);

  Lead patch;
  patch.set_id(created.id());
  (*patch.mutable_custom_fields())["seats"] = NumberValue(12);
  Lead updated;
  ASSERT_GRPC_OK(UpdateLead(patch, {"custom_fields.seats"}, &updated));
  EXPECT_EQ(updated.custom_fields().at("seats").number_value(), 12);
  EXPECT_EQ(updated.custom_fields().at("segment").text_value(), "smb");

  Lead wrong;
  wrong.set_id(created.id());
  (*wrong.mutable_custom_fields())["seats"] = TextValue("many");
  EXPECT_TRUE(HasCodeAndField(UpdateLead(wrong, {"custom_fields.seats"}, &updated),
                              grpc::StatusCode::INVALID_ARGUMENT, "lead.custom_fields.seats"));

  // A write of another field leaves the values as they were.
  Lead title;
  title.set_id(created.id());
  title.set_title("CTO");
  ASSERT_GRPC_OK(UpdateLead(title, {"title"}, &updated));
  EXPECT_EQ(updated.custom_fields().at("seats").number_value(), 12);
  EXPECT_EQ(updated.custom_fields().at("segment").text_value(), "smb");

  crm::v1::QualifyLeadRequest qualify;
  qualify.set_id(created.id());
  Lead qualified;
  ASSERT_GRPC_OK(pipeline_->QualifyLead(CallAs().get(), qualify, &qualified));
  EXPECT_EQ(qualified.custom_fields().at("seats").number_value(), 12);
  crm::v1::DisqualifyLeadRequest disqualify;
  disqualify.set_id(created.id());
  disqualify.set_reason("no budget");
  Lead disqualified;
  ASSERT_GRPC_OK(pipeline_->DisqualifyLead(CallAs().get(), disqualify, &disqualified));
  EXPECT_EQ(disqualified.custom_fields().at("segment").text_value(), "smb");
  const Lead stored = GetLead(created.id());
  EXPECT_EQ(stored.status(), crm::v1::LEAD_STATUS_DISQUALIFIED);
  EXPECT_EQ(stored.custom_fields().at("seats").number_value(), 12);
  EXPECT_EQ(stored.custom_fields().at("segment").text_value(), "smb");

  // The update's event names the value's path; the status changes' name none.
  const std::vector<crm::v1::Event> updates = Events("lead.updated");
  ASSERT_EQ(updates.size(), 2u);
  const crm::v1::FieldChange* seats = ChangeOf(updates[0], "custom_fields.seats");
  ASSERT_NE(seats, nullptr);
  EXPECT_EQ(seats->before(), R"({"number_value":10})");
  EXPECT_EQ(seats->after(), R"({"number_value":12})");
  EXPECT_FALSE(ChangesCustomFields(updates[1]));
  const std::vector<crm::v1::Event> created_events = Events("lead.created");
  ASSERT_EQ(created_events.size(), 1u);
  EXPECT_NE(ChangeOf(created_events[0], "custom_fields.segment"), nullptr);
  for (const char* type : {"lead.qualified", "lead.disqualified"}) {
    const std::vector<crm::v1::Event> events = Events(type);
    ASSERT_EQ(events.size(), 1u) << type;
    EXPECT_FALSE(ChangesCustomFields(events[0])) << type;
  }
}

TEST_P(PipelineCustomFieldTest, ARemovedLeadFieldIsHiddenInEveryAnswerAndBackOnUndelete) {
  AddField(kLead, "legacy_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField(kLead, "seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  Lead input = MakeLead("Keeps it");
  (*input.mutable_custom_fields())["legacy_code"] = TextValue("L-1");
  (*input.mutable_custom_fields())["seats"] = NumberValue(3);
  const Lead created = MustCreateLead(input);

  fields_->SetRemoved(kLead, "legacy_code", true);
  EXPECT_FALSE(GetLead(created.id()).custom_fields().contains("legacy_code"));
  crm::v1::ListLeadsResponse page;
  ASSERT_GRPC_OK(ListLeads(crm::v1::ListLeadsRequest(), &page));
  ASSERT_EQ(page.leads_size(), 1);
  EXPECT_FALSE(page.leads(0).custom_fields().contains("legacy_code"));
  EXPECT_TRUE(page.leads(0).custom_fields().contains("seats"));

  // Writes refuse the removed field; replacing the whole map does not drop its hidden value.
  Lead out;
  Lead write_removed;
  write_removed.set_id(created.id());
  (*write_removed.mutable_custom_fields())["legacy_code"] = TextValue("L-2");
  EXPECT_TRUE(HasCodeAndField(UpdateLead(write_removed, {"custom_fields.legacy_code"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "lead.custom_fields.legacy_code"));
  Lead replace;
  replace.set_id(created.id());
  (*replace.mutable_custom_fields())["seats"] = NumberValue(4);
  ASSERT_GRPC_OK(UpdateLead(replace, {"custom_fields"}, &out));
  EXPECT_FALSE(out.custom_fields().contains("legacy_code"));
  EXPECT_EQ(out.custom_fields().at("seats").number_value(), 4);
  crm::v1::QualifyLeadRequest qualify;
  qualify.set_id(created.id());
  ASSERT_GRPC_OK(pipeline_->QualifyLead(CallAs().get(), qualify, &out));
  EXPECT_FALSE(out.custom_fields().contains("legacy_code"));
  crm::v1::ConvertLeadRequest convert;
  convert.set_id(created.id());
  convert.set_request_id("convert-once");
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(pipeline_->ConvertLead(CallAs().get(), convert, &converted));
  EXPECT_FALSE(converted.lead().custom_fields().contains("legacy_code"));
  EXPECT_EQ(converted.lead().custom_fields().at("seats").number_value(), 4);
  // A replay answers from the stored lead, hidden the same way.
  crm::v1::ConvertLeadResponse replayed;
  ASSERT_GRPC_OK(pipeline_->ConvertLead(CallAs().get(), convert, &replayed));
  EXPECT_EQ(replayed.account_id(), converted.account_id());
  EXPECT_FALSE(replayed.lead().custom_fields().contains("legacy_code"));
  EXPECT_TRUE(replayed.lead().custom_fields().contains("seats"));

  fields_->SetRemoved(kLead, "legacy_code", false);
  const Lead back = GetLead(created.id());
  ASSERT_TRUE(back.custom_fields().contains("legacy_code"));
  EXPECT_EQ(back.custom_fields().at("legacy_code").text_value(), "L-1");
  EXPECT_EQ(back.custom_fields().at("seats").number_value(), 4);
}

TEST_P(PipelineCustomFieldTest, LeadListsFilterOnTheValueIndexAsWritesChangeIt) {
  AddField(kLead, "segment", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField(kLead, "seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  CustomField note = FieldDefinition(kLead, "private_note", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  note.set_filterable(false);
  fields_->Create(note);
  const auto make = [&](const std::string& name, const std::string& segment, double seats, int score) {
    Lead l = MakeLead(name);
    l.set_score(score);
    (*l.mutable_custom_fields())["segment"] = TextValue(segment);
    (*l.mutable_custom_fields())["seats"] = NumberValue(seats);
    return MustCreateLead(l);
  };
  make("A", "smb", 5, 10);
  const Lead b = make("B", "enterprise", 500, 10);
  const Lead c = make("C", "enterprise", 1200, 50);
  MustCreateLead(MakeLead("D without values"));

  const auto request = [](const crm::v1::CustomFieldFilter& filter) {
    crm::v1::ListLeadsRequest r;
    *r.add_custom_fields() = filter;
    r.set_page_size(1);  // every match on a page of its own
    return r;
  };
  const CustomValue enterprise = TextValue("enterprise");
  EXPECT_EQ(LeadNames(request(FieldFilter("segment", &enterprise))), (std::vector<std::string>{"B", "C"}));
  const CustomValue min_seats = NumberValue(100), max_seats = NumberValue(1000);
  EXPECT_EQ(LeadNames(request(FieldFilter("seats", nullptr, &min_seats, &max_seats))),
            std::vector<std::string>{"B"});
  EXPECT_EQ(LeadNames(request(FieldFilter("seats", nullptr, &min_seats))), (std::vector<std::string>{"B", "C"}));
  crm::v1::ListLeadsRequest with_score = request(FieldFilter("seats", nullptr, &min_seats));
  with_score.set_min_score(40);
  EXPECT_EQ(LeadNames(with_score), std::vector<std::string>{"C"});

  // The index follows an update, and a delete takes the lead's rows with it.
  Lead fewer;
  fewer.set_id(b.id());
  (*fewer.mutable_custom_fields())["seats"] = NumberValue(50);
  Lead out;
  ASSERT_GRPC_OK(UpdateLead(fewer, {"custom_fields.seats"}, &out));
  EXPECT_EQ(LeadNames(request(FieldFilter("seats", nullptr, &min_seats))), std::vector<std::string>{"C"});
  EXPECT_EQ(IndexRows("lead", c.id()), 2);
  crm::v1::DeleteLeadRequest remove;
  remove.set_id(c.id());
  crm::v1::DeleteLeadResponse removed;
  ASSERT_GRPC_OK(pipeline_->DeleteLead(CallAs().get(), remove, &removed));
  EXPECT_EQ(IndexRows("lead", c.id()), 0);
  EXPECT_EQ(LeadNames(request(FieldFilter("segment", &enterprise))), std::vector<std::string>{"B"});

  // The request has no filter message: violations name its own custom_fields.
  crm::v1::ListLeadsResponse page;
  const CustomValue x = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(ListLeads(request(FieldFilter("private_note", &x)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "custom_fields[0].key"));
  EXPECT_TRUE(HasCodeAndField(ListLeads(request(FieldFilter("seats", &x)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "custom_fields[0].equals"));
}

TEST_P(PipelineCustomFieldTest, OpportunityValuesAreTypedDefaultedCheckedAndUpdatedByMask) {
  AddField(kOpportunity, "budget", crm::v1::CUSTOM_FIELD_TYPE_MONEY);
  CustomField quarter = FieldDefinition(kOpportunity, "close_quarter", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  for (const char* q : {"q1", "q2", "q3", "q4"}) quarter.add_options(q);
  fields_->Create(quarter);
  CustomField competitor = FieldDefinition(kOpportunity, "competitor", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  competitor.set_required(true);
  fields_->Create(competitor);
  CustomField seats = FieldDefinition(kOpportunity, "seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  *seats.mutable_default_value() = NumberValue(3);
  fields_->Create(seats);

  Opportunity input = MakeOpportunity("Typed deal");
  (*input.mutable_custom_fields())["budget"] = MoneyValue("USD", 90000);
  (*input.mutable_custom_fields())["close_quarter"] = ChoiceValue("q3");
  (*input.mutable_custom_fields())["competitor"] = TextValue("Rival Inc");
  const Opportunity created = MustCreateOpportunity(input);
  const Opportunity fetched = GetOpportunity(created.id());
  ASSERT_EQ(fetched.custom_fields_size(), 4);
  EXPECT_EQ(fetched.custom_fields().at("budget").money_value().units(), 90000);
  EXPECT_EQ(fetched.custom_fields().at("close_quarter").choice_value(), "q3");
  EXPECT_EQ(fetched.custom_fields().at("competitor").text_value(), "Rival Inc");
  EXPECT_EQ(fetched.custom_fields().at("seats").number_value(), 3);  // the default

  Opportunity out;
  Opportunity wrong_type = input;
  (*wrong_type.mutable_custom_fields())["seats"] = TextValue("three");
  EXPECT_TRUE(HasCodeAndField(CreateOpportunity(wrong_type, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.custom_fields.seats"));
  Opportunity unknown = input;
  (*unknown.mutable_custom_fields())["no_such_field"] = TextValue("x");
  EXPECT_TRUE(HasCodeAndField(CreateOpportunity(unknown, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.custom_fields.no_such_field"));
  Opportunity missing = input;
  missing.mutable_custom_fields()->erase("competitor");
  EXPECT_TRUE(HasCodeAndField(CreateOpportunity(missing, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.custom_fields.competitor"));
  Opportunity bad_option = input;
  (*bad_option.mutable_custom_fields())["close_quarter"] = ChoiceValue("q5");
  EXPECT_TRUE(HasCodeAndField(CreateOpportunity(bad_option, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "opportunity.custom_fields.close_quarter"));
  EXPECT_EQ(OpportunityNames(crm::v1::ListOpportunitiesRequest()), std::vector<std::string>{"Typed deal"});

  // One value by path; an empty mask sets the values given and keeps the others.
  Opportunity patch;
  patch.set_id(created.id());
  (*patch.mutable_custom_fields())["competitor"] = TextValue("Other Corp");
  ASSERT_GRPC_OK(UpdateOpportunity(patch, {"custom_fields.competitor"}, &out));
  EXPECT_EQ(out.custom_fields().at("competitor").text_value(), "Other Corp");
  EXPECT_EQ(out.custom_fields().at("close_quarter").choice_value(), "q3");
  Opportunity merge;
  merge.set_id(created.id());
  (*merge.mutable_custom_fields())["close_quarter"] = ChoiceValue("q4");
  ASSERT_GRPC_OK(UpdateOpportunity(merge, {}, &out));
  EXPECT_EQ(out.custom_fields().at("close_quarter").choice_value(), "q4");
  EXPECT_EQ(out.custom_fields().at("competitor").text_value(), "Other Corp");
  // The value index follows each update.
  const auto names_with = [&](const std::string& key, const CustomValue& value) {
    crm::v1::ListOpportunitiesRequest request;
    *request.add_custom_fields() = FieldFilter(key, &value);
    return OpportunityNames(request);
  };
  EXPECT_EQ(names_with("competitor", TextValue("Other Corp")), std::vector<std::string>{"Typed deal"});
  EXPECT_TRUE(names_with("competitor", TextValue("Rival Inc")).empty());
  EXPECT_EQ(names_with("close_quarter", ChoiceValue("q4")), std::vector<std::string>{"Typed deal"});
  // Clearing a required value is refused, naming it.
  Opportunity clear;
  clear.set_id(created.id());
  EXPECT_TRUE(HasCodeAndField(UpdateOpportunity(clear, {"custom_fields.competitor"}, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "opportunity.custom_fields.competitor"));
  EXPECT_EQ(GetOpportunity(created.id()).custom_fields().at("competitor").text_value(), "Other Corp");

  const std::vector<crm::v1::Event> updates = Events("opportunity.updated");
  ASSERT_EQ(updates.size(), 2u);
  const crm::v1::FieldChange* change = ChangeOf(updates[0], "custom_fields.competitor");
  ASSERT_NE(change, nullptr);
  EXPECT_EQ(change->before(), R"({"text_value":"Rival Inc"})");
  EXPECT_EQ(change->after(), R"({"text_value":"Other Corp"})");
  ASSERT_EQ(updates[1].changes_size(), 1);
  EXPECT_EQ(updates[1].changes(0).field(), "custom_fields.close_quarter");
}

TEST_P(PipelineCustomFieldTest, OpportunityValuesSurviveStageChangesAndRemovedOnesStayHidden) {
  AddField(kOpportunity, "competitor", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  AddField(kOpportunity, "legacy_code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  Opportunity input = MakeOpportunity("Moving deal");
  (*input.mutable_custom_fields())["competitor"] = TextValue("Rival Inc");
  (*input.mutable_custom_fields())["legacy_code"] = TextValue("L-7");
  const Opportunity created = MustCreateOpportunity(input);
  fields_->SetRemoved(kOpportunity, "legacy_code", true);

  const auto expect_visible = [](const Opportunity& o, const char* step) {
    EXPECT_EQ(o.custom_fields_size(), 1) << step;
    ASSERT_TRUE(o.custom_fields().contains("competitor")) << step;
    EXPECT_EQ(o.custom_fields().at("competitor").text_value(), "Rival Inc") << step;
  };
  expect_visible(GetOpportunity(created.id()), "get");
  Opportunity out;
  crm::v1::MoveOpportunityRequest move;
  move.set_id(created.id());
  move.set_stage_id(StageId("Proposal"));
  ASSERT_GRPC_OK(pipeline_->MoveOpportunity(CallAs().get(), move, &out));
  expect_visible(out, "move");
  crm::v1::CloseOpportunityRequest close;
  close.set_id(created.id());
  close.set_lost_reason("price");
  ASSERT_GRPC_OK(pipeline_->CloseOpportunity(CallAs().get(), close, &out));
  expect_visible(out, "close");
  crm::v1::ReopenOpportunityRequest reopen;
  reopen.set_id(created.id());
  ASSERT_GRPC_OK(pipeline_->ReopenOpportunity(CallAs().get(), reopen, &out));
  expect_visible(out, "reopen");
  Opportunity rename;
  rename.set_id(created.id());
  rename.set_name("Renamed deal");
  ASSERT_GRPC_OK(UpdateOpportunity(rename, {"name"}, &out));
  expect_visible(out, "update");
  crm::v1::ListOpportunitiesResponse page;
  ASSERT_GRPC_OK(ListOpportunities(crm::v1::ListOpportunitiesRequest(), &page));
  ASSERT_EQ(page.opportunities_size(), 1);
  expect_visible(page.opportunities(0), "list");

  // Every stage change rewrote the row: the values and their index rows are still there.
  const CustomValue rival = TextValue("Rival Inc");
  crm::v1::ListOpportunitiesRequest by_competitor;
  *by_competitor.add_custom_fields() = FieldFilter("competitor", &rival);
  EXPECT_EQ(OpportunityNames(by_competitor), std::vector<std::string>{"Renamed deal"});
  fields_->SetRemoved(kOpportunity, "legacy_code", false);
  const Opportunity back = GetOpportunity(created.id());
  ASSERT_TRUE(back.custom_fields().contains("legacy_code"));
  EXPECT_EQ(back.custom_fields().at("legacy_code").text_value(), "L-7");
  EXPECT_EQ(back.stage_id(), StageId("Proposal"));
  for (const char* type : {"opportunity.stage_changed", "opportunity.lost", "opportunity.reopened"}) {
    const std::vector<crm::v1::Event> events = Events(type);
    ASSERT_EQ(events.size(), 1u) << type;
    EXPECT_FALSE(ChangesCustomFields(events[0])) << type;
  }
}

TEST_P(PipelineCustomFieldTest, OpportunityListsFilterOnValuesBesideBuiltInFilters) {
  AddField(kOpportunity, "seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  AddField(kOpportunity, "renewal", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  const auto make = [&](const std::string& name, double seats, CustomValue renewal) {
    Opportunity o = MakeOpportunity(name);
    (*o.mutable_custom_fields())["seats"] = NumberValue(seats);
    (*o.mutable_custom_fields())["renewal"] = std::move(renewal);
    return MustCreateOpportunity(o);
  };
  make("s5", 5, DateValue(2027, 1, 15));
  const Opportunity s50 = make("s50", 50, DateValue(2027, 6, 30));
  make("s500", 500, DateValue(2028, 1, 1));
  make("s5000", 5000, DateValue(2027, 12, 31));
  MustCreateOpportunity(MakeOpportunity("none"));

  const auto request = [](const crm::v1::CustomFieldFilter& filter) {
    crm::v1::ListOpportunitiesRequest r;
    *r.add_custom_fields() = filter;
    r.set_page_size(2);
    return r;
  };
  const CustomValue fifty = NumberValue(50);
  EXPECT_EQ(OpportunityNames(request(FieldFilter("seats", &fifty))), std::vector<std::string>{"s50"});
  const CustomValue min_seats = NumberValue(10);
  EXPECT_EQ(OpportunityNames(request(FieldFilter("seats", nullptr, &min_seats))),
            (std::vector<std::string>{"s50", "s500", "s5000"}));
  const CustomValue from = DateValue(2027, 1, 1), to = DateValue(2027, 12, 31);
  EXPECT_EQ(OpportunityNames(request(FieldFilter("renewal", nullptr, &from, &to))),
            (std::vector<std::string>{"s5", "s50", "s5000"}));

  // Two conditions, and a built-in filter beside them.
  crm::v1::ListOpportunitiesRequest both = request(FieldFilter("seats", nullptr, &min_seats));
  *both.add_custom_fields() = FieldFilter("renewal", nullptr, &from, &to);
  EXPECT_EQ(OpportunityNames(both), (std::vector<std::string>{"s50", "s5000"}));
  crm::v1::CloseOpportunityRequest win;
  win.set_id(s50.id());
  win.set_won(true);
  Opportunity won;
  ASSERT_GRPC_OK(pipeline_->CloseOpportunity(CallAs().get(), win, &won));
  both.set_status(crm::v1::OPPORTUNITY_STATUS_OPEN);
  EXPECT_EQ(OpportunityNames(both), std::vector<std::string>{"s5000"});

  crm::v1::ListOpportunitiesResponse page;
  EXPECT_TRUE(HasCodeAndField(ListOpportunities(request(FieldFilter("nothing", &fifty)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "custom_fields[0].key"));
  EXPECT_TRUE(HasCodeAndField(ListOpportunities(request(FieldFilter("seats", nullptr)), &page),
                              grpc::StatusCode::INVALID_ARGUMENT, "custom_fields[0]"));
}

TEST_P(PipelineCustomFieldTest, ConvertLeadGivesTheOpportunityDefaultsAndStopsAtARequiredFieldWithout) {
  CustomField origin = FieldDefinition(kOpportunity, "origin", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  origin.set_required(true);
  *origin.mutable_default_value() = TextValue("converted lead");
  fields_->Create(origin);
  AddField(kLead, "interest", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  const auto new_lead = [&](const std::string& name) {
    Lead l = MakeLead(name);
    (*l.mutable_custom_fields())["interest"] = TextValue("erp");
    return MustCreateLead(l);
  };
  const auto convert = [&](const std::string& id, bool with_opportunity, crm::v1::ConvertLeadResponse* out) {
    crm::v1::ConvertLeadRequest request;
    request.set_id(id);
    request.set_create_opportunity(with_opportunity);
    return pipeline_->ConvertLead(CallAs().get(), request, out);
  };

  const Lead first = new_lead("First");
  crm::v1::ConvertLeadResponse converted;
  ASSERT_GRPC_OK(convert(first.id(), true, &converted));
  ASSERT_FALSE(converted.opportunity_id().empty());
  EXPECT_EQ(GetOpportunity(converted.opportunity_id()).custom_fields().at("origin").text_value(), "converted lead");
  EXPECT_EQ(converted.lead().custom_fields().at("interest").text_value(), "erp");

  // The conversion cannot give a value the caller could not pass: a required field without a
  // default stops it, and nothing is written.
  CustomField competitor = FieldDefinition(kOpportunity, "competitor", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  competitor.set_required(true);
  fields_->Create(competitor);
  const Lead second = new_lead("Second");
  const grpc::Status refused = convert(second.id(), true, &converted);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_NE(refused.error_message().find("opportunity.custom_fields.competitor"), std::string::npos)
      << refused.error_message();
  const Lead unchanged = GetLead(second.id());
  EXPECT_EQ(unchanged.status(), crm::v1::LEAD_STATUS_NEW);
  EXPECT_EQ(unchanged.etag(), second.etag());
  EXPECT_EQ(OpportunityNames(crm::v1::ListOpportunitiesRequest()).size(), 1u);

  // Without an opportunity the conversion goes through.
  ASSERT_GRPC_OK(convert(second.id(), false, &converted));
  EXPECT_TRUE(converted.opportunity_id().empty());
  EXPECT_EQ(converted.lead().custom_fields().at("interest").text_value(), "erp");
}

INSTANTIATE_TEST_SUITE_P(Backends, PipelineCustomFieldTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
