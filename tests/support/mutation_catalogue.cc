#include "tests/support/mutation_catalogue.h"

#include <atomic>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/admin.grpc.pb.h"
#include "crm/v1/customfield.grpc.pb.h"
#include "crm/v1/duplicate_service.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"

namespace crm::testing {
namespace {

// Streams run to their end; a reclassification reads and scores every account.
constexpr absl::Duration kStreamTimeout = absl::Seconds(60);

// Numbers the walks of this process, so that each walk's names and keys are its own.
std::atomic<int> walks_started{0};

crm::v1::Money Euros(int64_t units) {
  crm::v1::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

// ---- valid requests, shared by the steps and by the setup calls -------------------------------

crm::v1::Account AccountDraft(const std::string& name) {
  crm::v1::Account account;
  account.set_name(name);
  account.set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account.set_industry("manufacturing");
  account.set_region("EMEA");
  account.set_size_band(crm::v1::SIZE_BAND_MEDIUM);
  *account.mutable_annual_revenue() = Euros(2500000);
  return account;
}

crm::v1::Contact ContactDraft(const std::string& account_id) {
  crm::v1::Contact contact;
  contact.set_account_id(account_id);
  contact.set_full_name("Dana Fischer");
  contact.set_title("Head of purchasing");
  contact.set_email("dana.fischer@example.com");
  contact.set_phone("+49 30 1234567");
  contact.set_preferred_channel(crm::v1::CONTACT_CHANNEL_EMAIL);
  contact.set_decision_role(crm::v1::DECISION_ROLE_DECISION_MAKER);
  return contact;
}

crm::v1::Stage StageDraft(const std::string& name, int probability, crm::v1::StageKind kind) {
  crm::v1::Stage stage;
  stage.set_name(name);
  stage.set_probability(probability);
  stage.set_kind(kind);
  return stage;
}

// Two open stages, so that an opportunity in it has somewhere to move.
crm::v1::Pipeline PipelineDraft(const std::string& name) {
  crm::v1::Pipeline pipeline;
  pipeline.set_name(name);
  *pipeline.add_stages() = StageDraft("Lead in", 15, crm::v1::STAGE_KIND_OPEN);
  *pipeline.add_stages() = StageDraft("Offer", 50, crm::v1::STAGE_KIND_OPEN);
  *pipeline.add_stages() = StageDraft("Signed", 100, crm::v1::STAGE_KIND_WON);
  *pipeline.add_stages() = StageDraft("Dropped", 0, crm::v1::STAGE_KIND_LOST);
  return pipeline;
}

crm::v1::Lead LeadDraft(const std::string& company) {
  crm::v1::Lead lead;
  lead.set_full_name("Jonas Weber");
  lead.set_company_name(company);
  lead.set_email("jonas.weber@example.com");
  lead.set_industry("logistics");
  lead.set_region("EMEA");
  lead.mutable_source()->set_channel(crm::v1::LEAD_CHANNEL_WEB);
  lead.set_score(40);
  return lead;
}

crm::v1::Order OrderDraft(const std::string& account_id) {
  crm::v1::Order order;
  order.set_account_id(account_id);
  crm::v1::OrderLine* line = order.add_lines();
  line->set_description("Service contract, one year");
  line->set_quantity(2);
  *line->mutable_unit_price() = Euros(500);
  return order;
}

crm::v1::Campaign CampaignDraft(const std::string& name) {
  crm::v1::Campaign campaign;
  campaign.set_name(name);
  campaign.set_channel(crm::v1::LEAD_CHANNEL_EVENT);
  *campaign.mutable_cost() = Euros(12000);
  return campaign;
}

crm::v1::Ticket TicketDraft(const std::string& account_id) {
  crm::v1::Ticket ticket;
  ticket.set_account_id(account_id);
  ticket.set_subject("Invoice portal rejects the login");
  ticket.set_description("Since Monday every login ends on an error page.");
  ticket.set_category("billing");
  ticket.set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
  ticket.set_priority(crm::v1::TICKET_PRIORITY_P3);
  return ticket;
}

// Monday to Friday, 09:00-17:00 in Berlin.
crm::v1::BusinessCalendar CalendarDraft(const std::string& name) {
  crm::v1::BusinessCalendar calendar;
  calendar.set_name(name);
  calendar.set_time_zone("Europe/Berlin");
  for (int weekday = 1; weekday <= 5; ++weekday) {
    crm::v1::WorkingHours* hours = calendar.add_hours();
    hours->set_weekday(weekday);
    hours->set_start_minute(9 * 60);
    hours->set_end_minute(17 * 60);
  }
  return calendar;
}

crm::v1::SlaPolicy SlaPolicyDraft(const std::string& name, const std::string& calendar_id) {
  crm::v1::SlaPolicy policy;
  policy.set_name(name);
  policy.set_precedence(100);
  policy.set_calendar_id(calendar_id);
  crm::v1::SlaPriorityTarget* target = policy.add_targets();
  target->set_priority(crm::v1::TICKET_PRIORITY_P1);
  target->set_first_response_minutes(30);
  target->set_resolution_minutes(240);
  crm::v1::EscalationStep* step = policy.add_escalation();
  step->set_level(1);
  step->set_trigger(crm::v1::ESCALATION_TRIGGER_BREACH);
  step->set_assignee_group("tier2");
  return policy;
}

crm::v1::Solution SolutionDraft(const std::string& title) {
  crm::v1::Solution solution;
  solution.set_title(title);
  solution.set_body("Clear the portal's cookies, then sign in again with the new password.");
  solution.set_category("billing");
  solution.add_tags("login");
  return solution;
}

crm::v1::AccountPlan PlanDraft(const std::string& account_id) {
  crm::v1::AccountPlan plan;
  plan.set_account_id(account_id);
  plan.add_objectives("Renew the service contract for three years");
  crm::v1::PlanAction* action = plan.add_actions();
  action->set_description("Present the renewal offer");
  return plan;
}

// ---- the walk --------------------------------------------------------------------------------

// One walk over the catalogue: the stubs, the caller, and the first supporting call (a setup
// call, or a lookup after the catalogued one) of the current step that failed. A failed setup call
// does not stop the step (its call then fails too, on the missing record); the walk reports the
// supporting call's failure instead, which names the cause.
class Walk {
 public:
  Walk(TestServer& server, std::string user)
      : server_(server),
        user_(std::move(user)),
        walk_(++walks_started),
        accounts_(crm::v1::AccountService::NewStub(server.channel())),
        pipeline_(crm::v1::PipelineService::NewStub(server.channel())),
        kam_(crm::v1::KeyAccountService::NewStub(server.channel())),
        desk_(crm::v1::ServiceDeskService::NewStub(server.channel())),
        admin_(crm::v1::AdminService::NewStub(server.channel())),
        fields_(crm::v1::CustomFieldService::NewStub(server.channel())),
        duplicates_(crm::v1::DuplicateService::NewStub(server.channel())) {}

  crm::v1::AccountService::Stub& accounts() { return *accounts_; }
  crm::v1::PipelineService::Stub& pipeline() { return *pipeline_; }
  crm::v1::KeyAccountService::Stub& kam() { return *kam_; }
  crm::v1::ServiceDeskService::Stub& desk() { return *desk_; }
  crm::v1::AdminService::Stub& admin() { return *admin_; }
  crm::v1::CustomFieldService::Stub& fields() { return *fields_; }
  crm::v1::DuplicateService::Stub& duplicates() { return *duplicates_; }

  // A context of the walking user on this walk's server (CallAs would pick the latest server).
  std::unique_ptr<grpc::ClientContext> Call(absl::Duration timeout = absl::Seconds(10)) {
    return CallWithToken(server_.TokenFor(user_), timeout);
  }

  // A name or key no other step of any walk of this process uses: "<what>-w<walk>-<n>".
  std::string Unique(const std::string& what) { return absl::StrCat(what, "-w", walk_, "-", ++names_); }

  // The calendar date `days` after the server's today (UTC).
  crm::v1::Date DateIn(int days) {
    const absl::CivilDay day = absl::ToCivilDay(server_.clock().Now(), absl::UTCTimeZone()) + days;
    crm::v1::Date date;
    date.set_year(static_cast<int32_t>(day.year()));
    date.set_month(day.month());
    date.set_day(day.day());
    return date;
  }
  google::protobuf::Timestamp TimeIn(absl::Duration d) { return TimeToTimestamp(server_.clock().Now() + d); }

  // Keeps the first failed supporting call of the step.
  void Expect(const char* call, const grpc::Status& status) {
    if (status.ok() || !support_failure_.ok()) return;
    support_failure_ = grpc::Status(status.error_code(),
                                  absl::StrCat("supporting call ", call, " failed: ", status.error_message()));
  }
  grpc::Status TakeSupportFailure() { return std::exchange(support_failure_, grpc::Status::OK); }

  // ---- valid requests that depend on the server's clock or need a unique key ----

  crm::v1::Activity ActivityDraft(const std::string& account_id) {
    crm::v1::Activity activity;
    activity.set_account_id(account_id);
    activity.set_kind(crm::v1::ACTIVITY_KIND_CALL);
    activity.set_subject("Follow up on the offer");
    *activity.mutable_due_time() = TimeIn(absl::Hours(48));
    *activity.mutable_reminder_time() = TimeIn(absl::Hours(47));
    return activity;
  }

  crm::v1::Opportunity OpportunityDraft(const std::string& account_id) {
    crm::v1::Opportunity opportunity;
    opportunity.set_account_id(account_id);
    opportunity.set_name(Unique("Deal"));
    *opportunity.mutable_amount() = Euros(25000);
    *opportunity.mutable_expected_close_date() = DateIn(60);
    return opportunity;
  }

  crm::v1::TierOverride OverrideDraft(const std::string& account_id) {
    crm::v1::TierOverride draft;
    draft.set_account_id(account_id);
    draft.set_tier(crm::v1::ACCOUNT_TIER_STRATEGIC);
    draft.set_reason("Reference customer for the new product line");
    *draft.mutable_expire_time() = TimeIn(absl::Hours(24 * 30));
    return draft;
  }

  crm::v1::User UserDraft() {
    crm::v1::User user;
    user.set_id(Unique("user"));
    user.set_role(crm::v1::ROLE_SALES_REP);
    user.set_display_name("Walk user");
    return user;
  }

  // ---- setup calls: each makes one record the way a client would and returns it ----

  crm::v1::Account NewAccount() {
    crm::v1::CreateAccountRequest request;
    *request.mutable_account() = AccountDraft(Unique("Account"));
    crm::v1::Account account;
    Expect("CreateAccount", accounts().CreateAccount(Call().get(), request, &account));
    return account;
  }

  crm::v1::Account DeletedAccount() {
    const crm::v1::Account account = NewAccount();
    crm::v1::DeleteAccountRequest request;
    request.set_id(account.id());
    request.set_etag(account.etag());
    crm::v1::Account deleted;
    Expect("DeleteAccount", accounts().DeleteAccount(Call().get(), request, &deleted));
    return deleted;
  }

  crm::v1::Contact NewContact(const std::string& account_id) {
    crm::v1::CreateContactRequest request;
    *request.mutable_contact() = ContactDraft(account_id);
    crm::v1::Contact contact;
    Expect("CreateContact", accounts().CreateContact(Call().get(), request, &contact));
    return contact;
  }

  crm::v1::Activity NewActivity(const std::string& account_id) {
    crm::v1::CreateActivityRequest request;
    *request.mutable_activity() = ActivityDraft(account_id);
    crm::v1::Activity activity;
    Expect("CreateActivity", accounts().CreateActivity(Call().get(), request, &activity));
    return activity;
  }

  crm::v1::Pipeline NewPipeline() {
    crm::v1::CreatePipelineRequest request;
    *request.mutable_pipeline() = PipelineDraft(Unique("Pipeline"));
    crm::v1::Pipeline pipeline;
    Expect("CreatePipeline", this->pipeline().CreatePipeline(Call().get(), request, &pipeline));
    return pipeline;
  }

  crm::v1::Lead NewLead() {
    crm::v1::CreateLeadRequest request;
    *request.mutable_lead() = LeadDraft(Unique("Lead company"));
    crm::v1::Lead lead;
    Expect("CreateLead", pipeline().CreateLead(Call().get(), request, &lead));
    return lead;
  }

  // In `pipeline_id`'s first open stage ("" = the default pipeline).
  crm::v1::Opportunity NewOpportunity(const std::string& account_id, const std::string& pipeline_id = "") {
    crm::v1::CreateOpportunityRequest request;
    *request.mutable_opportunity() = OpportunityDraft(account_id);
    request.mutable_opportunity()->set_pipeline_id(pipeline_id);
    crm::v1::Opportunity opportunity;
    Expect("CreateOpportunity", pipeline().CreateOpportunity(Call().get(), request, &opportunity));
    return opportunity;
  }

  crm::v1::Opportunity WonOpportunity(const std::string& account_id) {
    const crm::v1::Opportunity open = NewOpportunity(account_id);
    crm::v1::CloseOpportunityRequest request;
    request.set_id(open.id());
    request.set_won(true);
    request.set_etag(open.etag());
    crm::v1::Opportunity won;
    Expect("CloseOpportunity", pipeline().CloseOpportunity(Call().get(), request, &won));
    return won;
  }

  crm::v1::Order NewOrder(const std::string& account_id) {
    crm::v1::CreateOrderRequest request;
    *request.mutable_order() = OrderDraft(account_id);
    crm::v1::Order order;
    Expect("CreateOrder", pipeline().CreateOrder(Call().get(), request, &order));
    return order;
  }

  crm::v1::Campaign NewCampaign() {
    crm::v1::CreateCampaignRequest request;
    *request.mutable_campaign() = CampaignDraft(Unique("Campaign"));
    crm::v1::Campaign campaign;
    Expect("CreateCampaign", pipeline().CreateCampaign(Call().get(), request, &campaign));
    return campaign;
  }

  crm::v1::Ticket NewTicket(const std::string& account_id) {
    crm::v1::CreateTicketRequest request;
    *request.mutable_ticket() = TicketDraft(account_id);
    crm::v1::Ticket ticket;
    Expect("CreateTicket", desk().CreateTicket(Call().get(), request, &ticket));
    return ticket;
  }

  crm::v1::Ticket ResolvedTicket(const std::string& account_id) {
    const crm::v1::Ticket open = NewTicket(account_id);
    crm::v1::ChangeTicketStatusRequest request;
    request.set_id(open.id());
    request.set_status(crm::v1::TICKET_STATUS_RESOLVED);
    request.set_reason("Cookies cleared; the login works again.");
    request.set_etag(open.etag());
    crm::v1::Ticket resolved;
    Expect("ChangeTicketStatus", desk().ChangeTicketStatus(Call().get(), request, &resolved));
    return resolved;
  }

  crm::v1::BusinessCalendar NewCalendar() {
    crm::v1::CreateCalendarRequest request;
    *request.mutable_calendar() = CalendarDraft(Unique("Calendar"));
    crm::v1::BusinessCalendar calendar;
    Expect("CreateCalendar", desk().CreateCalendar(Call().get(), request, &calendar));
    return calendar;
  }

  crm::v1::SlaPolicy NewSlaPolicy() {
    const crm::v1::BusinessCalendar calendar = NewCalendar();
    crm::v1::CreateSlaPolicyRequest request;
    *request.mutable_policy() = SlaPolicyDraft(Unique("SLA"), calendar.id());
    crm::v1::SlaPolicy policy;
    Expect("CreateSlaPolicy", desk().CreateSlaPolicy(Call().get(), request, &policy));
    return policy;
  }

  crm::v1::Solution NewSolution() {
    crm::v1::CreateSolutionRequest request;
    *request.mutable_solution() = SolutionDraft(Unique("Solution"));
    crm::v1::Solution solution;
    Expect("CreateSolution", desk().CreateSolution(Call().get(), request, &solution));
    return solution;
  }

  crm::v1::AccountPlan NewPlan(const std::string& account_id) {
    crm::v1::CreateAccountPlanRequest request;
    *request.mutable_plan() = PlanDraft(account_id);
    crm::v1::AccountPlan plan;
    Expect("CreateAccountPlan", kam().CreateAccountPlan(Call().get(), request, &plan));
    return plan;
  }

  crm::v1::User NewUser() {
    crm::v1::SetUserRequest request;
    *request.mutable_user() = UserDraft();
    crm::v1::User user;
    Expect("SetUser", admin().SetUser(Call().get(), request, &user));
    return user;
  }

  crm::v1::AccessToken NewToken(const std::string& user_id) {
    crm::v1::CreateAccessTokenRequest request;
    request.set_user_id(user_id);
    request.set_description("laptop");
    crm::v1::CreateAccessTokenResponse created;
    Expect("CreateAccessToken", admin().CreateAccessToken(Call().get(), request, &created));
    return created.token();
  }

  // Runs a reclassification to its end, setting `run_id` when given. A run that changes no tier
  // is not the effective change a step promises, so it counts as a failure here.
  grpc::Status Reclassify(std::string* run_id = nullptr) {
    auto context = Call(kStreamTimeout);
    std::unique_ptr<grpc::ClientReader<crm::v1::ReclassifyProgress>> reader =
        kam().Reclassify(context.get(), crm::v1::ReclassifyRequest());
    crm::v1::ReclassifyProgress progress, last;
    while (reader->Read(&progress)) last = progress;
    grpc::Status status = reader->Finish();
    if (status.ok() && last.summary().tier_changes() == 0) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the reclassification changed no tier");
    }
    if (run_id != nullptr) *run_id = last.summary().run_id();
    return status;
  }

 private:
  TestServer& server_;
  const std::string user_;
  const int walk_;
  int names_ = 0;
  grpc::Status support_failure_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AdminService::Stub> admin_;
  std::unique_ptr<crm::v1::CustomFieldService::Stub> fields_;
  std::unique_ptr<crm::v1::DuplicateService::Stub> duplicates_;
};

MutationResult Changed(std::string entity, std::string entity_id, grpc::Status status) {
  MutationResult result;
  result.entity = std::move(entity);
  result.entity_id = std::move(entity_id);
  result.status = std::move(status);
  return result;
}

// ---- AccountService --------------------------------------------------------------------------

MutationResult CreateAccount(Walk& w) {
  crm::v1::CreateAccountRequest request;
  *request.mutable_account() = AccountDraft(w.Unique("Account"));
  crm::v1::Account account;
  const grpc::Status status = w.accounts().CreateAccount(w.Call().get(), request, &account);
  return Changed("account", account.id(), status);
}

MutationResult UpdateAccount(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::UpdateAccountRequest request;
  request.mutable_account()->set_id(account.id());
  request.mutable_account()->set_industry("logistics");
  request.mutable_update_mask()->add_paths("industry");
  request.set_etag(account.etag());
  crm::v1::Account updated;
  const grpc::Status status = w.accounts().UpdateAccount(w.Call().get(), request, &updated);
  return Changed("account", account.id(), status);
}

MutationResult DeleteAccount(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::DeleteAccountRequest request;
  request.set_id(account.id());
  request.set_etag(account.etag());
  crm::v1::Account deleted;
  const grpc::Status status = w.accounts().DeleteAccount(w.Call().get(), request, &deleted);
  return Changed("account", account.id(), status);
}

MutationResult UndeleteAccount(Walk& w) {
  const crm::v1::Account account = w.DeletedAccount();
  crm::v1::UndeleteAccountRequest request;
  request.set_id(account.id());
  crm::v1::Account undeleted;
  const grpc::Status status = w.accounts().UndeleteAccount(w.Call().get(), request, &undeleted);
  return Changed("account", account.id(), status);
}

MutationResult CreateContact(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateContactRequest request;
  *request.mutable_contact() = ContactDraft(account.id());
  crm::v1::Contact contact;
  const grpc::Status status = w.accounts().CreateContact(w.Call().get(), request, &contact);
  return Changed("contact", contact.id(), status);
}

MutationResult UpdateContact(Walk& w) {
  const crm::v1::Contact contact = w.NewContact(w.NewAccount().id());
  crm::v1::UpdateContactRequest request;
  request.mutable_contact()->set_id(contact.id());
  request.mutable_contact()->set_title("Chief procurement officer");
  request.mutable_update_mask()->add_paths("title");
  request.set_etag(contact.etag());
  crm::v1::Contact updated;
  const grpc::Status status = w.accounts().UpdateContact(w.Call().get(), request, &updated);
  return Changed("contact", contact.id(), status);
}

MutationResult DeleteContact(Walk& w) {
  const crm::v1::Contact contact = w.NewContact(w.NewAccount().id());
  crm::v1::DeleteContactRequest request;
  request.set_id(contact.id());
  request.set_etag(contact.etag());
  crm::v1::DeleteContactResponse response;
  const grpc::Status status = w.accounts().DeleteContact(w.Call().get(), request, &response);
  return Changed("contact", contact.id(), status);
}

MutationResult LogInteraction(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::LogInteractionRequest request;
  crm::v1::Interaction& interaction = *request.mutable_interaction();
  interaction.set_account_id(account.id());
  interaction.set_channel(crm::v1::INTERACTION_CHANNEL_CALL);
  interaction.set_direction(crm::v1::DIRECTION_OUTBOUND);
  interaction.set_subject("Renewal call");
  interaction.set_body("Agreed to send the renewal offer next week.");
  crm::v1::Interaction logged;
  const grpc::Status status = w.accounts().LogInteraction(w.Call().get(), request, &logged);
  return Changed("interaction", logged.id(), status);
}

MutationResult CreateActivity(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateActivityRequest request;
  *request.mutable_activity() = w.ActivityDraft(account.id());
  crm::v1::Activity activity;
  const grpc::Status status = w.accounts().CreateActivity(w.Call().get(), request, &activity);
  return Changed("activity", activity.id(), status);
}

MutationResult UpdateActivity(Walk& w) {
  const crm::v1::Activity activity = w.NewActivity(w.NewAccount().id());
  crm::v1::UpdateActivityRequest request;
  request.mutable_activity()->set_id(activity.id());
  request.mutable_activity()->set_subject("Follow up on the revised offer");
  request.mutable_update_mask()->add_paths("subject");
  request.set_etag(activity.etag());
  crm::v1::Activity updated;
  const grpc::Status status = w.accounts().UpdateActivity(w.Call().get(), request, &updated);
  return Changed("activity", activity.id(), status);
}

MutationResult CompleteActivity(Walk& w) {
  const crm::v1::Activity activity = w.NewActivity(w.NewAccount().id());
  crm::v1::CompleteActivityRequest request;
  request.set_id(activity.id());
  request.set_outcome("Offer accepted in principle.");
  request.set_etag(activity.etag());
  crm::v1::Activity completed;
  const grpc::Status status = w.accounts().CompleteActivity(w.Call().get(), request, &completed);
  return Changed("activity", activity.id(), status);
}

MutationResult CancelActivity(Walk& w) {
  const crm::v1::Activity activity = w.NewActivity(w.NewAccount().id());
  crm::v1::CancelActivityRequest request;
  request.set_id(activity.id());
  request.set_reason("The customer asked to postpone.");
  request.set_etag(activity.etag());
  crm::v1::Activity cancelled;
  const grpc::Status status = w.accounts().CancelActivity(w.Call().get(), request, &cancelled);
  return Changed("activity", activity.id(), status);
}

// One new row through the client stream; the response carries counts, so the account it made
// is looked up by its (unique) name afterwards.
MutationResult ImportAccounts(Walk& w) {
  crm::v1::ImportAccountsRequest row;
  *row.mutable_account() = AccountDraft(w.Unique("Imported account"));
  row.mutable_account()->set_external_key(w.Unique("erp"));
  crm::v1::ImportAccountsResponse response;
  auto context = w.Call(kStreamTimeout);
  std::unique_ptr<grpc::ClientWriter<crm::v1::ImportAccountsRequest>> writer =
      w.accounts().ImportAccounts(context.get(), &response);
  writer->Write(row);  // should the server end the call early, Finish says why
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (status.ok() && response.created() != 1) {
    const std::string why = response.errors().empty()
                                ? std::string("no error given")
                                : absl::StrCat(response.errors(0).field(), " ", response.errors(0).reason());
    status = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, absl::StrCat("the import created no account: ", why));
  }

