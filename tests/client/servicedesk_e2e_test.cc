// ServiceDeskClient and crmctl's service desk nouns against a real in-process server, on every
// backend: calendars and SLA policies (the compact hours / targets / escalation syntax
// included), a ticket's life with its SLA timers, pauses and history, ExplainDeadline across a
// weekend, the knowledge base with search and links, satisfaction surveys; crmctl's output and
// exit codes (0 ok, 1 the call failed, 2 usage).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using ::testing::ElementsAre;
using testing::HasCodeAndField;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUnknownPolicyId[] = "slap_01ARZ3NDEKTSV4RRFFQ69G5FAV";

// Instants in UTC; Berlin is UTC+1 in March before the DST change on the 29th.
absl::Time Utc(int year, int month, int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute), absl::UTCTimeZone());
}

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

// Monday to Friday 09:00-17:00 in Berlin.
v1::BusinessCalendar OfficeHours(const std::string& name) {
  v1::BusinessCalendar calendar;
  calendar.set_name(name);
  calendar.set_time_zone("Europe/Berlin");
  for (int day = 1; day <= 5; ++day) {
    v1::WorkingHours* hours = calendar.add_hours();
    hours->set_weekday(day);
    hours->set_start_minute(9 * 60);
    hours->set_end_minute(17 * 60);
  }
  return calendar;
}

class ServiceDeskEndToEndTest : public ClientEndToEndTest {
 protected:
  void SetUp() override {
    ClientEndToEndTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Monday 2026-03-02 09:00 in Berlin: the start of a business day.
    server_->clock().Set(Utc(2026, 3, 2, 8));
    account_ = MustCreate("Service Co").id();
  }

  client::ServiceDeskClient desk() const { return gateway_->servicedesk(); }

  v1::BusinessCalendar MustCreateCalendar(const std::string& name) {
    v1::CreateCalendarRequest request;
    *request.mutable_calendar() = OfficeHours(name);
    absl::StatusOr<v1::BusinessCalendar> created = desk().CreateCalendar(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::BusinessCalendar());
  }

  // P1: 60 / 240 business minutes, P3: 4h / 16h; escalation to tier2 on breach.
  v1::SlaPolicy MustCreatePolicy(const std::string& calendar_id, int precedence = 10) {
    v1::CreateSlaPolicyRequest request;
    v1::SlaPolicy& policy = *request.mutable_policy();
    policy.set_name(absl::StrCat("Standard ", precedence));
    policy.set_precedence(precedence);
    policy.set_calendar_id(calendar_id);
    v1::SlaPriorityTarget* p1 = policy.add_targets();
    p1->set_priority(v1::TICKET_PRIORITY_P1);
    p1->set_first_response_minutes(60);
    p1->set_resolution_minutes(240);
    v1::SlaPriorityTarget* p3 = policy.add_targets();
    p3->set_priority(v1::TICKET_PRIORITY_P3);
    p3->set_first_response_minutes(240);
    p3->set_resolution_minutes(960);
    v1::EscalationStep* step = policy.add_escalation();
    step->set_level(1);
    step->set_trigger(v1::ESCALATION_TRIGGER_BREACH);
    step->set_assignee_group("tier2");
    absl::StatusOr<v1::SlaPolicy> created = desk().CreateSlaPolicy(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::SlaPolicy());
  }

  // A calendar and a policy covering every account, so that tickets get SLA targets.
  void MustSetUpSla() {
    calendar_ = MustCreateCalendar("Berlin office");
    policy_ = MustCreatePolicy(calendar_.id());
  }

  v1::Ticket MustCreateTicket(const std::string& subject,
                              v1::TicketPriority priority = v1::TICKET_PRIORITY_P1) {
    v1::CreateTicketRequest request;
    request.mutable_ticket()->set_account_id(account_);
    request.mutable_ticket()->set_subject(subject);
    request.mutable_ticket()->set_priority(priority);
    request.mutable_ticket()->set_channel(v1::TICKET_CHANNEL_EMAIL);
    absl::StatusOr<v1::Ticket> created = desk().CreateTicket(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(v1::Ticket());
  }

  absl::StatusOr<v1::Ticket> ChangeStatus(const std::string& id, v1::TicketStatus status,
                                          const std::string& reason = "") {
    v1::ChangeTicketStatusRequest request;
    request.set_id(id);
    request.set_status(status);
    request.set_reason(reason);
    return desk().ChangeTicketStatus(request);
  }

  absl::StatusOr<v1::TicketComment> Comment(const std::string& ticket_id, const std::string& body,
                                            v1::CommentVisibility visibility) {
    v1::AddCommentRequest request;
    request.mutable_comment()->set_ticket_id(ticket_id);
    request.mutable_comment()->set_body(body);
    request.mutable_comment()->set_visibility(visibility);
    return desk().AddComment(request);
  }

  std::string account_;
  v1::BusinessCalendar calendar_;
  v1::SlaPolicy policy_;
};

// ---- Calendars and SLA policies ---------------------------------------------------------------

TEST_P(ServiceDeskEndToEndTest, CalendarsThroughTheClient) {
  v1::CreateCalendarRequest create;
  *create.mutable_calendar() = OfficeHours("Berlin office");
  create.set_request_id("calendar-once");
  absl::StatusOr<v1::BusinessCalendar> created = desk().CreateCalendar(create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->hours_size(), 5);
  EXPECT_EQ(created->time_zone(), "Europe/Berlin");
  // The same request_id again is the same calendar, not a second one.
  absl::StatusOr<v1::BusinessCalendar> replayed = desk().CreateCalendar(create);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->id(), created->id());
  MustCreateCalendar("Night shift");

