// ServiceDeskService tickets: creation with SLA targets counted in business time, the status
// flow with its pauses, comments and first response, history, lists and filters, ExplainDeadline,
// through a real in-process server and stub with a fake clock, on every backend.
//
// The calendar is Monday to Friday 09:00-17:00 Europe/Berlin with a holiday on Wednesday
// 2026-12-02; November / December 2026 are CET (UTC+1). Expected due times are worked out by hand
// in the comments next to them.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Ticket;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownTicketId[] = "tkt_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";

// Wall-clock time in Berlin.
absl::Time Berlin(int year, int month, int day, int hour, int minute = 0) {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/Berlin", &z);
    return z;
  }();
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute), zone);
}

absl::Time T(const google::protobuf::Timestamp& ts) { return TimestampToTime(ts); }
std::string Show(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", T(ts), absl::UTCTimeZone());
}
absl::Duration D(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

crm::v1::SlaPriorityTarget Target(crm::v1::TicketPriority priority, int64_t first, int64_t resolution) {
  crm::v1::SlaPriorityTarget t;
  t.set_priority(priority);
  t.set_first_response_minutes(first);
  t.set_resolution_minutes(resolution);
  return t;
}

class TicketTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    SetNow(Berlin(2026, 11, 30, 9));
    ASSERT_NO_FATAL_FAILURE(SetUpSla());
    account_ = MustCreateAccount("Acme GmbH");
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  void SetNow(absl::Time t) { server_->clock().Set(t); }
  void Advance(absl::Duration d) { server_->clock().Advance(d); }

  // The calendar, a policy for KEY accounts and a catch-all; P4 has no target anywhere.
  void SetUpSla() {
    crm::v1::CreateCalendarRequest calendar_request;
    crm::v1::BusinessCalendar* c = calendar_request.mutable_calendar();
    c->set_name("Berlin office");
    c->set_time_zone("Europe/Berlin");
    for (int day = 1; day <= 5; ++day) {
      crm::v1::WorkingHours* h = c->add_hours();
      h->set_weekday(day);
      h->set_start_minute(9 * 60);
      h->set_end_minute(17 * 60);
    }
    crm::v1::CalendarHoliday* holiday = c->add_holidays();
    holiday->mutable_date()->set_year(2026);
    holiday->mutable_date()->set_month(12);
    holiday->mutable_date()->set_day(2);
    holiday->set_name("Company Day");
    crm::v1::BusinessCalendar calendar;
    ASSERT_GRPC_OK(desk_->CreateCalendar(CallAs().get(), calendar_request, &calendar));
    calendar_id_ = calendar.id();

    crm::v1::CreateSlaPolicyRequest key_request;
    crm::v1::SlaPolicy* key = key_request.mutable_policy();
    key->set_name("Key accounts");
    key->set_precedence(1);
    key->add_tiers(crm::v1::ACCOUNT_TIER_KEY);
    key->set_calendar_id(calendar_id_);
    key->set_warning_percent(50);
    *key->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 60, 240);
    *key->add_targets() = Target(crm::v1::TICKET_PRIORITY_P2, 120, 480);
    crm::v1::SlaPolicy created;
    ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), key_request, &created));
    key_policy_id_ = created.id();

    crm::v1::CreateSlaPolicyRequest default_request;
    crm::v1::SlaPolicy* fallback = default_request.mutable_policy();
    fallback->set_name("Everyone else");
    fallback->set_precedence(10);
    fallback->set_calendar_id(calendar_id_);
    fallback->set_warning_percent(50);
    *fallback->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 120, 480);
    *fallback->add_targets() = Target(crm::v1::TICKET_PRIORITY_P2, 120, 960);
    *fallback->add_targets() = Target(crm::v1::TICKET_PRIORITY_P3, 480, 2400);
    ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), default_request, &created));
    default_policy_id_ = created.id();
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

  std::string MustCreateContact(const std::string& account_id) {
    crm::v1::CreateContactRequest request;
    request.mutable_contact()->set_account_id(account_id);
    request.mutable_contact()->set_full_name("Jane Roe");
    crm::v1::Contact out;
    grpc::Status s = accounts_->CreateContact(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  // The tier belongs to key-account management (not built yet), so tests set it in the table.
  void SetTier(const std::string& account_id, crm::v1::AccountTier tier) {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = tier;
      tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(number, "tier"),
          soci::use(account_id, "id");
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  long long Count(const std::string& sql_text, const std::string& key) {
    long long n = -1;
    absl::Status s = server_->runtime().db->Read([&](soci::session& sql) -> absl::Status {
      sql << sql_text, soci::use(key), soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }
  long long EventCount(const std::string& type) {
    return Count("SELECT COUNT(*) FROM events WHERE type = :type", type);
  }

  Ticket MakeTicket(crm::v1::TicketPriority priority = crm::v1::TICKET_PRIORITY_P2, const std::string& account = "") {
    Ticket t;
    t.set_account_id(account.empty() ? account_ : account);
    t.set_priority(priority);
    t.set_subject("Printer on fire");
    t.set_description("It is on fire.");
    t.set_channel(crm::v1::TICKET_CHANNEL_EMAIL);
    t.set_category("hardware");
    return t;
  }

  grpc::Status Create(const Ticket& ticket, Ticket* out, const std::string& request_id = "") {
    crm::v1::CreateTicketRequest request;
    *request.mutable_ticket() = ticket;
    request.set_request_id(request_id);
    return desk_->CreateTicket(CallAs("alice").get(), request, out);
  }
  Ticket MustCreate(const Ticket& ticket) {
    Ticket out;
    grpc::Status s = Create(ticket, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  Ticket MustGet(const std::string& id) {
    crm::v1::GetTicketRequest request;
    request.set_id(id);
    Ticket out;
    grpc::Status s = desk_->GetTicket(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status ChangeStatus(const std::string& id, crm::v1::TicketStatus status, Ticket* out,
                            const std::string& reason = "", const std::string& etag = "") {
    crm::v1::ChangeTicketStatusRequest request;
    request.set_id(id);
    request.set_status(status);
    request.set_reason(reason);
    request.set_etag(etag);
    return desk_->ChangeTicketStatus(CallAs("agent").get(), request, out);
  }
  Ticket MustChangeStatus(const std::string& id, crm::v1::TicketStatus status, const std::string& reason = "") {
    Ticket out;
    grpc::Status s = ChangeStatus(id, status, &out, reason);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Reopen(const std::string& id, Ticket* out) {
    crm::v1::ReopenTicketRequest request;
    request.set_id(id);
    request.set_reason("not fixed after all");
    return desk_->ReopenTicket(CallAs("agent").get(), request, out);
  }
  grpc::Status Comment(const std::string& ticket_id, crm::v1::CommentVisibility visibility,
                       crm::v1::CommentAuthorKind author_kind, crm::v1::TicketComment* out,
                       const std::string& body = "We are on it.", const std::string& request_id = "") {
    crm::v1::AddCommentRequest request;
    request.mutable_comment()->set_ticket_id(ticket_id);
    request.mutable_comment()->set_visibility(visibility);
    request.mutable_comment()->set_author_kind(author_kind);
    request.mutable_comment()->set_body(body);
    request.set_request_id(request_id);
    return desk_->AddComment(CallAs("agent").get(), request, out);
  }
  void MustComment(const std::string& ticket_id, crm::v1::CommentVisibility visibility,
                   crm::v1::CommentAuthorKind author_kind = crm::v1::COMMENT_AUTHOR_KIND_AGENT) {
    crm::v1::TicketComment out;
    grpc::Status s = Comment(ticket_id, visibility, author_kind, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<crm::v1::TicketChange> History(const std::string& id) {
    crm::v1::ListTicketHistoryRequest request;
    request.set_ticket_id(id);
    crm::v1::ListTicketHistoryResponse out;
    grpc::Status s = desk_->ListTicketHistory(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.changes().begin(), out.changes().end()};
  }
  std::vector<std::string> ListIds(const crm::v1::TicketFilter& filter) {
    crm::v1::ListTicketsRequest request;
    *request.mutable_filter() = filter;
    crm::v1::ListTicketsResponse out;
    grpc::Status s = desk_->ListTickets(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const Ticket& t : out.tickets()) ids.push_back(t.id());
    return ids;
  }
  grpc::Status Explain(const std::string& id, crm::v1::SlaTarget target, crm::v1::DeadlineExplanation* out) {
    crm::v1::ExplainDeadlineRequest request;
    request.set_ticket_id(id);
    request.set_target(target);
    return desk_->ExplainDeadline(CallAs().get(), request, out);
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::string calendar_id_, key_policy_id_, default_policy_id_, account_;
};

TEST_P(TicketTest, CreateCountsTargetsInBusinessHoursOverTheWeekend) {
  SetNow(Berlin(2026, 11, 27, 16));  // Friday 16:00
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));
  EXPECT_EQ(t.status(), crm::v1::TICKET_STATUS_NEW);
  EXPECT_EQ(t.reporter(), "alice");
  EXPECT_EQ(t.sla_policy_id(), default_policy_id_);
  EXPECT_EQ(t.calendar_id(), calendar_id_);
  EXPECT_EQ(t.account_tier(), crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  EXPECT_FALSE(t.etag().empty());
  // First response 120 min: Friday 16-17 (60), Monday 09-10 (60) → Monday 10:00.
  EXPECT_EQ(t.first_response().target_minutes(), 120);
  EXPECT_EQ(T(t.first_response().due_time()), Berlin(2026, 11, 30, 10)) << Show(t.first_response().due_time());
  // Warning at 50 %: Friday 17:00.
  EXPECT_EQ(T(t.first_response().warning_time()), Berlin(2026, 11, 27, 17));
  EXPECT_EQ(D(t.first_response().remaining()), absl::Minutes(120));
  EXPECT_FALSE(t.first_response().breached());
  EXPECT_FALSE(t.first_response().paused());
  // Resolution 960 min: Friday 60, Monday 480, Tuesday 420 → Tuesday 16:00.
  EXPECT_EQ(T(t.resolution().due_time()), Berlin(2026, 12, 1, 16)) << Show(t.resolution().due_time());

  // The stored row agrees with the response, and GetTicket an hour later counts down.
  EXPECT_EQ(Count("SELECT first_response_due FROM tickets WHERE id = :id", t.id()),
            ToMicros(Berlin(2026, 11, 30, 10)));
  EXPECT_EQ(Count("SELECT resolution_due FROM tickets WHERE id = :id", t.id()), ToMicros(Berlin(2026, 12, 1, 16)));
  Advance(absl::Hours(30));  // Saturday 22:00: the weekend does not count
  const Ticket later = MustGet(t.id());
  EXPECT_EQ(D(later.first_response().remaining()), absl::Minutes(60));
  EXPECT_EQ(T(later.first_response().due_time()), Berlin(2026, 11, 30, 10));

  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].kind(), crm::v1::TICKET_CHANGE_KIND_CREATED);
  EXPECT_EQ(history[0].actor(), "alice");
  EXPECT_EQ(EventCount("ticket.created"), 1);
}

TEST_P(TicketTest, KeyTierPicksItsPolicyAndSkipsTheHoliday) {
  ASSERT_NO_FATAL_FAILURE(SetTier(account_, crm::v1::ACCOUNT_TIER_KEY));
  SetNow(Berlin(2026, 12, 1, 16));  // Tuesday 16:00; Wednesday is the holiday
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));
  EXPECT_EQ(t.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(t.sla_policy_id(), key_policy_id_);
  // 120 min: Tuesday 16-17, Wednesday closed, Thursday 09-10 → Thursday 10:00.
  EXPECT_EQ(T(t.first_response().due_time()), Berlin(2026, 12, 3, 10)) << Show(t.first_response().due_time());
  // 480 min: Tuesday 60, Thursday 420 → Thursday 16:00.
  EXPECT_EQ(T(t.resolution().due_time()), Berlin(2026, 12, 3, 16)) << Show(t.resolution().due_time());
}

TEST_P(TicketTest, TicketWithoutMatchingPolicyHasNoTimers) {
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P4));
  EXPECT_TRUE(t.sla_policy_id().empty());
  EXPECT_TRUE(t.calendar_id().empty());
  EXPECT_EQ(t.first_response().target_minutes(), 0);
  EXPECT_FALSE(t.first_response().has_due_time());
  EXPECT_FALSE(t.resolution().has_due_time());
  EXPECT_FALSE(t.resolution().has_warning_time());
  Advance(absl::Hours(24 * 30));
  const Ticket later = MustGet(t.id());
  EXPECT_FALSE(later.first_response().breached());
  EXPECT_FALSE(later.resolution().breached());
  crm::v1::DeadlineExplanation explanation;
  EXPECT_TRUE(HasCodeAndField(Explain(t.id(), crm::v1::SLA_TARGET_RESOLUTION, &explanation),
                              grpc::StatusCode::FAILED_PRECONDITION, "target"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE id = :id AND next_escalation_time IS NULL", t.id()), 1);
}

TEST_P(TicketTest, PendingPausesTheClockAndResumingShiftsTheDueTime) {
  SetNow(Berlin(2026, 11, 30, 9));  // Monday 09:00
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));
  EXPECT_EQ(T(t.first_response().due_time()), Berlin(2026, 11, 30, 11));
  SetNow(Berlin(2026, 11, 30, 9, 30));
  const Ticket pending = MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING, "asked for the model number");
  EXPECT_TRUE(pending.first_response().paused());
  EXPECT_FALSE(pending.first_response().has_due_time());
  EXPECT_TRUE(pending.resolution().paused());
  EXPECT_EQ(D(pending.first_response().remaining()), absl::Minutes(90));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE id = :id AND first_response_due IS NULL"
                  " AND resolution_due IS NULL",
                  t.id()),
            1);

  SetNow(Berlin(2026, 11, 30, 13));  // 3.5 business hours later, still pending
  EXPECT_EQ(D(MustGet(t.id()).first_response().remaining()), absl::Minutes(90)) << "frozen while paused";
  const Ticket open = MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN, "customer called back");
  EXPECT_FALSE(open.first_response().paused());
  // 90 min left from 13:00 → 14:30 (11:00 shifted by the 3.5 h paused).
  EXPECT_EQ(T(open.first_response().due_time()), Berlin(2026, 11, 30, 14, 30)) << Show(open.first_response().due_time());
  // Resolution: 930 min left from Monday 13:00: Monday 240, Tuesday 480, Wednesday is the
  // holiday, Thursday 210 → Thursday 12:30.
  EXPECT_EQ(T(open.resolution().due_time()), Berlin(2026, 12, 3, 12, 30)) << Show(open.resolution().due_time());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_pauses WHERE ticket_id = :id AND end_time IS NOT NULL", t.id()), 1);

  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].kind(), crm::v1::TICKET_CHANGE_KIND_STATUS);
  EXPECT_EQ(history[1].from_value(), "TICKET_STATUS_NEW");
  EXPECT_EQ(history[1].to_value(), "TICKET_STATUS_PENDING");
  EXPECT_EQ(history[1].reason(), "asked for the model number");
  EXPECT_EQ(history[1].actor(), "agent");
  EXPECT_EQ(history[2].to_value(), "TICKET_STATUS_OPEN");
  EXPECT_EQ(EventCount("ticket.status_changed"), 2);
}