  crm::v1::ListAccountsRequest list;
  list.mutable_filter()->set_text(row.account().name());
  crm::v1::ListAccountsResponse found;
  w.Expect("ListAccounts", w.accounts().ListAccounts(w.Call().get(), list, &found));
  return Changed("account", found.accounts().empty() ? "" : found.accounts(0).id(), status);
}

// ---- KeyAccountService -----------------------------------------------------------------------

MutationResult UpdateScoringModel(Walk& w) {
  crm::v1::UpdateScoringModelRequest request;
  request.mutable_model()->set_note(w.Unique("Reviewed weights"));
  request.mutable_update_mask()->add_paths("note");
  crm::v1::ScoringModel model;
  const grpc::Status status = w.kam().UpdateScoringModel(w.Call().get(), request, &model);
  return Changed("scoring_model", status.ok() ? absl::StrCat(model.version()) : "", status);
}

// A new account has no tier yet: the run gives it its first. The run is what it audits (each
// account's change is in the run's tier history).
MutationResult Reclassify(Walk& w) {
  w.NewAccount();
  std::string run_id;
  const grpc::Status status = w.Reclassify(&run_id);
  return Changed("reclassify_run", run_id, status);
}

MutationResult SetQualitativeInputs(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::SetQualitativeInputsRequest request;
  request.mutable_inputs()->set_account_id(account.id());
  request.mutable_inputs()->set_industry_influence(4);
  request.mutable_inputs()->set_cooperation_potential(3);
  crm::v1::QualitativeInputs inputs;
  const grpc::Status status = w.kam().SetQualitativeInputs(w.Call().get(), request, &inputs);
  return Changed("qualitative_inputs", account.id(), status);
}

// The override changes the tier (a new account has none), which is what announces it.
MutationResult SetTierOverride(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::SetTierOverrideRequest request;
  *request.mutable_override() = w.OverrideDraft(account.id());
  crm::v1::TierOverride stored;
  const grpc::Status status = w.kam().SetTierOverride(w.Call().get(), request, &stored);
  return Changed("account", account.id(), status);
}

// Clearing returns the account to its computed tier, so it must have been classified first:
// otherwise the override's tier stays and the clear announces no change.
MutationResult ClearTierOverride(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  w.Expect("Reclassify", w.Reclassify());
  crm::v1::SetTierOverrideRequest set;
  *set.mutable_override() = w.OverrideDraft(account.id());
  crm::v1::TierOverride stored;
  w.Expect("SetTierOverride", w.kam().SetTierOverride(w.Call().get(), set, &stored));

  crm::v1::ClearTierOverrideRequest request;
  request.set_account_id(account.id());
  request.set_reason("The reference programme ended");
  crm::v1::ClearTierOverrideResponse response;
  const grpc::Status status = w.kam().ClearTierOverride(w.Call().get(), request, &response);
  return Changed("account", account.id(), status);
}

// Flips one setting of a tier's policy, so that the update changes something whatever it was.
MutationResult UpdateTierPolicy(Walk& w) {
  constexpr crm::v1::AccountTier kTier = crm::v1::ACCOUNT_TIER_STANDARD;
  crm::v1::ListTierPoliciesResponse policies;
  w.Expect("ListTierPolicies",
           w.kam().ListTierPolicies(w.Call().get(), crm::v1::ListTierPoliciesRequest(), &policies));
  bool manager_required = false;
  for (const crm::v1::TierPolicy& policy : policies.policies()) {
    if (policy.tier() == kTier) manager_required = policy.dedicated_manager_required();
  }
  crm::v1::UpdateTierPolicyRequest request;
  request.mutable_policy()->set_tier(kTier);
  request.mutable_policy()->set_dedicated_manager_required(!manager_required);
  request.mutable_update_mask()->add_paths("dedicated_manager_required");
  crm::v1::TierPolicy updated;
  const grpc::Status status = w.kam().UpdateTierPolicy(w.Call().get(), request, &updated);
  return Changed("tier_policy", crm::v1::AccountTier_Name(kTier), status);
}

MutationResult CreateAccountPlan(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateAccountPlanRequest request;
  *request.mutable_plan() = PlanDraft(account.id());
  crm::v1::AccountPlan plan;
  const grpc::Status status = w.kam().CreateAccountPlan(w.Call().get(), request, &plan);
  return Changed("account_plan", plan.id(), status);
}

MutationResult UpdateAccountPlan(Walk& w) {
  const crm::v1::AccountPlan plan = w.NewPlan(w.NewAccount().id());
  crm::v1::UpdateAccountPlanRequest request;
  request.mutable_plan()->set_id(plan.id());
  request.mutable_plan()->add_objectives("Renew the service contract for three years");
  request.mutable_plan()->add_objectives("Open the second plant as a customer");
  request.mutable_update_mask()->add_paths("objectives");
  request.set_etag(plan.etag());
  crm::v1::AccountPlan updated;
  const grpc::Status status = w.kam().UpdateAccountPlan(w.Call().get(), request, &updated);
  return Changed("account_plan", plan.id(), status);
}

// ---- PipelineService -------------------------------------------------------------------------

MutationResult CreatePipeline(Walk& w) {
  crm::v1::CreatePipelineRequest request;
  *request.mutable_pipeline() = PipelineDraft(w.Unique("Pipeline"));
  crm::v1::Pipeline pipeline;
  const grpc::Status status = w.pipeline().CreatePipeline(w.Call().get(), request, &pipeline);
  return Changed("pipeline", pipeline.id(), status);
}

MutationResult UpdatePipeline(Walk& w) {
  const crm::v1::Pipeline pipeline = w.NewPipeline();
  crm::v1::UpdatePipelineRequest request;
  request.mutable_pipeline()->set_id(pipeline.id());
  request.mutable_pipeline()->set_name(w.Unique("Renamed pipeline"));
  request.mutable_update_mask()->add_paths("name");
  request.set_etag(pipeline.etag());
  crm::v1::Pipeline updated;
  const grpc::Status status = w.pipeline().UpdatePipeline(w.Call().get(), request, &updated);
  return Changed("pipeline", pipeline.id(), status);
}

MutationResult CreateLead(Walk& w) {
  crm::v1::CreateLeadRequest request;
  *request.mutable_lead() = LeadDraft(w.Unique("Lead company"));
  crm::v1::Lead lead;
  const grpc::Status status = w.pipeline().CreateLead(w.Call().get(), request, &lead);
  return Changed("lead", lead.id(), status);
}

MutationResult UpdateLead(Walk& w) {
  const crm::v1::Lead lead = w.NewLead();
  crm::v1::UpdateLeadRequest request;
  request.mutable_lead()->set_id(lead.id());
  request.mutable_lead()->set_score(70);
  request.mutable_update_mask()->add_paths("score");
  request.set_etag(lead.etag());
  crm::v1::Lead updated;
  const grpc::Status status = w.pipeline().UpdateLead(w.Call().get(), request, &updated);
  return Changed("lead", lead.id(), status);
}

MutationResult DeleteLead(Walk& w) {
  const crm::v1::Lead lead = w.NewLead();
  crm::v1::DeleteLeadRequest request;
  request.set_id(lead.id());
  request.set_etag(lead.etag());
  crm::v1::DeleteLeadResponse response;
  const grpc::Status status = w.pipeline().DeleteLead(w.Call().get(), request, &response);
  return Changed("lead", lead.id(), status);
}

MutationResult QualifyLead(Walk& w) {
  const crm::v1::Lead lead = w.NewLead();
  crm::v1::QualifyLeadRequest request;
  request.set_id(lead.id());
  request.set_etag(lead.etag());
  crm::v1::Lead qualified;
  const grpc::Status status = w.pipeline().QualifyLead(w.Call().get(), request, &qualified);
  return Changed("lead", lead.id(), status);
}

MutationResult DisqualifyLead(Walk& w) {
  const crm::v1::Lead lead = w.NewLead();
  crm::v1::DisqualifyLeadRequest request;
  request.set_id(lead.id());
  request.set_reason("No budget this year");
  request.set_etag(lead.etag());
  crm::v1::Lead disqualified;
  const grpc::Status status = w.pipeline().DisqualifyLead(w.Call().get(), request, &disqualified);
  return Changed("lead", lead.id(), status);
}

// Makes an account and a contact as well; the lead is what the conversion is recorded against.
MutationResult ConvertLead(Walk& w) {
  const crm::v1::Lead lead = w.NewLead();
  crm::v1::ConvertLeadRequest request;
  request.set_id(lead.id());
  request.set_etag(lead.etag());
  crm::v1::ConvertLeadResponse response;
  const grpc::Status status = w.pipeline().ConvertLead(w.Call().get(), request, &response);
  return Changed("lead", lead.id(), status);
}

MutationResult CreateOpportunity(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateOpportunityRequest request;
  *request.mutable_opportunity() = w.OpportunityDraft(account.id());
  crm::v1::Opportunity opportunity;
  const grpc::Status status = w.pipeline().CreateOpportunity(w.Call().get(), request, &opportunity);
  return Changed("opportunity", opportunity.id(), status);
}

MutationResult UpdateOpportunity(Walk& w) {
  const crm::v1::Opportunity opportunity = w.NewOpportunity(w.NewAccount().id());
  crm::v1::UpdateOpportunityRequest request;
  request.mutable_opportunity()->set_id(opportunity.id());
  *request.mutable_opportunity()->mutable_amount() = Euros(32000);
  request.mutable_update_mask()->add_paths("amount");
  request.set_etag(opportunity.etag());
  crm::v1::Opportunity updated;
  const grpc::Status status = w.pipeline().UpdateOpportunity(w.Call().get(), request, &updated);
  return Changed("opportunity", opportunity.id(), status);
}

// From the first open stage of a pipeline of its own to the second.
MutationResult MoveOpportunity(Walk& w) {
  const crm::v1::Pipeline pipeline = w.NewPipeline();
  const crm::v1::Opportunity opportunity = w.NewOpportunity(w.NewAccount().id(), pipeline.id());
  crm::v1::MoveOpportunityRequest request;
  request.set_id(opportunity.id());
  request.set_stage_id(pipeline.stages_size() > 1 ? pipeline.stages(1).id() : "");
  request.set_etag(opportunity.etag());
  crm::v1::Opportunity moved;
  const grpc::Status status = w.pipeline().MoveOpportunity(w.Call().get(), request, &moved);
  return Changed("opportunity", opportunity.id(), status);
}

MutationResult CloseOpportunity(Walk& w) {
  const crm::v1::Opportunity opportunity = w.NewOpportunity(w.NewAccount().id());
  crm::v1::CloseOpportunityRequest request;
  request.set_id(opportunity.id());
  request.set_won(false);
  request.set_lost_reason("Went with a cheaper supplier");
  request.set_etag(opportunity.etag());
  crm::v1::Opportunity closed;
  const grpc::Status status = w.pipeline().CloseOpportunity(w.Call().get(), request, &closed);
  return Changed("opportunity", opportunity.id(), status);
}

MutationResult ReopenOpportunity(Walk& w) {
  const crm::v1::Opportunity won = w.WonOpportunity(w.NewAccount().id());
  crm::v1::ReopenOpportunityRequest request;
  request.set_id(won.id());
  request.set_etag(won.etag());
  crm::v1::Opportunity reopened;
  const grpc::Status status = w.pipeline().ReopenOpportunity(w.Call().get(), request, &reopened);
  return Changed("opportunity", won.id(), status);
}

MutationResult CreateOrder(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateOrderRequest request;
  *request.mutable_order() = OrderDraft(account.id());
  crm::v1::Order order;
  const grpc::Status status = w.pipeline().CreateOrder(w.Call().get(), request, &order);
  return Changed("order", order.id(), status);
}

MutationResult CancelOrder(Walk& w) {
  const crm::v1::Order order = w.NewOrder(w.NewAccount().id());
  crm::v1::CancelOrderRequest request;
  request.set_id(order.id());
  request.set_etag(order.etag());
  crm::v1::Order cancelled;
  const grpc::Status status = w.pipeline().CancelOrder(w.Call().get(), request, &cancelled);
  return Changed("order", order.id(), status);
}

// A part payment (the order is EUR 1000): the payment is the record it makes.
MutationResult RecordPayment(Walk& w) {
  const crm::v1::Order order = w.NewOrder(w.NewAccount().id());
  crm::v1::RecordPaymentRequest request;
  request.mutable_payment()->set_order_id(order.id());
  *request.mutable_payment()->mutable_amount() = Euros(400);
  request.mutable_payment()->set_reference("Bank transfer 2026-0117");
  crm::v1::Payment payment;
  const grpc::Status status = w.pipeline().RecordPayment(w.Call().get(), request, &payment);
  return Changed("payment", payment.id(), status);
}

MutationResult CreateCampaign(Walk& w) {
  crm::v1::CreateCampaignRequest request;
  *request.mutable_campaign() = CampaignDraft(w.Unique("Campaign"));
  *request.mutable_campaign()->mutable_start_date() = w.DateIn(7);
  *request.mutable_campaign()->mutable_end_date() = w.DateIn(37);
  crm::v1::Campaign campaign;
  const grpc::Status status = w.pipeline().CreateCampaign(w.Call().get(), request, &campaign);
  return Changed("campaign", campaign.id(), status);
}

MutationResult UpdateCampaign(Walk& w) {
  const crm::v1::Campaign campaign = w.NewCampaign();
  crm::v1::UpdateCampaignRequest request;
  request.mutable_campaign()->set_id(campaign.id());
  *request.mutable_campaign()->mutable_cost() = Euros(15000);
  request.mutable_update_mask()->add_paths("cost");
  request.set_etag(campaign.etag());
  crm::v1::Campaign updated;
  const grpc::Status status = w.pipeline().UpdateCampaign(w.Call().get(), request, &updated);
  return Changed("campaign", campaign.id(), status);
}

MutationResult SetTeam(Walk& w) {
  crm::v1::SetTeamRequest request;
  crm::v1::Team& team = *request.mutable_team();
  team.set_id(w.Unique("team"));
  team.set_name("Enterprise EMEA");
  team.set_manager("maria");
  team.add_members("carol");
  team.add_members("dave");
  crm::v1::Team stored;
  const grpc::Status status = w.pipeline().SetTeam(w.Call().get(), request, &stored);
  return Changed("team", team.id(), status);
}

// A new owner, so the target is a new one; quotas are in the base currency (EUR).
MutationResult SetTarget(Walk& w) {
  crm::v1::SetTargetRequest request;
  crm::v1::Target& target = *request.mutable_target();
  target.set_owner(w.Unique("rep"));
  *target.mutable_period_start() = w.DateIn(0);
  *target.mutable_period_end() = w.DateIn(89);
  *target.mutable_quota() = Euros(150000);
  crm::v1::Target stored;
  const grpc::Status status = w.pipeline().SetTarget(w.Call().get(), request, &stored);
  return Changed("target", stored.id(), status);
}

// Sets a rate other than the one in force, so that the update changes something whatever it was.
MutationResult UpdateSalesSettings(Walk& w) {
  crm::v1::SalesSettings settings;
  w.Expect("GetSalesSettings",
           w.pipeline().GetSalesSettings(w.Call().get(), crm::v1::GetSalesSettingsRequest(), &settings));
  const std::string currency = settings.base_currency() == "USD" ? "GBP" : "USD";
  crm::v1::UpdateSalesSettingsRequest request;
  *request.mutable_settings()->mutable_rates() = settings.rates();
  crm::v1::ExchangeRate* rate = nullptr;
  for (crm::v1::ExchangeRate& r : *request.mutable_settings()->mutable_rates()) {
    if (r.currency_code() == currency) rate = &r;
  }
  if (rate == nullptr) {
    rate = request.mutable_settings()->add_rates();
    rate->set_currency_code(currency);
  }
  double current = 0;
  const bool has_rate = absl::SimpleAtod(rate->rate(), &current);
  rate->set_rate(has_rate && current == 0.92 ? "0.93" : "0.92");
  request.mutable_update_mask()->add_paths("rates");
  request.set_etag(settings.etag());
  crm::v1::SalesSettings updated;
  const grpc::Status status = w.pipeline().UpdateSalesSettings(w.Call().get(), request, &updated);
  // The settings are one row; its events call it "1".
  return Changed("sales_settings", "1", status);
}

// ---- ServiceDeskService ----------------------------------------------------------------------

MutationResult CreateTicket(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  crm::v1::CreateTicketRequest request;
  *request.mutable_ticket() = TicketDraft(account.id());
  crm::v1::Ticket ticket;
  const grpc::Status status = w.desk().CreateTicket(w.Call().get(), request, &ticket);
  return Changed("ticket", ticket.id(), status);
}

MutationResult UpdateTicket(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  crm::v1::UpdateTicketRequest request;
  request.mutable_ticket()->set_id(ticket.id());
  request.mutable_ticket()->set_subject("Invoice portal rejects every login");
  request.mutable_update_mask()->add_paths("subject");
  request.set_etag(ticket.etag());
  crm::v1::Ticket updated;
  const grpc::Status status = w.desk().UpdateTicket(w.Call().get(), request, &updated);
  return Changed("ticket", ticket.id(), status);
}

MutationResult AssignTicket(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  crm::v1::AssignTicketRequest request;
  request.set_id(ticket.id());
  request.set_assignee("erik");
  request.set_assignee_group("tier1");
  request.set_etag(ticket.etag());
  crm::v1::Ticket assigned;
  const grpc::Status status = w.desk().AssignTicket(w.Call().get(), request, &assigned);
  return Changed("ticket", ticket.id(), status);
}

MutationResult ChangeTicketStatus(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  crm::v1::ChangeTicketStatusRequest request;
  request.set_id(ticket.id());
  request.set_status(crm::v1::TICKET_STATUS_PENDING);
  request.set_reason("Waiting for the customer's screenshot");
  request.set_etag(ticket.etag());
  crm::v1::Ticket changed;
  const grpc::Status status = w.desk().ChangeTicketStatus(w.Call().get(), request, &changed);
  return Changed("ticket", ticket.id(), status);
}

MutationResult ReopenTicket(Walk& w) {
  const crm::v1::Ticket resolved = w.ResolvedTicket(w.NewAccount().id());
  crm::v1::ReopenTicketRequest request;
  request.set_id(resolved.id());
  request.set_reason("The error is back");
  request.set_etag(resolved.etag());
  crm::v1::Ticket reopened;
  const grpc::Status status = w.desk().ReopenTicket(w.Call().get(), request, &reopened);
  return Changed("ticket", resolved.id(), status);
}

MutationResult EscalateTicket(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  crm::v1::EscalateTicketRequest request;
  request.set_id(ticket.id());
  request.set_reason("The customer's month-end billing is blocked");
  request.set_etag(ticket.etag());
  crm::v1::Ticket escalated;
  const grpc::Status status = w.desk().EscalateTicket(w.Call().get(), request, &escalated);
  return Changed("ticket", ticket.id(), status);
}

// The comment's event is the ticket's ("ticket.commented").
MutationResult AddComment(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  crm::v1::AddCommentRequest request;
  request.mutable_comment()->set_ticket_id(ticket.id());
  request.mutable_comment()->set_visibility(crm::v1::COMMENT_VISIBILITY_PUBLIC);
  request.mutable_comment()->set_body("We are looking into it and will reply within the day.");
  crm::v1::TicketComment comment;
  const grpc::Status status = w.desk().AddComment(w.Call().get(), request, &comment);
  return Changed("ticket", ticket.id(), status);
}

MutationResult CreateCalendar(Walk& w) {
  crm::v1::CreateCalendarRequest request;
  *request.mutable_calendar() = CalendarDraft(w.Unique("Calendar"));
  crm::v1::BusinessCalendar calendar;
  const grpc::Status status = w.desk().CreateCalendar(w.Call().get(), request, &calendar);
  return Changed("calendar", calendar.id(), status);
}

MutationResult UpdateCalendar(Walk& w) {
  const crm::v1::BusinessCalendar calendar = w.NewCalendar();
  crm::v1::UpdateCalendarRequest request;
  request.mutable_calendar()->set_id(calendar.id());
  crm::v1::CalendarHoliday* holiday = request.mutable_calendar()->add_holidays();
  *holiday->mutable_date() = w.DateIn(30);
  holiday->set_name("Company day");
  request.mutable_update_mask()->add_paths("holidays");
  request.set_etag(calendar.etag());
  crm::v1::BusinessCalendar updated;
  const grpc::Status status = w.desk().UpdateCalendar(w.Call().get(), request, &updated);
  return Changed("calendar", calendar.id(), status);
}

MutationResult CreateSlaPolicy(Walk& w) {
  const crm::v1::BusinessCalendar calendar = w.NewCalendar();
  crm::v1::CreateSlaPolicyRequest request;
  *request.mutable_policy() = SlaPolicyDraft(w.Unique("SLA"), calendar.id());
  crm::v1::SlaPolicy policy;
  const grpc::Status status = w.desk().CreateSlaPolicy(w.Call().get(), request, &policy);
  return Changed("sla_policy", policy.id(), status);
}

MutationResult UpdateSlaPolicy(Walk& w) {
  const crm::v1::SlaPolicy policy = w.NewSlaPolicy();
  crm::v1::UpdateSlaPolicyRequest request;
  request.mutable_policy()->set_id(policy.id());
  request.mutable_policy()->set_warning_percent(70);
  request.mutable_update_mask()->add_paths("warning_percent");
  request.set_etag(policy.etag());
  crm::v1::SlaPolicy updated;
  const grpc::Status status = w.desk().UpdateSlaPolicy(w.Call().get(), request, &updated);
  return Changed("sla_policy", policy.id(), status);
}

MutationResult DeleteSlaPolicy(Walk& w) {
  const crm::v1::SlaPolicy policy = w.NewSlaPolicy();
  crm::v1::DeleteSlaPolicyRequest request;
  request.set_id(policy.id());
  request.set_etag(policy.etag());
  crm::v1::DeleteSlaPolicyResponse response;
  const grpc::Status status = w.desk().DeleteSlaPolicy(w.Call().get(), request, &response);
  return Changed("sla_policy", policy.id(), status);
}

MutationResult CreateSolution(Walk& w) {
  crm::v1::CreateSolutionRequest request;
  *request.mutable_solution() = SolutionDraft(w.Unique("Solution"));
  crm::v1::Solution solution;
  const grpc::Status status = w.desk().CreateSolution(w.Call().get(), request, &solution);
  return Changed("solution", solution.id(), status);
}

MutationResult UpdateSolution(Walk& w) {
  const crm::v1::Solution solution = w.NewSolution();
  crm::v1::UpdateSolutionRequest request;
  request.mutable_solution()->set_id(solution.id());
  request.mutable_solution()->set_body("Clear the portal's cookies, reset the password, then sign in again.");
  request.mutable_update_mask()->add_paths("body");
  request.set_etag(solution.etag());
  crm::v1::Solution updated;
  const grpc::Status status = w.desk().UpdateSolution(w.Call().get(), request, &updated);
  return Changed("solution", solution.id(), status);
}

MutationResult DeleteSolution(Walk& w) {
  const crm::v1::Solution solution = w.NewSolution();
  crm::v1::DeleteSolutionRequest request;
  request.set_id(solution.id());
  request.set_etag(solution.etag());
  crm::v1::DeleteSolutionResponse response;
  const grpc::Status status = w.desk().DeleteSolution(w.Call().get(), request, &response);
  return Changed("solution", solution.id(), status);
}

// A link counts a use of the solution, whose event it is ("solution.linked").
MutationResult LinkSolution(Walk& w) {
  const crm::v1::Ticket ticket = w.NewTicket(w.NewAccount().id());
  const crm::v1::Solution solution = w.NewSolution();
  crm::v1::LinkSolutionRequest request;
  request.set_ticket_id(ticket.id());
  request.set_solution_id(solution.id());
  crm::v1::SolutionLink link;
  const grpc::Status status = w.desk().LinkSolution(w.Call().get(), request, &link);
  return Changed("solution", solution.id(), status);
}

// A survey is the ticket's, and named by it.
MutationResult SubmitSurvey(Walk& w) {
  const crm::v1::Ticket resolved = w.ResolvedTicket(w.NewAccount().id());
  crm::v1::SubmitSurveyRequest request;
  request.mutable_survey()->set_ticket_id(resolved.id());
  request.mutable_survey()->set_score(4);
  request.mutable_survey()->set_comment("Quick and friendly.");
  crm::v1::SatisfactionSurvey survey;
  const grpc::Status status = w.desk().SubmitSurvey(w.Call().get(), request, &survey);
  return Changed("survey", resolved.id(), status);
}

// ---- AdminService (users and tokens have no events) ------------------------------------------

MutationResult SetUser(Walk& w) {
  crm::v1::SetUserRequest request;
  *request.mutable_user() = w.UserDraft();
  crm::v1::User user;
  const grpc::Status status = w.admin().SetUser(w.Call().get(), request, &user);
  return Changed("", request.user().id(), status);
}

MutationResult CreateAccessToken(Walk& w) {
  const crm::v1::User user = w.NewUser();
  crm::v1::CreateAccessTokenRequest request;
  request.set_user_id(user.id());
  request.set_description("build server");
  *request.mutable_expire_time() = w.TimeIn(absl::Hours(24 * 90));
  crm::v1::CreateAccessTokenResponse created;
  const grpc::Status status = w.admin().CreateAccessToken(w.Call().get(), request, &created);
  return Changed("", created.token().id(), status);
}

MutationResult RevokeAccessToken(Walk& w) {
  const crm::v1::AccessToken token = w.NewToken(w.NewUser().id());
  crm::v1::RevokeAccessTokenRequest request;
  request.set_id(token.id());
  crm::v1::AccessToken revoked;
  const grpc::Status status = w.admin().RevokeAccessToken(w.Call().get(), request, &revoked);
  return Changed("", token.id(), status);
}

// ---- CustomFieldService -----------------------------------------------------------------------

crm::v1::CustomField FieldDraft(Walk& w) {
  crm::v1::CustomField field;
  field.set_entity(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  // Keys are lower-case letters, digits and '_'.
  field.set_key(absl::StrReplaceAll(w.Unique("field"), {{"-", "_"}}));
  field.set_label("Contract end");
  field.set_type(crm::v1::CUSTOM_FIELD_TYPE_DATE);
  return field;
}

crm::v1::CustomField NewField(Walk& w) {
  crm::v1::CreateCustomFieldRequest request;
  *request.mutable_field() = FieldDraft(w);
  crm::v1::CustomField field;
  w.Expect("CreateCustomField", w.fields().CreateCustomField(w.Call().get(), request, &field));
  return field;
}

MutationResult CreateCustomField(Walk& w) {
  crm::v1::CreateCustomFieldRequest request;
  *request.mutable_field() = FieldDraft(w);
  crm::v1::CustomField field;
  const grpc::Status status = w.fields().CreateCustomField(w.Call().get(), request, &field);
  return Changed("custom_field", field.id(), status);
}

MutationResult UpdateCustomField(Walk& w) {
  const crm::v1::CustomField field = NewField(w);
  crm::v1::UpdateCustomFieldRequest request;
  request.mutable_field()->set_entity(field.entity());
  request.mutable_field()->set_key(field.key());
  request.mutable_field()->set_label("Renewal date");
  crm::v1::CustomField updated;
  const grpc::Status status = w.fields().UpdateCustomField(w.Call().get(), request, &updated);
  return Changed("custom_field", field.id(), status);
}

MutationResult DeleteCustomField(Walk& w) {
  const crm::v1::CustomField field = NewField(w);
  crm::v1::DeleteCustomFieldRequest request;
  request.set_entity(field.entity());
  request.set_key(field.key());
  crm::v1::CustomField removed;
  const grpc::Status status = w.fields().DeleteCustomField(w.Call().get(), request, &removed);
  return Changed("custom_field", field.id(), status);
}

MutationResult UndeleteCustomField(Walk& w) {
  const crm::v1::CustomField field = NewField(w);
  crm::v1::DeleteCustomFieldRequest remove;
  remove.set_entity(field.entity());
  remove.set_key(field.key());
  crm::v1::CustomField removed;
  w.Expect("DeleteCustomField", w.fields().DeleteCustomField(w.Call().get(), remove, &removed));
  crm::v1::UndeleteCustomFieldRequest request;
  request.set_entity(field.entity());
  request.set_key(field.key());
  crm::v1::CustomField restored;
  const grpc::Status status = w.fields().UndeleteCustomField(w.Call().get(), request, &restored);
  return Changed("custom_field", field.id(), status);
}

// ---- DuplicateService -------------------------------------------------------------------------

// Flips the lead check between WARN and OFF: a change whatever it was, and never a refusal that
// would stop later steps' creates.
MutationResult UpdateDuplicateSettings(Walk& w) {
  crm::v1::DuplicateSettings settings;
  w.Expect("GetDuplicateSettings",
           w.duplicates().GetDuplicateSettings(w.Call().get(), crm::v1::GetDuplicateSettingsRequest(), &settings));
  crm::v1::UpdateDuplicateSettingsRequest request;
  request.mutable_settings()->set_leads(settings.leads() == crm::v1::DUPLICATE_ACTION_OFF ? crm::v1::DUPLICATE_ACTION_WARN
                                                                                          : crm::v1::DUPLICATE_ACTION_OFF);
  request.mutable_update_mask()->add_paths("leads");
  request.set_etag(settings.etag());
  crm::v1::DuplicateSettings updated;
  const grpc::Status status = w.duplicates().UpdateDuplicateSettings(w.Call().get(), request, &updated);
  // The settings are one row; its events call it "1".
  return Changed("duplicate_settings", "1", status);
}

// Two accounts of one customer; the second is merged into the first (its tombstone is the
// record the event names).
MutationResult MergeAccounts(Walk& w) {
  const crm::v1::Account survivor = w.NewAccount();
  const crm::v1::Account merged = w.NewAccount();
  w.NewContact(merged.id());
  crm::v1::MergeAccountsRequest request;
  request.set_survivor_id(survivor.id());
  request.set_survivor_etag(survivor.etag());
  crm::v1::MergedRecord* ref = request.add_merged();
  ref->set_id(merged.id());
  ref->set_etag(merged.etag());
  crm::v1::MergeAccountsResponse response;
  const grpc::Status status = w.duplicates().MergeAccounts(w.Call().get(), request, &response);
  return Changed("account", merged.id(), status);
}

MutationResult MergeContacts(Walk& w) {
  const crm::v1::Account account = w.NewAccount();
  const crm::v1::Contact survivor = w.NewContact(account.id());
  const crm::v1::Contact merged = w.NewContact(account.id());
  crm::v1::MergeContactsRequest request;
  request.set_survivor_id(survivor.id());
  request.add_merged()->set_id(merged.id());
  crm::v1::MergeContactsResponse response;
  const grpc::Status status = w.duplicates().MergeContacts(w.Call().get(), request, &response);
  return Changed("contact", merged.id(), status);
}

// ---- the catalogue ---------------------------------------------------------------------------

struct Step {
  const char* method;
  MutationResult (*run)(Walk&);
};

// In the order of the policy table (and so of the .proto files).
constexpr Step kSteps[] = {
    {"crm.v1.AccountService/CreateAccount", CreateAccount},
    {"crm.v1.AccountService/UpdateAccount", UpdateAccount},
    {"crm.v1.AccountService/DeleteAccount", DeleteAccount},
    {"crm.v1.AccountService/UndeleteAccount", UndeleteAccount},
    {"crm.v1.AccountService/CreateContact", CreateContact},
    {"crm.v1.AccountService/UpdateContact", UpdateContact},
    {"crm.v1.AccountService/DeleteContact", DeleteContact},
    {"crm.v1.AccountService/LogInteraction", LogInteraction},
    {"crm.v1.AccountService/CreateActivity", CreateActivity},
    {"crm.v1.AccountService/UpdateActivity", UpdateActivity},
    {"crm.v1.AccountService/CompleteActivity", CompleteActivity},
    {"crm.v1.AccountService/CancelActivity", CancelActivity},
    {"crm.v1.AccountService/ImportAccounts", ImportAccounts},
    {"crm.v1.KeyAccountService/UpdateScoringModel", UpdateScoringModel},
    {"crm.v1.KeyAccountService/Reclassify", Reclassify},
    {"crm.v1.KeyAccountService/SetQualitativeInputs", SetQualitativeInputs},
    {"crm.v1.KeyAccountService/SetTierOverride", SetTierOverride},
    {"crm.v1.KeyAccountService/ClearTierOverride", ClearTierOverride},
    {"crm.v1.KeyAccountService/UpdateTierPolicy", UpdateTierPolicy},
    {"crm.v1.KeyAccountService/CreateAccountPlan", CreateAccountPlan},
    {"crm.v1.KeyAccountService/UpdateAccountPlan", UpdateAccountPlan},
    {"crm.v1.PipelineService/CreatePipeline", CreatePipeline},
    {"crm.v1.PipelineService/UpdatePipeline", UpdatePipeline},
    {"crm.v1.PipelineService/CreateLead", CreateLead},
    {"crm.v1.PipelineService/UpdateLead", UpdateLead},
    {"crm.v1.PipelineService/DeleteLead", DeleteLead},
    {"crm.v1.PipelineService/QualifyLead", QualifyLead},
    {"crm.v1.PipelineService/DisqualifyLead", DisqualifyLead},
    {"crm.v1.PipelineService/ConvertLead", ConvertLead},
    {"crm.v1.PipelineService/CreateOpportunity", CreateOpportunity},
    {"crm.v1.PipelineService/UpdateOpportunity", UpdateOpportunity},
    {"crm.v1.PipelineService/MoveOpportunity", MoveOpportunity},
    {"crm.v1.PipelineService/CloseOpportunity", CloseOpportunity},
    {"crm.v1.PipelineService/ReopenOpportunity", ReopenOpportunity},
    {"crm.v1.PipelineService/CreateOrder", CreateOrder},
    {"crm.v1.PipelineService/CancelOrder", CancelOrder},
    {"crm.v1.PipelineService/RecordPayment", RecordPayment},
    {"crm.v1.PipelineService/CreateCampaign", CreateCampaign},
    {"crm.v1.PipelineService/UpdateCampaign", UpdateCampaign},
    {"crm.v1.PipelineService/SetTeam", SetTeam},
    {"crm.v1.PipelineService/SetTarget", SetTarget},
    {"crm.v1.PipelineService/UpdateSalesSettings", UpdateSalesSettings},
    {"crm.v1.ServiceDeskService/CreateTicket", CreateTicket},
    {"crm.v1.ServiceDeskService/UpdateTicket", UpdateTicket},
    {"crm.v1.ServiceDeskService/AssignTicket", AssignTicket},
    {"crm.v1.ServiceDeskService/ChangeTicketStatus", ChangeTicketStatus},
    {"crm.v1.ServiceDeskService/ReopenTicket", ReopenTicket},
    {"crm.v1.ServiceDeskService/EscalateTicket", EscalateTicket},
    {"crm.v1.ServiceDeskService/AddComment", AddComment},
    {"crm.v1.ServiceDeskService/CreateCalendar", CreateCalendar},
    {"crm.v1.ServiceDeskService/UpdateCalendar", UpdateCalendar},
    {"crm.v1.ServiceDeskService/CreateSlaPolicy", CreateSlaPolicy},
    {"crm.v1.ServiceDeskService/UpdateSlaPolicy", UpdateSlaPolicy},
    {"crm.v1.ServiceDeskService/DeleteSlaPolicy", DeleteSlaPolicy},
    {"crm.v1.ServiceDeskService/CreateSolution", CreateSolution},
    {"crm.v1.ServiceDeskService/UpdateSolution", UpdateSolution},
    {"crm.v1.ServiceDeskService/DeleteSolution", DeleteSolution},
    {"crm.v1.ServiceDeskService/LinkSolution", LinkSolution},
    {"crm.v1.ServiceDeskService/SubmitSurvey", SubmitSurvey},
    {"crm.v1.AdminService/SetUser", SetUser},
    {"crm.v1.AdminService/CreateAccessToken", CreateAccessToken},
    {"crm.v1.AdminService/RevokeAccessToken", RevokeAccessToken},
    {"crm.v1.CustomFieldService/CreateCustomField", CreateCustomField},
    {"crm.v1.CustomFieldService/UpdateCustomField", UpdateCustomField},
    {"crm.v1.CustomFieldService/DeleteCustomField", DeleteCustomField},
    {"crm.v1.CustomFieldService/UndeleteCustomField", UndeleteCustomField},
    {"crm.v1.DuplicateService/UpdateDuplicateSettings", UpdateDuplicateSettings},
    {"crm.v1.DuplicateService/MergeAccounts", MergeAccounts},
    {"crm.v1.DuplicateService/MergeContacts", MergeContacts},
};

}  // namespace

std::vector<std::string> CatalogueMethods() {
  std::vector<std::string> methods;
  for (const Step& step : kSteps) methods.emplace_back(step.method);
  return methods;
}

void WalkEveryMutation(TestServer& server, const std::string& user,
                       const std::function<void(const MutationResult&)>& report) {
  Walk walk(server, user);
  for (const Step& step : kSteps) {
    MutationResult result = step.run(walk);
    result.method = step.method;
    if (grpc::Status support = walk.TakeSupportFailure(); !support.ok()) result.status = support;
    report(result);
  }
}

}  // namespace crm::testing