  v1::ListCalendarsRequest list;
  list.set_page_size(1);  // one per page: ListAll must follow the tokens
  std::set<std::string> names;
  for (const absl::StatusOr<v1::BusinessCalendar>& calendar : desk().ListAllCalendars(list)) {
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    names.insert(calendar->name());
  }
  EXPECT_EQ(names, (std::set<std::string>{"Berlin office", "Night shift"}));

  v1::UpdateCalendarRequest update;
  update.mutable_calendar()->set_id(created->id());
  v1::CalendarHoliday* christmas = update.mutable_calendar()->add_holidays();
  christmas->mutable_date()->set_year(2026);
  christmas->mutable_date()->set_month(12);
  christmas->mutable_date()->set_day(25);
  christmas->set_name("Christmas Day");
  update.mutable_update_mask()->add_paths("holidays");
  update.set_etag(created->etag());
  absl::StatusOr<v1::BusinessCalendar> updated = desk().UpdateCalendar(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  ASSERT_EQ(updated->holidays_size(), 1);
  EXPECT_EQ(updated->holidays(0).name(), "Christmas Day");
  EXPECT_EQ(updated->hours_size(), 5);  // not in the mask: kept
  // The same update again carries a stale etag now.
  EXPECT_TRUE(HasCodeAndField(desk().UpdateCalendar(update).status(), absl::StatusCode::kAborted));

  v1::GetCalendarRequest get;
  get.set_id(created->id());
  absl::StatusOr<v1::BusinessCalendar> got = desk().GetCalendar(get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->etag(), updated->etag());

  v1::CreateCalendarRequest bad;
  *bad.mutable_calendar() = OfficeHours("Mars base");
  bad.mutable_calendar()->set_time_zone("Mars/Olympus_Mons");
  EXPECT_TRUE(HasCodeAndField(desk().CreateCalendar(bad).status(),
                              absl::StatusCode::kInvalidArgument, "calendar.time_zone"));
}

TEST_P(ServiceDeskEndToEndTest, SlaPoliciesThroughTheClient) {
  const v1::BusinessCalendar calendar = MustCreateCalendar("Berlin office");
  const v1::SlaPolicy later = MustCreatePolicy(calendar.id(), 20);
  const v1::SlaPolicy first = MustCreatePolicy(calendar.id(), 5);
  ASSERT_EQ(first.targets_size(), 2);
  EXPECT_EQ(first.targets(0).resolution_minutes(), 240);
  EXPECT_EQ(first.escalation(0).assignee_group(), "tier2");

  std::vector<std::string> order;
  for (const absl::StatusOr<v1::SlaPolicy>& policy :
       desk().ListAllSlaPolicies(v1::ListSlaPoliciesRequest())) {
    ASSERT_TRUE(policy.ok()) << policy.status();
    order.push_back(policy->id());
  }
  EXPECT_THAT(order, ElementsAre(first.id(), later.id()));  // precedence order

  v1::UpdateSlaPolicyRequest update;
  update.mutable_policy()->set_id(later.id());
  update.mutable_policy()->set_warning_percent(50);
  update.mutable_update_mask()->add_paths("warning_percent");
  update.set_etag(later.etag());
  absl::StatusOr<v1::SlaPolicy> updated = desk().UpdateSlaPolicy(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->warning_percent(), 50);
  EXPECT_EQ(updated->targets_size(), 2);

  v1::DeleteSlaPolicyRequest remove;
  remove.set_id(later.id());
  remove.set_etag(later.etag());  // stale since the update
  EXPECT_TRUE(HasCodeAndField(desk().DeleteSlaPolicy(remove).status(), absl::StatusCode::kAborted));
  remove.set_etag(updated->etag());
  EXPECT_TRUE(desk().DeleteSlaPolicy(remove).ok());
  v1::GetSlaPolicyRequest get;
  get.set_id(later.id());
  EXPECT_EQ(desk().GetSlaPolicy(get).status().code(), absl::StatusCode::kNotFound);
  get.set_id(kUnknownPolicyId);
  EXPECT_EQ(desk().GetSlaPolicy(get).status().code(), absl::StatusCode::kNotFound);

  v1::CreateSlaPolicyRequest bad;
  bad.mutable_policy()->set_name("No targets");
  bad.mutable_policy()->set_calendar_id(calendar.id());
  EXPECT_TRUE(HasCodeAndField(desk().CreateSlaPolicy(bad).status(),
                              absl::StatusCode::kInvalidArgument, "policy.targets"));
}

TEST_P(ServiceDeskEndToEndTest, CalendarsAndPoliciesThroughCrmctlInCompactSyntax) {
  nlohmann::json calendar =
      CrmctlJson({"calendars", "create", "name=Berlin office", "tz=Europe/Berlin",
                  "hours=mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00",
                  "holidays=2026-12-25 Christmas Day; 2027-01-01"});
  const std::string calendar_id = calendar.value("id", "");
  ASSERT_FALSE(calendar_id.empty());
  ASSERT_EQ(calendar["hours"].size(), 11u);
  EXPECT_EQ(calendar["hours"][0]["weekday"], 1);
  EXPECT_EQ(calendar["hours"][0]["start_minute"], 540);
  EXPECT_EQ(calendar["hours"][10]["weekday"], 6);
  EXPECT_EQ(calendar["holidays"][0]["name"], "Christmas Day");

  // Tables show the same compact forms that were typed.
  const std::string shown = CrmctlTable({"calendars", "get", calendar_id});
  EXPECT_THAT(shown, HasSubstr("hours: mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"));
  EXPECT_THAT(shown, HasSubstr("holidays: 2026-12-25 Christmas Day; 2027-01-01"));

  nlohmann::json updated = CrmctlJson({"calendars", "update", calendar_id, "hours=mon 08:00-16:00",
                                       "etag=" + calendar.value("etag", "")});
  ASSERT_EQ(updated["hours"].size(), 1u);
  EXPECT_EQ(updated["holidays"].size(), 2u);  // not given: kept
  // An update takes the short names a create does.
  nlohmann::json moved = CrmctlJson({"calendars", "update", calendar_id, "tz=Europe/Paris"});
  EXPECT_EQ(moved.value("time_zone", ""), "Europe/Paris");
  EXPECT_EQ(moved["hours"].size(), 1u);
  const std::string calendars = CrmctlTable({"calendars", "list"});
  EXPECT_THAT(calendars, HasSubstr(calendar_id));
  EXPECT_THAT(calendars, HasSubstr("mon 08:00-16:00"));

  nlohmann::json policy =
      CrmctlJson({"sla-policies", "create", "name=Gold", "precedence=1", "calendar=" + calendar_id,
                  "tiers=strategic,key", "targets=p1=60/240; p2=2h/1d", "warning=75",
                  "escalation=warning tier2; breach+90 managers/alice"});
  const std::string policy_id = policy.value("id", "");
  ASSERT_FALSE(policy_id.empty());
  EXPECT_EQ(policy["calendar_id"], calendar_id);
  EXPECT_EQ(policy["warning_percent"], 75);
  ASSERT_EQ(policy["targets"].size(), 2u);
  EXPECT_EQ(policy["targets"][1]["priority"], "TICKET_PRIORITY_P2");
  EXPECT_EQ(policy["targets"][1]["resolution_minutes"], "1440");  // int64 in JSON: a string
  ASSERT_EQ(policy["escalation"].size(), 2u);
  EXPECT_EQ(policy["escalation"][1]["level"], 2);
  EXPECT_EQ(policy["escalation"][1]["assignee"], "alice");
  EXPECT_EQ(policy["tiers"].size(), 2u);

  const std::string listed = CrmctlTable({"sla-policies", "list"});
  EXPECT_THAT(listed, HasSubstr(policy_id));
  EXPECT_THAT(listed, HasSubstr("p1=1h/4h; p2=2h/1d"));
  EXPECT_THAT(listed, HasSubstr("warning tier2; breach+90 managers/alice"));

  nlohmann::json retargeted = CrmctlJson({"sla-policies", "update", policy_id, "targets=p1=30/120",
                                          "etag=" + policy.value("etag", "")});
  ASSERT_EQ(retargeted["targets"].size(), 1u);
  EXPECT_EQ(retargeted["escalation"].size(), 2u);  // not given: kept

  std::string out, err;
  EXPECT_EQ(Crmctl({"sla-policies", "delete", policy_id}, &out, &err), 0) << err;
  EXPECT_EQ(out, "deleted " + policy_id + "\n");
  EXPECT_EQ(Crmctl({"sla-policies", "get", policy_id}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));

  // Syntax crmctl cannot read: a usage error naming the bad part, nothing sent.
  EXPECT_EQ(Crmctl({"calendars", "create", "name=X", "hours=someday 09:00-17:00"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("'someday'"));
  EXPECT_EQ(Crmctl({"sla-policies", "create", "name=X", "targets=p1=soon/later"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("'soon'"));
  // What the server refuses: exit 1 with the field.
  EXPECT_EQ(Crmctl({"calendars", "create", "name=Mars", "time_zone=Mars/Olympus_Mons",
                    "hours=mon 09:00-17:00"},
                   &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(err, HasSubstr("calendar.time_zone"));
}

// ---- Tickets ------------------------------------------------------------------------------------

TEST_P(ServiceDeskEndToEndTest, TicketLifeThroughTheClient) {
  MustSetUpSla();
  v1::CreateTicketRequest create;
  create.mutable_ticket()->set_account_id(account_);
  create.mutable_ticket()->set_subject("Printer on fire");
  create.mutable_ticket()->set_priority(v1::TICKET_PRIORITY_P1);
  create.set_request_id("ticket-once");
  absl::StatusOr<v1::Ticket> ticket = desk().CreateTicket(create);
  ASSERT_TRUE(ticket.ok()) << ticket.status();
  EXPECT_EQ(ticket->status(), v1::TICKET_STATUS_NEW);
  EXPECT_EQ(ticket->reporter(), "carol");
  EXPECT_EQ(ticket->sla_policy_id(), policy_.id());
  EXPECT_EQ(ticket->calendar_id(), calendar_.id());
  EXPECT_EQ(ticket->first_response().target_minutes(), 60);
  EXPECT_EQ(TimeOf(ticket->first_response().due_time()), Utc(2026, 3, 2, 9));
  EXPECT_EQ(TimeOf(ticket->resolution().due_time()), Utc(2026, 3, 2, 12));
  absl::StatusOr<v1::Ticket> replayed = desk().CreateTicket(create);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->id(), ticket->id());

  v1::AssignTicketRequest assign;
  assign.set_id(ticket->id());
  assign.set_assignee("bob");
  assign.set_assignee_group("tier1");
  assign.set_etag(ticket->etag());
  absl::StatusOr<v1::Ticket> assigned = desk().AssignTicket(assign);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->assignee(), "bob");
  EXPECT_EQ(assigned->assignee_group(), "tier1");
  EXPECT_EQ(assigned->status(), v1::TICKET_STATUS_OPEN);  // assigning a new ticket opens it
  EXPECT_EQ(desk().AssignTicket(assign).status().code(), absl::StatusCode::kAborted);

  server_->clock().Advance(absl::Minutes(20));
  absl::StatusOr<v1::TicketComment> reply =
      Comment(ticket->id(), "We are on it", v1::COMMENT_VISIBILITY_PUBLIC);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->author(), "carol");
  ASSERT_TRUE(Comment(ticket->id(), "Toner again?", v1::COMMENT_VISIBILITY_INTERNAL).ok());

  v1::GetTicketRequest get;
  get.set_id(ticket->id());
  absl::StatusOr<v1::Ticket> responded = desk().GetTicket(get);
  ASSERT_TRUE(responded.ok()) << responded.status();
  EXPECT_EQ(TimeOf(responded->first_response_time()), Utc(2026, 3, 2, 8, 20));
  EXPECT_EQ(TimeOf(responded->first_response().met_time()), Utc(2026, 3, 2, 8, 20));
  EXPECT_FALSE(responded->first_response().breached());

  // Two business hours waiting on the customer move the resolution due time by two hours.
  absl::StatusOr<v1::Ticket> pending = ChangeStatus(ticket->id(), v1::TICKET_STATUS_PENDING);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_TRUE(pending->resolution().paused());
  EXPECT_FALSE(pending->resolution().has_due_time());
  server_->clock().Advance(absl::Hours(2));
  absl::StatusOr<v1::Ticket> resumed = ChangeStatus(ticket->id(), v1::TICKET_STATUS_OPEN);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_FALSE(resumed->resolution().paused());
  EXPECT_EQ(TimeOf(resumed->resolution().due_time()), Utc(2026, 3, 2, 14));

  absl::StatusOr<v1::Ticket> resolved =
      ChangeStatus(ticket->id(), v1::TICKET_STATUS_RESOLVED, "replaced the toner");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_TRUE(resolved->has_resolve_time());
  v1::ReopenTicketRequest reopen;
  reopen.set_id(ticket->id());
  reopen.set_reason("on fire again");
  absl::StatusOr<v1::Ticket> reopened = desk().ReopenTicket(reopen);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->status(), v1::TICKET_STATUS_OPEN);
  ASSERT_TRUE(ChangeStatus(ticket->id(), v1::TICKET_STATUS_RESOLVED).ok());
  ASSERT_TRUE(ChangeStatus(ticket->id(), v1::TICKET_STATUS_CLOSED).ok());
  // Closed is final.
  EXPECT_EQ(ChangeStatus(ticket->id(), v1::TICKET_STATUS_OPEN).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Comment(ticket->id(), "hello?", v1::COMMENT_VISIBILITY_PUBLIC).status().code(),
            absl::StatusCode::kFailedPrecondition);

  v1::ListCommentsRequest comments;
  comments.set_ticket_id(ticket->id());
  comments.set_public_only(true);
  std::vector<std::string> bodies;
  for (const absl::StatusOr<v1::TicketComment>& comment : desk().ListAllComments(comments)) {
    ASSERT_TRUE(comment.ok()) << comment.status();
    bodies.push_back(comment->body());
  }
  EXPECT_THAT(bodies, ElementsAre("We are on it"));

  v1::ListTicketHistoryRequest history;
  history.set_ticket_id(ticket->id());
  history.set_page_size(2);
  std::vector<v1::TicketChangeKind> kinds;
  std::vector<std::string> statuses;
  for (const absl::StatusOr<v1::TicketChange>& change : desk().ListAllTicketHistory(history)) {
    ASSERT_TRUE(change.ok()) << change.status();
    kinds.push_back(change->kind());
    if (change->kind() == v1::TICKET_CHANGE_KIND_STATUS) statuses.push_back(change->to_value());
  }
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), v1::TICKET_CHANGE_KIND_CREATED);
  EXPECT_THAT(kinds, ::testing::Contains(v1::TICKET_CHANGE_KIND_ASSIGNED));
  EXPECT_THAT(kinds, ::testing::Contains(v1::TICKET_CHANGE_KIND_FIRST_RESPONSE));
  EXPECT_THAT(statuses,
              ::testing::IsSupersetOf({"TICKET_STATUS_OPEN", "TICKET_STATUS_PENDING",
                                       "TICKET_STATUS_RESOLVED", "TICKET_STATUS_CLOSED"}));
}

TEST_P(ServiceDeskEndToEndTest, AnAccountsTicketsNewestFirstAndFiltered) {
  MustSetUpSla();
  std::vector<std::string> created;
  for (const char* subject : {"first", "second", "third"}) {
    created.push_back(MustCreateTicket(subject, v1::TICKET_PRIORITY_P3).id());
    server_->clock().Advance(absl::Minutes(1));
  }
  const std::string urgent = MustCreateTicket("urgent").id();
  ASSERT_TRUE(ChangeStatus(urgent, v1::TICKET_STATUS_OPEN).ok());

  v1::ListTicketsRequest list;
  list.mutable_filter()->set_account_id(account_);
  list.set_page_size(1);
  std::vector<std::string> ids;
  for (const absl::StatusOr<v1::Ticket>& ticket : desk().ListAllTickets(list)) {
    ASSERT_TRUE(ticket.ok()) << ticket.status();
    ids.push_back(ticket->id());
  }
  EXPECT_THAT(ids, ElementsAre(urgent, created[2], created[1], created[0]));

  v1::ListTicketsRequest p3_new;
  p3_new.mutable_filter()->add_statuses(v1::TICKET_STATUS_NEW);
  p3_new.mutable_filter()->set_priority(v1::TICKET_PRIORITY_P3);
  absl::StatusOr<v1::ListTicketsResponse> page = desk().ListTickets(p3_new);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->tickets_size(), 3);