TEST_P(TicketTest, FirstPublicAgentReplyStampsFirstResponseAndAnInternalNoteDoesNot) {
  const Ticket t = MustCreate(MakeTicket());
  SetNow(Berlin(2026, 11, 30, 9, 20));
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_INTERNAL);
  Ticket after_note = MustGet(t.id());
  EXPECT_FALSE(after_note.has_first_response_time());
  EXPECT_EQ(after_note.status(), crm::v1::TICKET_STATUS_NEW);
  EXPECT_EQ(after_note.etag(), t.etag()) << "a note alone does not change the ticket";
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_CUSTOMER);
  EXPECT_FALSE(MustGet(t.id()).has_first_response_time()) << "a customer comment is no response";

  SetNow(Berlin(2026, 11, 30, 9, 45));
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC);
  const Ticket replied = MustGet(t.id());
  EXPECT_EQ(T(replied.first_response_time()), Berlin(2026, 11, 30, 9, 45));
  EXPECT_EQ(T(replied.first_response().met_time()), Berlin(2026, 11, 30, 9, 45));
  EXPECT_FALSE(replied.first_response().has_due_time());
  EXPECT_FALSE(replied.first_response().breached());
  EXPECT_EQ(replied.status(), crm::v1::TICKET_STATUS_OPEN) << "the first reply opens a new ticket";

  SetNow(Berlin(2026, 11, 30, 10));
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC);
  EXPECT_EQ(T(MustGet(t.id()).first_response_time()), Berlin(2026, 11, 30, 9, 45)) << "only the first counts";

  // A met target is explained as it stood: due 11:00 (120 min from 09:00).
  crm::v1::DeadlineExplanation explained;
  ASSERT_GRPC_OK(Explain(t.id(), crm::v1::SLA_TARGET_FIRST_RESPONSE, &explained));
  EXPECT_EQ(T(explained.due_time()), Berlin(2026, 11, 30, 11));

  int first_responses = 0;
  for (const crm::v1::TicketChange& c : History(t.id())) {
    if (c.kind() == crm::v1::TICKET_CHANGE_KIND_FIRST_RESPONSE) ++first_responses;
  }
  EXPECT_EQ(first_responses, 1);

  crm::v1::ListCommentsRequest request;
  request.set_ticket_id(t.id());
  crm::v1::ListCommentsResponse all, public_only;
  ASSERT_GRPC_OK(desk_->ListComments(CallAs().get(), request, &all));
  ASSERT_EQ(all.comments_size(), 4);
  EXPECT_EQ(all.comments(0).visibility(), crm::v1::COMMENT_VISIBILITY_INTERNAL) << "oldest first";
  EXPECT_EQ(all.comments(0).author(), "agent");
  EXPECT_EQ(all.comments(0).author_kind(), crm::v1::COMMENT_AUTHOR_KIND_AGENT);
  request.set_public_only(true);
  ASSERT_GRPC_OK(desk_->ListComments(CallAs().get(), request, &public_only));
  EXPECT_EQ(public_only.comments_size(), 3);
  EXPECT_EQ(EventCount("ticket.commented"), 4);
}

TEST_P(TicketTest, LateReplySetsTheBreachFlag) {
  const Ticket t = MustCreate(MakeTicket());  // Monday 09:00, first response due 11:00
  SetNow(Berlin(2026, 11, 30, 11, 30));
  const Ticket overdue = MustGet(t.id());
  EXPECT_TRUE(overdue.first_response().breached());
  EXPECT_EQ(D(overdue.first_response().remaining()), absl::Minutes(-30));
  EXPECT_EQ(Count("SELECT first_response_breached FROM tickets WHERE id = :id", t.id()), 0)
      << "nothing was written yet";

  SetNow(Berlin(2026, 11, 30, 12));
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC);
  const Ticket replied = MustGet(t.id());
  EXPECT_TRUE(replied.first_response().breached());
  EXPECT_EQ(T(replied.first_response().met_time()), Berlin(2026, 11, 30, 12));
  EXPECT_EQ(Count("SELECT first_response_breached FROM tickets WHERE id = :id", t.id()), 1);

  // An on-time reply on another ticket is not breached.
  const Ticket other = MustCreate(MakeTicket());
  SetNow(Berlin(2026, 11, 30, 12, 30));
  MustComment(other.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC);
  EXPECT_FALSE(MustGet(other.id()).first_response().breached());
}

TEST_P(TicketTest, ResolveThenReopenResumesTheResolutionClock) {
  const Ticket t = MustCreate(MakeTicket());  // Monday 09:00; resolution 960 min → Tuesday 17:00
  EXPECT_EQ(T(t.resolution().due_time()), Berlin(2026, 12, 1, 17));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  SetNow(Berlin(2026, 11, 30, 10));
  const Ticket resolved = MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_RESOLVED, "replaced the toner");
  EXPECT_EQ(T(resolved.resolve_time()), Berlin(2026, 11, 30, 10));
  EXPECT_EQ(T(resolved.resolution().met_time()), Berlin(2026, 11, 30, 10));
  EXPECT_FALSE(resolved.resolution().has_due_time());
  EXPECT_FALSE(resolved.resolution().breached());

  SetNow(Berlin(2026, 11, 30, 15));
  Ticket reopened;
  ASSERT_GRPC_OK(Reopen(t.id(), &reopened));
  EXPECT_EQ(reopened.status(), crm::v1::TICKET_STATUS_OPEN);
  EXPECT_FALSE(reopened.has_resolve_time());
  EXPECT_FALSE(reopened.resolution().has_met_time());
  // 60 min counted before; 900 left from Monday 15:00: Monday 120, Tuesday 480, Wednesday
  // holiday, Thursday 300 → Thursday 14:00.
  EXPECT_EQ(T(reopened.resolution().due_time()), Berlin(2026, 12, 3, 14)) << Show(reopened.resolution().due_time());
  EXPECT_EQ(D(reopened.resolution().remaining()), absl::Minutes(900));

  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().from_value(), "TICKET_STATUS_RESOLVED");
  EXPECT_EQ(history.back().to_value(), "TICKET_STATUS_OPEN");
  EXPECT_EQ(history.back().reason(), "not fixed after all");

  // Resolve and close: close_time stamped, and a closed ticket cannot be reopened.
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_RESOLVED);
  const Ticket closed = MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_CLOSED);
  EXPECT_EQ(T(closed.close_time()), Berlin(2026, 11, 30, 15));
  EXPECT_TRUE(HasCodeAndField(Reopen(t.id(), &reopened), grpc::StatusCode::FAILED_PRECONDITION, "id"));
}