  v1::ListTicketsRequest open;
  open.mutable_filter()->add_statuses(v1::TICKET_STATUS_OPEN);
  page = desk().ListTickets(open);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tickets_size(), 1);
  EXPECT_EQ(page->tickets(0).id(), urgent);

  v1::CreateTicketRequest bad;
  bad.mutable_ticket()->set_account_id(account_);
  bad.mutable_ticket()->set_subject("No priority");
  EXPECT_TRUE(HasCodeAndField(desk().CreateTicket(bad).status(), absl::StatusCode::kInvalidArgument,
                              "ticket.priority"));
}

TEST_P(ServiceDeskEndToEndTest, ExplainDeadlineAcrossAWeekend) {
  MustSetUpSla();
  // Friday 16:30 in Berlin: 30 minutes of Friday count, then Monday from 09:00.
  server_->clock().Set(Utc(2026, 3, 6, 15, 30));
  const v1::Ticket ticket = MustCreateTicket("Friday afternoon");
  EXPECT_EQ(TimeOf(ticket.first_response().due_time()), Utc(2026, 3, 9, 8, 30));

  v1::ExplainDeadlineRequest explain;
  explain.set_ticket_id(ticket.id());
  explain.set_target(v1::SLA_TARGET_FIRST_RESPONSE);
  absl::StatusOr<v1::DeadlineExplanation> explanation = desk().ExplainDeadline(explain);
  ASSERT_TRUE(explanation.ok()) << explanation.status();
  EXPECT_EQ(explanation->target_minutes(), 60);
  EXPECT_EQ(explanation->time_zone(), "Europe/Berlin");
  EXPECT_EQ(TimeOf(explanation->due_time()), Utc(2026, 3, 9, 8, 30));
  ASSERT_FALSE(explanation->segments().empty());
  EXPECT_EQ(TimeOf(explanation->segments(0).start_time()), Utc(2026, 3, 6, 15, 30));
  EXPECT_EQ(TimeOf(explanation->segments().rbegin()->end_time()), Utc(2026, 3, 9, 8, 30));
  absl::Duration counted;
  bool saturday_skipped = false;
  for (const v1::DeadlineSegment& segment : explanation->segments()) {
    if (segment.kind() == v1::DEADLINE_SEGMENT_KIND_COUNTED) {
      counted += TimeOf(segment.end_time()) - TimeOf(segment.start_time());
    }
    if (segment.kind() == v1::DEADLINE_SEGMENT_KIND_NO_HOURS_DAY &&
        segment.local_date().day() == 7) {
      saturday_skipped = true;
    }
  }
  EXPECT_EQ(counted, absl::Minutes(60));
  EXPECT_TRUE(saturday_skipped);

  std::string out, err;
  ASSERT_EQ(Crmctl({"tickets", "explain", ticket.id(), "target=first-response"}, &out, &err), 0)
      << err;
  EXPECT_THAT(out, HasSubstr("time_zone"));
  EXPECT_THAT(out, HasSubstr("no_hours_day"));
  EXPECT_THAT(out, HasSubstr("2026-03-07"));  // Saturday's local date
}