TEST_P(TicketTest, IllegalTransitionsAreRefusedAndWriteNothing) {
  using S = crm::v1::TicketStatus;
  struct Case {
    std::vector<S> path;  // how to reach the starting status
    S to;
  };
  const S kNew = crm::v1::TICKET_STATUS_NEW, kOpen = crm::v1::TICKET_STATUS_OPEN,
          kPending = crm::v1::TICKET_STATUS_PENDING, kResolved = crm::v1::TICKET_STATUS_RESOLVED,
          kClosed = crm::v1::TICKET_STATUS_CLOSED;
  const std::vector<Case> cases = {
      {{}, kNew},
      {{}, kClosed},
      {{kOpen}, kNew},
      {{kOpen}, kOpen},
      {{kOpen}, kClosed},
      {{kPending}, kNew},
      {{kPending}, kPending},
      {{kPending}, kClosed},
      {{kResolved}, kOpen},
      {{kResolved}, kPending},
      {{kResolved}, kNew},
      {{kResolved}, kResolved},
      {{kResolved, kClosed}, kOpen},
      {{kResolved, kClosed}, kResolved},
      {{kResolved, kClosed}, kClosed},
      {{kResolved, kClosed}, kNew},
  };
  for (const Case& c : cases) {
    const Ticket t = MustCreate(MakeTicket());
    for (S step : c.path) MustChangeStatus(t.id(), step);
    const Ticket before = MustGet(t.id());
    const size_t history_before = History(t.id()).size();
    const long long pauses_before = Count("SELECT COUNT(*) FROM ticket_pauses WHERE ticket_id = :id", t.id());
    Ticket out;
    EXPECT_TRUE(HasCodeAndField(ChangeStatus(t.id(), c.to, &out), grpc::StatusCode::FAILED_PRECONDITION, "status"))
        << crm::v1::TicketStatus_Name(before.status()) << " → " << crm::v1::TicketStatus_Name(c.to);
    const Ticket after = MustGet(t.id());
    EXPECT_EQ(after.etag(), before.etag());
    EXPECT_EQ(after.status(), before.status());
    EXPECT_EQ(History(t.id()).size(), history_before);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_pauses WHERE ticket_id = :id", t.id()), pauses_before);
  }

  // A closed ticket is final for updates and assignments too.
  const Ticket closed = MustCreate(MakeTicket());
  MustChangeStatus(closed.id(), kResolved);
  MustChangeStatus(closed.id(), kClosed);
  crm::v1::UpdateTicketRequest update;
  update.mutable_ticket()->set_id(closed.id());
  update.mutable_ticket()->set_subject("Too late");
  update.mutable_update_mask()->add_paths("subject");
  Ticket refused;
  EXPECT_TRUE(HasCodeAndField(desk_->UpdateTicket(CallAs().get(), update, &refused),
                              grpc::StatusCode::FAILED_PRECONDITION, "ticket.id"));
  crm::v1::AssignTicketRequest assign;
  assign.set_id(closed.id());
  assign.set_assignee("dora");
  EXPECT_TRUE(HasCodeAndField(desk_->AssignTicket(CallAs().get(), assign, &refused),
                              grpc::StatusCode::FAILED_PRECONDITION, "id"));

  // Reopen is for resolved tickets only.
  const Ticket open = MustCreate(MakeTicket());
  MustChangeStatus(open.id(), kOpen);
  Ticket out;
  EXPECT_TRUE(HasCodeAndField(Reopen(open.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_TRUE(HasCodeAndField(ChangeStatus(open.id(), crm::v1::TICKET_STATUS_UNSPECIFIED, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "status"));
  EXPECT_TRUE(HasCodeAndField(ChangeStatus(kUnknownTicketId, kOpen, &out), grpc::StatusCode::NOT_FOUND, "id"));
}

TEST_P(TicketTest, CommentOnAClosedTicketIsRefused) {
  const Ticket t = MustCreate(MakeTicket());
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_RESOLVED);
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_CLOSED);
  crm::v1::TicketComment out;
  EXPECT_TRUE(HasCodeAndField(
      Comment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_AGENT, &out),
      grpc::StatusCode::FAILED_PRECONDITION, "comment.ticket_id"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_comments WHERE ticket_id = :id", t.id()), 0);
  EXPECT_FALSE(MustGet(t.id()).has_first_response_time());

  // Bad comments name the field.
  const Ticket open = MustCreate(MakeTicket());
  EXPECT_TRUE(HasCodeAndField(Comment(open.id(), crm::v1::COMMENT_VISIBILITY_UNSPECIFIED,
                                      crm::v1::COMMENT_AUTHOR_KIND_AGENT, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "comment.visibility"));
  EXPECT_TRUE(HasCodeAndField(Comment(open.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC,
                                      crm::v1::COMMENT_AUTHOR_KIND_AGENT, &out, "   "),
                              grpc::StatusCode::INVALID_ARGUMENT, "comment.body"));
  EXPECT_TRUE(HasCodeAndField(Comment(kUnknownTicketId, crm::v1::COMMENT_VISIBILITY_PUBLIC,
                                      crm::v1::COMMENT_AUTHOR_KIND_AGENT, &out),
                              grpc::StatusCode::NOT_FOUND, "comment.ticket_id"));
}

TEST_P(TicketTest, CustomerReplyMovesAPendingTicketToOpen) {
  const Ticket t = MustCreate(MakeTicket());
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  SetNow(Berlin(2026, 11, 30, 10));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING);
  SetNow(Berlin(2026, 11, 30, 12));
  MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_CUSTOMER);
  const Ticket open = MustGet(t.id());
  EXPECT_EQ(open.status(), crm::v1::TICKET_STATUS_OPEN);
  EXPECT_FALSE(open.first_response().paused());
  // First response: 60 min counted (09-10), paused 10-12, 60 left → 13:00.
  EXPECT_EQ(T(open.first_response().due_time()), Berlin(2026, 11, 30, 13)) << Show(open.first_response().due_time());
  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().kind(), crm::v1::TICKET_CHANGE_KIND_STATUS);
  EXPECT_EQ(history.back().from_value(), "TICKET_STATUS_PENDING");
  EXPECT_EQ(history.back().to_value(), "TICKET_STATUS_OPEN");
  EXPECT_EQ(history.back().reason(), "customer replied");
}

TEST_P(TicketTest, ListFiltersAndAccountHistoryNewestFirst) {
  const std::string other_account = MustCreateAccount("Globex");
  const Ticket a = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P1));
  Advance(absl::Minutes(1));
  const Ticket b = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2, other_account));
  Advance(absl::Minutes(1));
  Ticket c_input = MakeTicket(crm::v1::TICKET_PRIORITY_P3);
  c_input.set_category("software");
  const Ticket c = MustCreate(c_input);
  Advance(absl::Minutes(1));
  MustChangeStatus(b.id(), crm::v1::TICKET_STATUS_PENDING);

  crm::v1::AssignTicketRequest assign;
  assign.set_id(c.id());
  assign.set_assignee("dora");
  assign.set_assignee_group("second-level");
  Ticket assigned;
  ASSERT_GRPC_OK(desk_->AssignTicket(CallAs().get(), assign, &assigned));
  EXPECT_EQ(assigned.status(), crm::v1::TICKET_STATUS_OPEN) << "assigning a new ticket opens it";
  EXPECT_EQ(History(c.id())[1].kind(), crm::v1::TICKET_CHANGE_KIND_ASSIGNED);
  EXPECT_EQ(EventCount("ticket.assigned"), 1);

  crm::v1::TicketFilter all;
  EXPECT_EQ(ListIds(all), (std::vector<std::string>{c.id(), b.id(), a.id()}));
  crm::v1::TicketFilter history;
  history.set_account_id(account_);
  EXPECT_EQ(ListIds(history), (std::vector<std::string>{c.id(), a.id()}));
  crm::v1::TicketFilter by_status;
  by_status.add_statuses(crm::v1::TICKET_STATUS_PENDING);
  by_status.add_statuses(crm::v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(ListIds(by_status), (std::vector<std::string>{c.id(), b.id()}));
  crm::v1::TicketFilter by_priority;
  by_priority.set_priority(crm::v1::TICKET_PRIORITY_P1);
  EXPECT_EQ(ListIds(by_priority), (std::vector<std::string>{a.id()}));
  crm::v1::TicketFilter by_assignee;
  by_assignee.set_assignee("dora");
  EXPECT_EQ(ListIds(by_assignee), (std::vector<std::string>{c.id()}));
  crm::v1::TicketFilter by_group;
  by_group.set_assignee_group("second-level");
  EXPECT_EQ(ListIds(by_group), (std::vector<std::string>{c.id()}));
  crm::v1::TicketFilter by_category;
  by_category.set_category("software");
  EXPECT_EQ(ListIds(by_category), (std::vector<std::string>{c.id()}));
  crm::v1::TicketFilter by_level;
  by_level.set_escalation_level(0);
  EXPECT_EQ(ListIds(by_level).size(), 3u);
  by_level.set_escalation_level(1);
  EXPECT_TRUE(ListIds(by_level).empty());

  // Breach follows the clock: a (P1, first response 120 min) is due Monday 11:00, c (P3, 480
  // min from 09:02) Tuesday 09:02, b is pending (paused, never due).
  crm::v1::TicketFilter breached, on_time;
  breached.set_breached(true);
  on_time.set_breached(false);
  EXPECT_TRUE(ListIds(breached).empty());
  EXPECT_EQ(ListIds(on_time).size(), 3u);
  SetNow(Berlin(2026, 11, 30, 11, 30));
  EXPECT_EQ(ListIds(breached), (std::vector<std::string>{a.id()}));
  EXPECT_EQ(ListIds(on_time), (std::vector<std::string>{c.id(), b.id()}));
  SetNow(Berlin(2026, 12, 1, 9, 30));
  EXPECT_EQ(ListIds(breached), (std::vector<std::string>{c.id(), a.id()}));
  EXPECT_EQ(ListIds(on_time), (std::vector<std::string>{b.id()}));

  // Paging: one at a time, newest first, with the filter kept.
  crm::v1::ListTicketsRequest page_request;
  page_request.set_page_size(1);
  std::vector<std::string> paged;
  for (int i = 0; i < 5; ++i) {
    crm::v1::ListTicketsResponse page;
    ASSERT_GRPC_OK(desk_->ListTickets(CallAs().get(), page_request, &page));
    for (const Ticket& t : page.tickets()) paged.push_back(t.id());
    if (page.next_page_token().empty()) break;
    page_request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(paged, (std::vector<std::string>{c.id(), b.id(), a.id()}));

  // Enum filters are validated.
  crm::v1::ListTicketsRequest bad;
  bad.mutable_filter()->add_statuses(static_cast<crm::v1::TicketStatus>(42));
  crm::v1::ListTicketsResponse out;
  EXPECT_TRUE(HasCodeAndField(desk_->ListTickets(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.statuses[0]"));
  bad.Clear();
  bad.mutable_filter()->set_priority(static_cast<crm::v1::TicketPriority>(9));
  EXPECT_TRUE(HasCodeAndField(desk_->ListTickets(CallAs().get(), bad, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.priority"));
}

TEST_P(TicketTest, RequestIdReplaysTheFirstResult) {
  Ticket first, second;
  ASSERT_GRPC_OK(Create(MakeTicket(), &first, "req-1"));
  ASSERT_GRPC_OK(Create(MakeTicket(), &second, "req-1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(T(second.first_response().due_time()), T(first.first_response().due_time()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE account_id = :id", account_), 1);
  EXPECT_EQ(EventCount("ticket.created"), 1);
  Ticket different = MakeTicket();
  different.set_subject("Something else");
  Ticket out;
  EXPECT_TRUE(HasCodeAndField(Create(different, &out, "req-1"), grpc::StatusCode::ALREADY_EXISTS, "request_id"));

  crm::v1::TicketComment c1, c2;
  ASSERT_GRPC_OK(Comment(first.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_AGENT, &c1,
                         "Hello", "com-1"));
  ASSERT_GRPC_OK(Comment(first.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_AGENT, &c2,
                         "Hello", "com-1"));
  EXPECT_EQ(c1.id(), c2.id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_comments WHERE ticket_id = :id", first.id()), 1);
}

TEST_P(TicketTest, StaleEtagIsAbortedAndChangesNothing) {
  const Ticket t = MustCreate(MakeTicket());
  const Ticket open = MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  Ticket out;
  EXPECT_EQ(ChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING, &out, "", t.etag()).error_code(),
            grpc::StatusCode::ABORTED);
  crm::v1::UpdateTicketRequest update;
  update.mutable_ticket()->set_id(t.id());
  update.mutable_ticket()->set_subject("New subject");
  update.mutable_update_mask()->add_paths("subject");
  update.set_etag(t.etag());
  EXPECT_EQ(desk_->UpdateTicket(CallAs().get(), update, &out).error_code(), grpc::StatusCode::ABORTED);
  const Ticket after = MustGet(t.id());
  EXPECT_EQ(after.etag(), open.etag());
  EXPECT_EQ(after.subject(), "Printer on fire");
  EXPECT_EQ(after.status(), crm::v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(History(t.id()).size(), 2u);

  update.set_etag(open.etag());
  ASSERT_GRPC_OK(desk_->UpdateTicket(CallAs().get(), update, &out));
  EXPECT_EQ(out.subject(), "New subject");
  EXPECT_NE(out.etag(), open.etag());
}

TEST_P(TicketTest, PriorityChangeRetargetsFromCreation) {
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P3));  // Monday 09:00, 480 min
  EXPECT_EQ(T(t.first_response().due_time()), Berlin(2026, 11, 30, 17));
  SetNow(Berlin(2026, 11, 30, 10));
  crm::v1::UpdateTicketRequest update;
  update.mutable_ticket()->set_id(t.id());
  update.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P1);
  update.mutable_update_mask()->add_paths("priority");
  Ticket out;
  ASSERT_GRPC_OK(desk_->UpdateTicket(CallAs().get(), update, &out));
  EXPECT_EQ(out.priority(), crm::v1::TICKET_PRIORITY_P1);
  // P1: 120 min counted from creation (09:00) → 11:00.
  EXPECT_EQ(out.first_response().target_minutes(), 120);
  EXPECT_EQ(T(out.first_response().due_time()), Berlin(2026, 11, 30, 11));
  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].kind(), crm::v1::TICKET_CHANGE_KIND_PRIORITY);
  EXPECT_EQ(history[1].from_value(), "TICKET_PRIORITY_P3");
  EXPECT_EQ(history[1].to_value(), "TICKET_PRIORITY_P1");
  EXPECT_EQ(history[2].kind(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED);
  EXPECT_FALSE(history[2].reason().empty());

  // To P4 (no policy): the timers go, a breach already flagged would stay.
  update.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P4);
  ASSERT_GRPC_OK(desk_->UpdateTicket(CallAs().get(), update, &out));
  EXPECT_TRUE(out.sla_policy_id().empty());
  EXPECT_FALSE(out.first_response().has_due_time());
}

TEST_P(TicketTest, BadInputNamesTheField) {
  Ticket out;
  Ticket unknown_priority = MakeTicket();
  unknown_priority.set_priority(static_cast<crm::v1::TicketPriority>(9));
  EXPECT_TRUE(HasCodeAndField(Create(unknown_priority, &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket.priority"));
  Ticket no_priority = MakeTicket();
  no_priority.clear_priority();
  EXPECT_TRUE(HasCodeAndField(Create(no_priority, &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket.priority"));
  Ticket no_subject = MakeTicket();
  no_subject.set_subject("  ");
  EXPECT_TRUE(HasCodeAndField(Create(no_subject, &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket.subject"));
  Ticket bad_channel = MakeTicket();
  bad_channel.set_channel(static_cast<crm::v1::TicketChannel>(77));
  EXPECT_TRUE(HasCodeAndField(Create(bad_channel, &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket.channel"));
  EXPECT_TRUE(HasCodeAndField(Create(MakeTicket(crm::v1::TICKET_PRIORITY_P2, kUnknownAccountId), &out),
                              grpc::StatusCode::NOT_FOUND, "ticket.account_id"));

  const std::string other_account = MustCreateAccount("Globex");
  Ticket foreign_contact = MakeTicket();
  foreign_contact.set_contact_id(MustCreateContact(other_account));
  EXPECT_TRUE(
      HasCodeAndField(Create(foreign_contact, &out), grpc::StatusCode::INVALID_ARGUMENT, "ticket.contact_id"));
  Ticket unknown_contact = MakeTicket();
  unknown_contact.set_contact_id("con_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_TRUE(HasCodeAndField(Create(unknown_contact, &out), grpc::StatusCode::NOT_FOUND, "ticket.contact_id"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE reporter <> :r", ""), 0) << "nothing was written";

  Ticket own_contact = MakeTicket();
  own_contact.set_contact_id(MustCreateContact(account_));
  ASSERT_GRPC_OK(Create(own_contact, &out));
  EXPECT_EQ(out.contact_id(), own_contact.contact_id());

  // A deleted account takes no tickets.
  crm::v1::DeleteAccountRequest remove;
  remove.set_id(other_account);
  crm::v1::Account removed;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), remove, &removed));
  EXPECT_TRUE(HasCodeAndField(Create(MakeTicket(crm::v1::TICKET_PRIORITY_P2, other_account), &out),
                              grpc::StatusCode::NOT_FOUND, "ticket.account_id"));

  crm::v1::GetTicketRequest get;
  get.set_id(kUnknownTicketId);
  EXPECT_TRUE(HasCodeAndField(desk_->GetTicket(CallAs().get(), get, &out), grpc::StatusCode::NOT_FOUND, "id"));
}

TEST_P(TicketTest, ExplainDeadlineShowsClosedHoursWeekendAndHolidays) {
  SetNow(Berlin(2026, 11, 27, 16));  // Friday 16:00
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));
  crm::v1::DeadlineExplanation e;
  ASSERT_GRPC_OK(Explain(t.id(), crm::v1::SLA_TARGET_FIRST_RESPONSE, &e));
  EXPECT_EQ(e.target_minutes(), 120);
  EXPECT_EQ(e.time_zone(), "Europe/Berlin");
  EXPECT_EQ(e.calendar_id(), calendar_id_);
  EXPECT_EQ(T(e.start_time()), Berlin(2026, 11, 27, 16));
  EXPECT_EQ(T(e.due_time()), T(t.first_response().due_time()));
  absl::Duration counted;
  bool weekend = false, closed_hours = false;
  for (const crm::v1::DeadlineSegment& s : e.segments()) {
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_COUNTED) counted += T(s.end_time()) - T(s.start_time());
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_NO_HOURS_DAY && s.local_date().day() == 28) weekend = true;
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_CLOSED_HOURS) closed_hours = true;
  }
  EXPECT_EQ(counted, absl::Minutes(120));
  EXPECT_TRUE(weekend);
  EXPECT_TRUE(closed_hours);
  ASSERT_GT(e.segments_size(), 0);
  EXPECT_EQ(T(e.segments(0).start_time()), Berlin(2026, 11, 27, 16));
  EXPECT_EQ(T(e.segments(e.segments_size() - 1).end_time()), Berlin(2026, 11, 30, 10));

  // Over the holiday, resolution of a ticket created Tuesday 16:00.
  SetNow(Berlin(2026, 12, 1, 16));
  const Ticket h = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));
  ASSERT_GRPC_OK(Explain(h.id(), crm::v1::SLA_TARGET_RESOLUTION, &e));
  counted = absl::ZeroDuration();
  std::string holiday;
  for (const crm::v1::DeadlineSegment& s : e.segments()) {
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_COUNTED) counted += T(s.end_time()) - T(s.start_time());
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_HOLIDAY) holiday = s.holiday_name();
  }
  EXPECT_EQ(counted, absl::Minutes(960));
  EXPECT_EQ(holiday, "Company Day");
  EXPECT_EQ(T(e.due_time()), T(h.resolution().due_time()));

  crm::v1::DeadlineExplanation missing;
  EXPECT_TRUE(HasCodeAndField(Explain(kUnknownTicketId, crm::v1::SLA_TARGET_RESOLUTION, &missing),
                              grpc::StatusCode::NOT_FOUND, "ticket_id"));
  EXPECT_TRUE(HasCodeAndField(Explain(h.id(), crm::v1::SLA_TARGET_UNSPECIFIED, &missing),
                              grpc::StatusCode::INVALID_ARGUMENT, "target"));
}

TEST_P(TicketTest, ExplainDeadlineShowsPausesAndStopsAtNowWhilePaused) {
  const Ticket t = MustCreate(MakeTicket(crm::v1::TICKET_PRIORITY_P2));  // Monday 09:00
  SetNow(Berlin(2026, 11, 30, 9, 30));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING);
  SetNow(Berlin(2026, 11, 30, 12));

  crm::v1::DeadlineExplanation paused;
  ASSERT_GRPC_OK(Explain(t.id(), crm::v1::SLA_TARGET_FIRST_RESPONSE, &paused));
  EXPECT_FALSE(paused.has_due_time()) << "paused with no end in sight";
  ASSERT_GT(paused.segments_size(), 0);
  EXPECT_EQ(T(paused.segments(paused.segments_size() - 1).end_time()), Berlin(2026, 11, 30, 12));
  EXPECT_EQ(paused.segments(paused.segments_size() - 1).kind(), crm::v1::DEADLINE_SEGMENT_KIND_PAUSED);

  SetNow(Berlin(2026, 11, 30, 13));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  crm::v1::DeadlineExplanation resumed;
  ASSERT_GRPC_OK(Explain(t.id(), crm::v1::SLA_TARGET_FIRST_RESPONSE, &resumed));
  EXPECT_EQ(T(resumed.due_time()), Berlin(2026, 11, 30, 14, 30));
  absl::Duration counted, paused_time;
  for (const crm::v1::DeadlineSegment& s : resumed.segments()) {
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_COUNTED) counted += T(s.end_time()) - T(s.start_time());
    if (s.kind() == crm::v1::DEADLINE_SEGMENT_KIND_PAUSED) paused_time += T(s.end_time()) - T(s.start_time());
  }
  EXPECT_EQ(counted, absl::Minutes(120));
  EXPECT_EQ(paused_time, absl::Minutes(210));
}

TEST_P(TicketTest, AssignmentIsRecordedAndEventsConcernTheAssignee) {
  Ticket input = MakeTicket();
  input.set_assignee("dora");
  const Ticket t = MustCreate(input);
  EXPECT_EQ(t.assignee(), "dora");
  EXPECT_EQ(t.status(), crm::v1::TICKET_STATUS_NEW);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'ticket.created' AND user_id = :u", "dora"), 1);

  crm::v1::AssignTicketRequest assign;
  assign.set_id(t.id());
  assign.set_assignee("erik");
  assign.set_etag(t.etag());
  Ticket assigned;
  ASSERT_GRPC_OK(desk_->AssignTicket(CallAs("lead").get(), assign, &assigned));
  EXPECT_EQ(assigned.assignee(), "erik");
  EXPECT_EQ(assigned.status(), crm::v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'ticket.assigned' AND user_id = :u", "erik"), 1);
  const std::vector<crm::v1::TicketChange> history = History(t.id());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].kind(), crm::v1::TICKET_CHANGE_KIND_ASSIGNED);
  EXPECT_EQ(history[1].from_value(), "dora");
  EXPECT_EQ(history[1].to_value(), "erik");
  EXPECT_EQ(history[1].actor(), "lead");
  EXPECT_EQ(history[2].kind(), crm::v1::TICKET_CHANGE_KIND_STATUS);

  // The same assignment again changes nothing; the old etag is stale.
  assign.clear_etag();
  Ticket again;
  ASSERT_GRPC_OK(desk_->AssignTicket(CallAs("lead").get(), assign, &again));
  EXPECT_EQ(again.etag(), assigned.etag());
  assign.set_assignee("");
  assign.set_etag(t.etag());
  EXPECT_EQ(desk_->AssignTicket(CallAs("lead").get(), assign, &again).error_code(), grpc::StatusCode::ABORTED);
  assign.set_etag(assigned.etag());
  ASSERT_GRPC_OK(desk_->AssignTicket(CallAs("lead").get(), assign, &again));
  EXPECT_EQ(again.assignee(), "");
  EXPECT_EQ(again.status(), crm::v1::TICKET_STATUS_OPEN);
}