TEST_P(ServiceDeskEndToEndTest, TicketsThroughCrmctl) {
  MustSetUpSla();
  nlohmann::json ticket =
      CrmctlJson({"tickets", "create", "account=" + account_, "subject=VPN down", "priority=p1",
                  "channel=phone", "category=network"});
  const std::string id = ticket.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(ticket["reporter"], "dave");
  EXPECT_EQ(ticket["priority"], "TICKET_PRIORITY_P1");
  EXPECT_EQ(ticket["sla_policy_id"], policy_.id());

  nlohmann::json assigned = CrmctlJson({"tickets", "assign", id, "assignee=erin", "group=network"});
  EXPECT_EQ(assigned["assignee"], "erin");
  EXPECT_EQ(assigned["assignee_group"], "network");
  nlohmann::json waiting =
      CrmctlJson({"tickets", "status", id, "pending", "reason=asked for logs"});
  EXPECT_EQ(waiting["status"], "TICKET_STATUS_PENDING");
  nlohmann::json opened = CrmctlJson({"tickets", "status", id, "open", "reason=logs arrived"});
  EXPECT_EQ(opened["status"], "TICKET_STATUS_OPEN");
  nlohmann::json reply = CrmctlJson({"tickets", "comment", id, "body=Restarting the gateway"});
  EXPECT_EQ(reply["visibility"], "COMMENT_VISIBILITY_PUBLIC");
  EXPECT_EQ(reply["author"], "dave");
  nlohmann::json note = CrmctlJson({"tickets", "comment", id, "body=It was DNS", "--internal"});
  EXPECT_EQ(note["visibility"], "COMMENT_VISIBILITY_INTERNAL");

  nlohmann::json public_comments = CrmctlJson({"tickets", "comments", id, "--public_only"});
  ASSERT_EQ(public_comments["comments"].size(), 1u);
  EXPECT_EQ(public_comments["comments"][0]["body"], "Restarting the gateway");

  const std::string listed =
      CrmctlTable({"tickets", "list", "account=" + account_, "status=open,pending", "priority=p1"});
  EXPECT_THAT(listed, HasSubstr(id));
  EXPECT_THAT(listed, HasSubstr("VPN down"));
  EXPECT_THAT(listed, HasSubstr("erin"));
  // Optional filters: given as false / 0 they still filter.
  nlohmann::json on_time = CrmctlJson({"tickets", "list", "breached=false", "level=0"});
  ASSERT_EQ(on_time["tickets"].size(), 1u);
  EXPECT_EQ(on_time["tickets"][0]["id"], id);
  nlohmann::json escalated = CrmctlJson({"tickets", "list", "level=1"});
  EXPECT_EQ(escalated.count("tickets"), 0u);
  const std::string none = CrmctlTable({"tickets", "list", "status=closed"});
  EXPECT_THAT(none, Not(HasSubstr(id)));

  // The first response is met; four business hours are left to resolve (the clock stands still).
  EXPECT_THAT(CrmctlTable({"tickets", "get", id}), HasSubstr("remaining: resolution 4h\n"));

  const std::string history = CrmctlTable({"tickets", "history", id, "--all"});
  EXPECT_THAT(history, HasSubstr("created"));
  EXPECT_THAT(history, HasSubstr("assigned"));
  EXPECT_THAT(history, HasSubstr("first_response"));
  EXPECT_THAT(history, HasSubstr("dave"));

  nlohmann::json updated = CrmctlJson({"tickets", "update", id, "priority=p3", "subject=VPN slow"});
  EXPECT_EQ(updated["priority"], "TICKET_PRIORITY_P3");
  EXPECT_EQ(updated["subject"], "VPN slow");

  nlohmann::json resolved = CrmctlJson({"tickets", "status", id, "resolved", "reason=DNS fixed"});
  EXPECT_EQ(resolved["status"], "TICKET_STATUS_RESOLVED");
  nlohmann::json reopened = CrmctlJson({"tickets", "reopen", id, "reason=slow again"});
  EXPECT_EQ(reopened["status"], "TICKET_STATUS_OPEN");

  std::string out, err;
  EXPECT_EQ(Crmctl({"tickets", "status", id, "bogus"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("unknown TicketStatus 'bogus'"));
  EXPECT_EQ(Crmctl({"tickets", "status", id, "closed"}, &out, &err), 1);  // open → closed
  EXPECT_THAT(err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_EQ(Crmctl({"tickets", "create", "account=" + account_, "subject=No priority"}, &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("ticket.priority"));
}

// ---- Knowledge base and surveys
// ------------------------------------------------------------------

TEST_P(ServiceDeskEndToEndTest, SolutionsSearchedAndLinkedThroughTheClient) {
  MustSetUpSla();
  const v1::Ticket ticket = MustCreateTicket("Printer offline");
  v1::CreateSolutionRequest create;
  create.mutable_solution()->set_title("Printer shows offline");
  create.mutable_solution()->set_body("Power-cycle the printer, then re-add the queue.");
  create.mutable_solution()->add_tags("printer");
  create.mutable_solution()->set_category("hardware");
  absl::StatusOr<v1::Solution> printer = desk().CreateSolution(create);
  ASSERT_TRUE(printer.ok()) << printer.status();
  EXPECT_EQ(printer->author(), "carol");
  create.mutable_solution()->set_title("VPN drops every hour");
  create.mutable_solution()->set_body("Renew the certificate.");
  create.mutable_solution()->clear_tags();
  create.mutable_solution()->set_category("network");
  ASSERT_TRUE(desk().CreateSolution(create).ok());

  v1::SearchSolutionsRequest search;
  search.set_query("printer offline");
  absl::StatusOr<v1::SearchSolutionsResponse> found = desk().SearchSolutions(search);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits_size(), 1);
  EXPECT_EQ(found->hits(0).solution().id(), printer->id());

  v1::LinkSolutionRequest link;
  link.set_ticket_id(ticket.id());
  link.set_solution_id(printer->id());
  absl::StatusOr<v1::SolutionLink> linked = desk().LinkSolution(link);
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(linked->linked_by(), "carol");
  EXPECT_EQ(desk().LinkSolution(link).status().code(), absl::StatusCode::kAlreadyExists);

  v1::GetSolutionRequest get;
  get.set_id(printer->id());
  absl::StatusOr<v1::Solution> used = desk().GetSolution(get);
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ(used->usage_count(), 1);

  v1::ListSolutionLinksRequest links;
  links.set_ticket_id(ticket.id());
  std::vector<std::string> solutions;
  for (const absl::StatusOr<v1::SolutionLink>& l : desk().ListAllSolutionLinks(links)) {
    ASSERT_TRUE(l.ok()) << l.status();
    solutions.push_back(l->solution_id());
  }
  EXPECT_THAT(solutions, ElementsAre(printer->id()));
}

TEST_P(ServiceDeskEndToEndTest, SolutionsThroughCrmctl) {
  MustSetUpSla();
  const v1::Ticket ticket = MustCreateTicket("Mail bounces");
  nlohmann::json solution =
      CrmctlJson({"solutions", "create", "title=Mail bounces with 550", "body=Check the SPF record",
                  "tags=mail,dns", "category=mail"});
  const std::string id = solution.value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(solution["tags"].size(), 2u);

  const std::string hits = CrmctlTable({"solutions", "search", "bounces", "spf"});
  EXPECT_THAT(hits, HasSubstr(id));
  EXPECT_THAT(hits, HasSubstr("Mail bounces with 550"));
  nlohmann::json none = CrmctlJson({"solutions", "search", "query=kubernetes"});
  EXPECT_EQ(none.count("hits"), 0u);

  nlohmann::json link = CrmctlJson({"solutions", "link", ticket.id(), id});
  EXPECT_EQ(link["linked_by"], "dave");
  const std::string links = CrmctlTable({"solutions", "links", "solution=" + id});
  EXPECT_THAT(links, HasSubstr(ticket.id()));
  const std::string listed = CrmctlTable({"solutions", "list", "category=mail"});
  EXPECT_THAT(listed, HasSubstr(id));

  nlohmann::json updated = CrmctlJson({"solutions", "update", id, "title=Mail bounces (550)",
                                       "etag=" + solution.value("etag", "")});
  EXPECT_EQ(updated["title"], "Mail bounces (550)");
  std::string out, err;
  EXPECT_EQ(Crmctl({"solutions", "delete", id}, &out, &err), 0) << err;
  EXPECT_EQ(out, "deleted " + id + "\n");
  EXPECT_EQ(Crmctl({"solutions", "get", id}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));
}

TEST_P(ServiceDeskEndToEndTest, OneSurveyPerResolvedTicket) {
  MustSetUpSla();
  const v1::Ticket ticket = MustCreateTicket("Laptop slow");
  std::string out, err;
  // Before resolution: refused by the server.
  EXPECT_EQ(Crmctl({"survey", "submit", ticket.id(), "score=4"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("FAILED_PRECONDITION"));
  ASSERT_TRUE(ChangeStatus(ticket.id(), v1::TICKET_STATUS_RESOLVED).ok());

  v1::SubmitSurveyRequest submit;
  submit.mutable_survey()->set_ticket_id(ticket.id());
  submit.mutable_survey()->set_score(6);
  EXPECT_TRUE(HasCodeAndField(desk().SubmitSurvey(submit).status(),
                              absl::StatusCode::kInvalidArgument, "survey.score"));

  nlohmann::json survey =
      CrmctlJson({"survey", "submit", ticket.id(), "score=5", "comment=Fast and friendly"});
  EXPECT_EQ(survey["score"], 5);
  submit.mutable_survey()->set_score(1);
  EXPECT_EQ(desk().SubmitSurvey(submit).status().code(), absl::StatusCode::kAlreadyExists);

  v1::GetSurveyRequest get;
  get.set_ticket_id(ticket.id());
  absl::StatusOr<v1::SatisfactionSurvey> got = desk().GetSurvey(get);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->score(), 5);
  EXPECT_EQ(got->comment(), "Fast and friendly");
  const std::string shown = CrmctlTable({"survey", "get", ticket.id()});
  EXPECT_THAT(shown, HasSubstr("Fast and friendly"));
}

// ---- Escalation and metrics -------------------------------------------------------------------

TEST_P(ServiceDeskEndToEndTest, ManualEscalationAndServiceMetrics) {
  MustSetUpSla();
  const v1::Ticket by_client = MustCreateTicket("Server room flooded");
  const v1::Ticket by_crmctl = MustCreateTicket("Badge reader dead");

  v1::EscalateTicketRequest escalate;
  escalate.set_id(by_client.id());
  EXPECT_TRUE(HasCodeAndField(desk().EscalateTicket(escalate).status(),
                              absl::StatusCode::kInvalidArgument, "reason"));
  escalate.set_reason("water rising");
  escalate.set_etag(by_client.etag());
  absl::StatusOr<v1::Ticket> escalated = desk().EscalateTicket(escalate);
  ASSERT_TRUE(escalated.ok()) << escalated.status();
  EXPECT_EQ(escalated->escalation_level(), 1);
  EXPECT_EQ(escalated->assignee_group(), "tier2");  // level 1 of the policy's chain
  EXPECT_EQ(desk().EscalateTicket(escalate).status().code(), absl::StatusCode::kAborted);

  nlohmann::json raised =
      CrmctlJson({"tickets", "escalate", by_crmctl.id(), "reason=nobody can get in"});
  EXPECT_EQ(raised["escalation_level"], 1);
  EXPECT_EQ(raised["assignee_group"], "tier2");
  const std::string history = CrmctlTable({"tickets", "history", by_crmctl.id()});
  EXPECT_THAT(history, HasSubstr("escalated"));
  EXPECT_THAT(history, HasSubstr("nobody can get in"));

  ASSERT_TRUE(ChangeStatus(by_client.id(), v1::TICKET_STATUS_RESOLVED).ok());
  v1::SubmitSurveyRequest survey;
  survey.mutable_survey()->set_ticket_id(by_client.id());
  survey.mutable_survey()->set_score(4);
  ASSERT_TRUE(desk().SubmitSurvey(survey).ok());

  v1::GetServiceMetricsRequest request;
  request.set_group_by(v1::METRICS_GROUPING_PRIORITY);
  absl::StatusOr<v1::ServiceMetrics> metrics = desk().GetServiceMetrics(request);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->totals().tickets_created(), 2);
  EXPECT_EQ(metrics->totals().tickets_resolved(), 1);
  EXPECT_EQ(metrics->totals().escalations(), 2);
  ASSERT_TRUE(metrics->totals().has_csat_mean());
  EXPECT_DOUBLE_EQ(metrics->totals().csat_mean(), 4.0);
  ASSERT_EQ(metrics->rows_size(), 1);
  EXPECT_EQ(metrics->rows(0).key(), "TICKET_PRIORITY_P1");
  int64_t open_p1 = 0;
  for (const v1::BacklogCount& count : metrics->backlog()) {
    if (count.priority() == v1::TICKET_PRIORITY_P1) open_p1 = count.open();
  }
  EXPECT_EQ(open_p1, 1);

  nlohmann::json totals = CrmctlJson({"service-metrics", "get", "group_by=priority"});
  EXPECT_EQ(totals["totals"]["tickets_created"], "2");  // int64 in JSON: a string
  const std::string table = CrmctlTable({"service-metrics", "get", "group-by=priority"});
  EXPECT_THAT(table, HasSubstr("(all)"));
  EXPECT_THAT(table, HasSubstr("TICKET_PRIORITY_P1"));
  EXPECT_THAT(table, HasSubstr("Backlog now:"));
  std::string out, err;
  EXPECT_EQ(Crmctl({"service-metrics", "get", "period_start=2026-03-05", "period_end=2026-03-01"},
                   &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("period_end"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceDeskEndToEndTest,
                         ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