TEST_P(TicketTest, HistoryAndCommentsPageInOrder) {
  const Ticket t = MustCreate(MakeTicket());
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING);
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  for (int i = 0; i < 3; ++i) {
    Advance(absl::Seconds(1));
    MustComment(t.id(), crm::v1::COMMENT_VISIBILITY_INTERNAL);
  }

  crm::v1::ListTicketHistoryRequest history_request;
  history_request.set_ticket_id(t.id());
  history_request.set_page_size(3);
  std::vector<std::string> to_values;
  for (int i = 0; i < 5; ++i) {
    crm::v1::ListTicketHistoryResponse page;
    ASSERT_GRPC_OK(desk_->ListTicketHistory(CallAs().get(), history_request, &page));
    for (const crm::v1::TicketChange& c : page.changes()) to_values.push_back(c.to_value());
    if (page.next_page_token().empty()) break;
    history_request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(to_values, (std::vector<std::string>{"TICKET_STATUS_NEW", "TICKET_STATUS_OPEN", "TICKET_STATUS_PENDING",
                                                 "TICKET_STATUS_OPEN"}));

  crm::v1::ListCommentsRequest comments_request;
  comments_request.set_ticket_id(t.id());
  comments_request.set_page_size(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    crm::v1::ListCommentsResponse page;
    ASSERT_GRPC_OK(desk_->ListComments(CallAs().get(), comments_request, &page));
    for (const crm::v1::TicketComment& c : page.comments()) ids.push_back(c.id());
    if (page.next_page_token().empty()) break;
    comments_request.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);

  crm::v1::ListTicketHistoryRequest unknown;
  unknown.set_ticket_id(kUnknownTicketId);
  crm::v1::ListTicketHistoryResponse out;
  EXPECT_TRUE(HasCodeAndField(desk_->ListTicketHistory(CallAs().get(), unknown, &out), grpc::StatusCode::NOT_FOUND,
                              "ticket_id"));
}

TEST_P(TicketTest, NextEscalationTimeFollowsTheClock) {
  // A network policy that escalates at the warning time (50 %).
  crm::v1::CreateSlaPolicyRequest request;
  crm::v1::SlaPolicy* policy = request.mutable_policy();
  policy->set_name("Network");
  policy->set_precedence(0);
  policy->add_categories("network");
  policy->set_calendar_id(calendar_id_);
  policy->set_warning_percent(50);
  *policy->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 120, 480);
  crm::v1::EscalationStep* step = policy->add_escalation();
  step->set_level(1);
  step->set_trigger(crm::v1::ESCALATION_TRIGGER_WARNING);
  step->set_assignee_group("network-l2");
  crm::v1::SlaPolicy created;
  ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), request, &created));

  Ticket input = MakeTicket(crm::v1::TICKET_PRIORITY_P1);
  input.set_category("network");
  const Ticket t = MustCreate(input);  // Monday 09:00
  EXPECT_EQ(t.sla_policy_id(), created.id());
  const std::string next = "SELECT next_escalation_time FROM tickets WHERE id = :id";
  // Warning of the first response: 60 of 120 min → 10:00.
  EXPECT_EQ(Count(next, t.id()), ToMicros(Berlin(2026, 11, 30, 10)));
  SetNow(Berlin(2026, 11, 30, 9, 30));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_PENDING);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE id = :id AND next_escalation_time IS NULL", t.id()), 1)
      << "no escalation while paused";
  SetNow(Berlin(2026, 11, 30, 11));
  MustChangeStatus(t.id(), crm::v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(Count(next, t.id()), ToMicros(Berlin(2026, 11, 30, 11, 30)));

  // Moving the category away re-targets to the catch-all, which has no chain.
  crm::v1::UpdateTicketRequest update;
  update.mutable_ticket()->set_id(t.id());
  update.mutable_ticket()->set_category("hardware");
  update.mutable_update_mask()->add_paths("category");
  Ticket out;
  ASSERT_GRPC_OK(desk_->UpdateTicket(CallAs().get(), update, &out));
  EXPECT_EQ(out.sla_policy_id(), default_policy_id_);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets WHERE id = :id AND next_escalation_time IS NULL", t.id()), 1);
  EXPECT_EQ(History(t.id()).back().kind(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED);
}

TEST_P(TicketTest, ConcurrentRepliesStampFirstResponseOnce) {
  const Ticket t = MustCreate(MakeTicket());
  SetNow(Berlin(2026, 11, 30, 9, 10));
  constexpr int kReplies = 6;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kReplies; ++i) {
    threads.emplace_back([&, i] {
      crm::v1::TicketComment out;
      grpc::Status s = Comment(t.id(), crm::v1::COMMENT_VISIBILITY_PUBLIC, crm::v1::COMMENT_AUTHOR_KIND_AGENT, &out,
                               absl::StrCat("reply ", i));
      if (!s.ok()) ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_comments WHERE ticket_id = :id", t.id()), kReplies);
  int first_responses = 0, status_changes = 0;
  for (const crm::v1::TicketChange& c : History(t.id())) {
    if (c.kind() == crm::v1::TICKET_CHANGE_KIND_FIRST_RESPONSE) ++first_responses;
    if (c.kind() == crm::v1::TICKET_CHANGE_KIND_STATUS) ++status_changes;
  }
  EXPECT_EQ(first_responses, 1);
  EXPECT_EQ(status_changes, 1);
  EXPECT_EQ(MustGet(t.id()).status(), crm::v1::TICKET_STATUS_OPEN);
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
