// ServiceDeskService escalation: the sweep along a two-step chain (warning → tier2, breach →
// managers / dora), idempotent sweeps, paused tickets, two processes sweeping one database,
// manual EscalateTicket, and open tickets following their account's tier, through a real
// in-process server with a fake clock, on every backend.
//
// The calendar is Monday to Friday 09:00-17:00 Europe/Berlin. Tickets are created on Monday
// 2026-11-30 09:00; P1 under the catch-all policy has first response 60 min and resolution 240
// min with warning at 80 %: first-response warning 09:48, due 10:00 — the earliest triggers.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "services/servicedesk/ticket_jobs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Ticket;
using servicedesk::TicketJobs;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownTicketId[] = "tkt_01ARZ3NDEKTSV4RRFFQ69G5FAV";

absl::Time Berlin(int year, int month, int day, int hour, int minute = 0) {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/Berlin", &z);
    return z;
  }();
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute), zone);
}

const absl::Time kMonday9 = Berlin(2026, 11, 30, 9);

absl::Time T(const google::protobuf::Timestamp& ts) { return TimestampToTime(ts); }

crm::v1::SlaPriorityTarget Target(crm::v1::TicketPriority priority, int64_t first, int64_t resolution) {
  crm::v1::SlaPriorityTarget t;
  t.set_priority(priority);
  t.set_first_response_minutes(first);
  t.set_resolution_minutes(resolution);
  return t;
}

crm::v1::EscalationStep Step(int level, crm::v1::EscalationTrigger trigger, const std::string& group,
                             const std::string& assignee = "") {
  crm::v1::EscalationStep step;
  step.set_level(level);
  step.set_trigger(trigger);
  step.set_assignee_group(group);
  step.set_assignee(assignee);
  return step;
}

class EscalationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    jobs_ = std::make_unique<TicketJobs>(server_->runtime());
    SetNow(kMonday9);
    ASSERT_NO_FATAL_FAILURE(SetUpSla());
    account_ = MustCreateAccount("Acme GmbH");
  }
  void TearDown() override {
    jobs_.reset();
    server_.reset();
    database_.reset();
  }

  void SetNow(absl::Time t) { server_->clock().Set(t); }

  // A calendar, a catch-all policy with the two-step chain, and a tighter one for strategic
  // accounts (P1: first response 30 min, resolution 120 min).
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
    crm::v1::BusinessCalendar calendar;
    ASSERT_GRPC_OK(desk_->CreateCalendar(CallAs().get(), calendar_request, &calendar));

    crm::v1::CreateSlaPolicyRequest strategic_request;
    crm::v1::SlaPolicy* strategic = strategic_request.mutable_policy();
    strategic->set_name("Strategic accounts");
    strategic->set_precedence(1);
    strategic->add_tiers(crm::v1::ACCOUNT_TIER_STRATEGIC);
    strategic->set_calendar_id(calendar.id());
    strategic->set_warning_percent(80);
    *strategic->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 30, 120);
    *strategic->add_escalation() = Step(1, crm::v1::ESCALATION_TRIGGER_BREACH, "strategic-desk");
    crm::v1::SlaPolicy created;
    ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), strategic_request, &created));
    strategic_policy_id_ = created.id();

    crm::v1::CreateSlaPolicyRequest default_request;
    crm::v1::SlaPolicy* fallback = default_request.mutable_policy();
    fallback->set_name("Everyone");
    fallback->set_precedence(10);
    fallback->set_calendar_id(calendar.id());
    fallback->set_warning_percent(80);
    *fallback->add_targets() = Target(crm::v1::TICKET_PRIORITY_P1, 60, 240);
    *fallback->add_escalation() = Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, "tier2");
    *fallback->add_escalation() = Step(2, crm::v1::ESCALATION_TRIGGER_BREACH, "managers", "dora");
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

  // The tier belongs to key-account management (not built yet): it writes the column and
  // announces the change through the outbox, in one transaction; `announce` false only writes.
  void SetTier(const std::string& account_id, crm::v1::AccountTier from, crm::v1::AccountTier to,
               bool announce = true) {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = to;
      tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(number, "tier"),
          soci::use(account_id, "id");
      if (!announce) return absl::OkStatus();
      return server_->runtime().outbox->AppendChange(
          tx, "account.updated", "account", account_id, crm::v1::CHANGE_KIND_UPDATED,
          {{"tier", absl::StrCat("\"", crm::v1::AccountTier_Name(from), "\""),
            absl::StrCat("\"", crm::v1::AccountTier_Name(to), "\"")}},
          "bob", "kam", "", server_->clock().Now());
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  Ticket MustCreate(const std::string& account = "") {
    crm::v1::CreateTicketRequest request;
    Ticket* t = request.mutable_ticket();
    t->set_account_id(account.empty() ? account_ : account);
    t->set_priority(crm::v1::TICKET_PRIORITY_P1);
    t->set_subject("Checkout is down");
    t->set_channel(crm::v1::TICKET_CHANNEL_PHONE);
    t->set_category("web shop");
    Ticket out;
    grpc::Status s = desk_->CreateTicket(CallAs("alice").get(), request, &out);
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

  Ticket MustChangeStatus(const std::string& id, crm::v1::TicketStatus status) {
    crm::v1::ChangeTicketStatusRequest request;
    request.set_id(id);
    request.set_status(status);
    request.set_reason("test");
    Ticket out;
    grpc::Status s = desk_->ChangeTicketStatus(CallAs("alice").get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Escalate(const std::string& id, const std::string& reason, Ticket* out, const std::string& etag = "",
                        const std::string& user = "carol") {
    crm::v1::EscalateTicketRequest request;
    request.set_id(id);
    request.set_reason(reason);
    request.set_etag(etag);
    return desk_->EscalateTicket(CallAs(user).get(), request, out);
  }

  std::vector<crm::v1::TicketChange> History(const std::string& id, crm::v1::TicketChangeKind kind) {
    crm::v1::ListTicketHistoryRequest request;
    request.set_ticket_id(id);
    request.set_page_size(1000);
    crm::v1::ListTicketHistoryResponse out;
    grpc::Status s = desk_->ListTicketHistory(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<crm::v1::TicketChange> matching;
    for (const crm::v1::TicketChange& change : out.changes()) {
      if (change.kind() == kind) matching.push_back(change);
    }
    return matching;
  }

  std::vector<crm::v1::Event> Events(const std::string& type, const std::string& user = "") {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_user(user);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse out;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.events().begin(), out.events().end()};
  }

  int MustSweep(TicketJobs& jobs) {
    absl::StatusOr<int> escalated = jobs.RunEscalationSweep();
    EXPECT_TRUE(escalated.ok()) << escalated.status();
    return escalated.ok() ? *escalated : -1;
  }
  int MustSweep() { return MustSweep(*jobs_); }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::unique_ptr<TicketJobs> jobs_;
  std::string account_;
  std::string strategic_policy_id_;
  std::string default_policy_id_;
};

TEST_P(EscalationTest, SweepFollowsTheChain) {
  const Ticket created = MustCreate();
  ASSERT_EQ(created.sla_policy_id(), default_policy_id_);
  ASSERT_EQ(T(created.first_response().warning_time()), Berlin(2026, 11, 30, 9, 48));

  // Before the warning: nothing.
  SetNow(Berlin(2026, 11, 30, 9, 47));
  EXPECT_EQ(MustSweep(), 0);
  Ticket t = MustGet(created.id());
  EXPECT_EQ(t.escalation_level(), 0);
  EXPECT_EQ(t.etag(), created.etag());
  EXPECT_TRUE(History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED).empty());

  // At the warning: level 1, queued for tier2.
  SetNow(Berlin(2026, 11, 30, 9, 48));
  EXPECT_EQ(MustSweep(), 1);
  t = MustGet(created.id());
  EXPECT_EQ(t.escalation_level(), 1);
  EXPECT_EQ(t.assignee_group(), "tier2");
  EXPECT_EQ(t.assignee(), "");
  EXPECT_NE(t.etag(), created.etag());
  std::vector<crm::v1::TicketChange> escalations = History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].from_value(), "0");
  EXPECT_EQ(escalations[0].to_value(), "1");
  EXPECT_EQ(escalations[0].actor(), "system");
  EXPECT_NE(escalations[0].reason().find("first response warning"), std::string::npos) << escalations[0].reason();
  EXPECT_EQ(T(escalations[0].time()), Berlin(2026, 11, 30, 9, 48));
  std::vector<crm::v1::Event> events = Events("ticket.escalated", "tier2");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_NOTICE);
  EXPECT_EQ(events[0].actor(), "system");

  // Sweeping again at the same time changes nothing.
  const std::string etag_at_level_1 = t.etag();
  EXPECT_EQ(MustSweep(), 0);
  EXPECT_EQ(MustGet(created.id()).etag(), etag_at_level_1);
  SetNow(Berlin(2026, 11, 30, 9, 59));
  EXPECT_EQ(MustSweep(), 0);
  EXPECT_EQ(MustGet(created.id()).etag(), etag_at_level_1);

  // At the breach: level 2, managers, dora.
  SetNow(Berlin(2026, 11, 30, 10));
  EXPECT_EQ(MustSweep(), 1);
  t = MustGet(created.id());
  EXPECT_EQ(t.escalation_level(), 2);
  EXPECT_EQ(t.assignee_group(), "managers");
  EXPECT_EQ(t.assignee(), "dora");
  EXPECT_TRUE(t.first_response().breached());
  escalations = History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED);
  ASSERT_EQ(escalations.size(), 2u);
  EXPECT_EQ(escalations[1].from_value(), "1");
  EXPECT_EQ(escalations[1].to_value(), "2");
  EXPECT_NE(escalations[1].reason().find("first response due"), std::string::npos) << escalations[1].reason();
  EXPECT_EQ(Events("ticket.escalated", "dora").size(), 1u);

  // The end of the chain: nothing more, ever.
  const std::string etag_at_level_2 = t.etag();
  SetNow(Berlin(2026, 12, 7, 9));
  EXPECT_EQ(MustSweep(), 0);
  EXPECT_EQ(MustGet(created.id()).etag(), etag_at_level_2);
  EXPECT_EQ(Events("ticket.escalated").size(), 2u);
}

TEST_P(EscalationTest, LateSweepJumpsToTheLevelDue) {
  const Ticket created = MustCreate();
  SetNow(Berlin(2026, 11, 30, 11));
  EXPECT_EQ(MustSweep(), 1);
  const Ticket t = MustGet(created.id());
  EXPECT_EQ(t.escalation_level(), 2);
  EXPECT_EQ(t.assignee(), "dora");
  const std::vector<crm::v1::TicketChange> escalations = History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].from_value(), "0");
  EXPECT_EQ(escalations[0].to_value(), "2");
}

TEST_P(EscalationTest, PendingTicketIsNotEscalated) {
  const Ticket created = MustCreate();
  SetNow(Berlin(2026, 11, 30, 9, 10));
  MustChangeStatus(created.id(), crm::v1::TICKET_STATUS_PENDING);
  SetNow(Berlin(2026, 11, 30, 15));
  EXPECT_EQ(MustSweep(), 0);
  EXPECT_EQ(MustGet(created.id()).escalation_level(), 0);

  // Back to open at 15:00 with 10 minutes counted: the warning comes 38 business minutes later.
  MustChangeStatus(created.id(), crm::v1::TICKET_STATUS_OPEN);
  SetNow(Berlin(2026, 11, 30, 15, 37));
  EXPECT_EQ(MustSweep(), 0);
  SetNow(Berlin(2026, 11, 30, 15, 38));
  EXPECT_EQ(MustSweep(), 1);
  EXPECT_EQ(MustGet(created.id()).escalation_level(), 1);
}

TEST_P(EscalationTest, ResolvedTicketIsNotEscalated) {
  const Ticket created = MustCreate();
  SetNow(Berlin(2026, 11, 30, 9, 20));
  MustChangeStatus(created.id(), crm::v1::TICKET_STATUS_RESOLVED);
  SetNow(Berlin(2026, 12, 1, 9));
  EXPECT_EQ(MustSweep(), 0);
  EXPECT_EQ(MustGet(created.id()).escalation_level(), 0);

  // Reopened long after both first-response triggers: the next sweep applies the level due.
  crm::v1::ReopenTicketRequest reopen;
  reopen.set_id(created.id());
  reopen.set_reason("not fixed");
  Ticket reopened;
  ASSERT_GRPC_OK(desk_->ReopenTicket(CallAs("alice").get(), reopen, &reopened));
  EXPECT_EQ(MustSweep(), 1);
  const Ticket t = MustGet(created.id());
  EXPECT_EQ(t.escalation_level(), 2);
  EXPECT_EQ(t.assignee(), "dora");
}

TEST_P(EscalationTest, TicketWithoutPolicy) {
  crm::v1::CreateTicketRequest request;
  request.mutable_ticket()->set_account_id(account_);
  request.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P4);  // no policy has a P4 target
  request.mutable_ticket()->set_subject("Typo on the invoice");
  Ticket created;
  ASSERT_GRPC_OK(desk_->CreateTicket(CallAs("alice").get(), request, &created));
  ASSERT_EQ(created.sla_policy_id(), "");
  SetNow(Berlin(2026, 12, 7, 9));
  EXPECT_EQ(MustSweep(), 0);

  // By hand it still goes up a level; without a chain the queue stays.
  Ticket out;
  ASSERT_GRPC_OK(Escalate(created.id(), "VIP complained", &out));
  EXPECT_EQ(out.escalation_level(), 1);
  EXPECT_EQ(out.assignee_group(), "");
  EXPECT_EQ(History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED).size(), 1u);
  EXPECT_EQ(MustSweep(), 0);
}

// Two server processes on one database, sweeping at once: the lease lets one work, and every
// ticket is escalated exactly once.
TEST_P(EscalationTest, TwoServersEscalateEachTicketOnce) {
  constexpr int kTickets = 24;
  std::vector<std::string> ids;
  for (int i = 0; i < kTickets; ++i) ids.push_back(MustCreate().id());
  testing::TestServer other(*database_);
  ASSERT_TRUE(other.ok()) << other.status();
  TicketJobs there(other.runtime());
  SetNow(Berlin(2026, 11, 30, 9, 50));
  other.clock().Set(Berlin(2026, 11, 30, 9, 50));

  std::atomic<int> total{0};
  auto sweep = [&total](TicketJobs& jobs) {
    absl::StatusOr<int> n = jobs.RunEscalationSweep();
    EXPECT_TRUE(n.ok()) << n.status();
    if (n.ok()) total += *n;
  };
  std::thread a([&] { sweep(*jobs_); });
  std::thread b([&] { sweep(there); });
  a.join();
  b.join();
  EXPECT_EQ(total.load(), kTickets);
  for (const std::string& id : ids) {
    EXPECT_EQ(History(id, crm::v1::TICKET_CHANGE_KIND_ESCALATED).size(), 1u) << id;
    EXPECT_EQ(MustGet(id).escalation_level(), 1) << id;
  }
  EXPECT_EQ(Events("ticket.escalated").size(), static_cast<size_t>(kTickets));
}

// Two sweepers that both hold the lease (one process): the conditional update alone keeps each
// escalation single.
TEST_P(EscalationTest, RacingSweepsInOneProcessEscalateEachTicketOnce) {
  constexpr int kTickets = 24;
  std::vector<std::string> ids;
  for (int i = 0; i < kTickets; ++i) ids.push_back(MustCreate().id());
  TicketJobs second(server_->runtime());
  SetNow(Berlin(2026, 11, 30, 10, 5));

  std::atomic<int> total{0};
  auto sweep = [&total](TicketJobs& jobs) {
    absl::StatusOr<int> n = jobs.RunEscalationSweep();
    EXPECT_TRUE(n.ok()) << n.status();
    if (n.ok()) total += *n;
  };
  std::thread a([&] { sweep(*jobs_); });
  std::thread b([&] { sweep(second); });
  a.join();
  b.join();
  EXPECT_EQ(total.load(), kTickets);
  for (const std::string& id : ids) {
    const std::vector<crm::v1::TicketChange> escalations = History(id, crm::v1::TICKET_CHANGE_KIND_ESCALATED);
    ASSERT_EQ(escalations.size(), 1u) << id;
    EXPECT_EQ(escalations[0].to_value(), "2");
  }
  EXPECT_EQ(Events("ticket.escalated").size(), static_cast<size_t>(kTickets));
}

TEST_P(EscalationTest, ManualEscalation) {
  const Ticket created = MustCreate();
  Ticket out;
  EXPECT_TRUE(HasCodeAndField(Escalate(created.id(), "", &out), grpc::StatusCode::INVALID_ARGUMENT, "reason"));
  EXPECT_TRUE(HasCodeAndField(Escalate(created.id(), "   ", &out), grpc::StatusCode::INVALID_ARGUMENT, "reason"));
  EXPECT_TRUE(HasCodeAndField(Escalate("", "urgent", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
  EXPECT_EQ(Escalate(kUnknownTicketId, "urgent", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Escalate(created.id(), "urgent", &out, "\"r99\"").error_code(), grpc::StatusCode::ABORTED);
  EXPECT_TRUE(History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED).empty());

  SetNow(Berlin(2026, 11, 30, 9, 5));
  ASSERT_GRPC_OK(Escalate(created.id(), "customer called the CEO", &out, created.etag()));
  EXPECT_EQ(out.escalation_level(), 1);
  EXPECT_EQ(out.assignee_group(), "tier2");
  EXPECT_NE(out.etag(), created.etag());
  // The timers come back live.
  EXPECT_EQ(T(out.first_response().due_time()), Berlin(2026, 11, 30, 10));
  EXPECT_EQ(out.first_response().remaining().seconds(), 55 * 60);
  std::vector<crm::v1::TicketChange> escalations = History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED);
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].actor(), "carol");
  EXPECT_EQ(escalations[0].reason(), "customer called the CEO");
  EXPECT_EQ(escalations[0].to_value(), "1");
  EXPECT_EQ(Events("ticket.escalated", "tier2").size(), 1u);

  // The stale etag of before the escalation is refused now.
  EXPECT_EQ(Escalate(created.id(), "again", &out, created.etag()).error_code(), grpc::StatusCode::ABORTED);

  // The sweep does not repeat level 1 at the warning, and still applies level 2 at the breach.
  SetNow(Berlin(2026, 11, 30, 9, 48));
  EXPECT_EQ(MustSweep(), 0);
  SetNow(Berlin(2026, 11, 30, 10));
  EXPECT_EQ(MustSweep(), 1);
  EXPECT_EQ(MustGet(created.id()).assignee(), "dora");

  // Beyond the chain: the level still rises, the queue stays.
  ASSERT_GRPC_OK(Escalate(created.id(), "still down", &out));
  EXPECT_EQ(out.escalation_level(), 3);
  EXPECT_EQ(out.assignee_group(), "managers");
  EXPECT_EQ(out.assignee(), "dora");
  EXPECT_EQ(History(created.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED).size(), 3u);

  // Resolved tickets are not escalated.
  MustChangeStatus(created.id(), crm::v1::TICKET_STATUS_RESOLVED);
  EXPECT_TRUE(HasCodeAndField(Escalate(created.id(), "too late", &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(MustGet(created.id()).escalation_level(), 3);
}

TEST_P(EscalationTest, TierChangeRetargetsOpenTickets) {
  SetTier(account_, crm::v1::ACCOUNT_TIER_UNSPECIFIED, crm::v1::ACCOUNT_TIER_KEY, /*announce=*/false);
  const Ticket open = MustCreate();
  Ticket resolved = MustCreate();
  const std::string other_account = MustCreateAccount("Other AG");
  const Ticket elsewhere = MustCreate(other_account);
  ASSERT_EQ(open.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  ASSERT_EQ(open.sla_policy_id(), default_policy_id_);
  SetNow(Berlin(2026, 11, 30, 9, 10));
  resolved = MustChangeStatus(resolved.id(), crm::v1::TICKET_STATUS_RESOLVED);

  // An update that leaves the tier alone re-targets nothing.
  crm::v1::UpdateAccountRequest rename;
  rename.mutable_account()->set_id(account_);
  rename.mutable_account()->set_name("Acme Holding GmbH");
  rename.mutable_update_mask()->add_paths("name");
  crm::v1::Account renamed;
  ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), rename, &renamed));
  absl::StatusOr<int64_t> handled = jobs_->CatchUpTierChanges();
  ASSERT_TRUE(handled.ok()) << handled.status();
  EXPECT_EQ(MustGet(open.id()).etag(), open.etag());
  SetNow(Berlin(2026, 11, 30, 9, 15));
  SetTier(account_, crm::v1::ACCOUNT_TIER_KEY, crm::v1::ACCOUNT_TIER_STRATEGIC);
  handled = jobs_->CatchUpTierChanges();
  ASSERT_TRUE(handled.ok()) << handled.status();

  const Ticket t = MustGet(open.id());
  EXPECT_EQ(t.account_tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(t.sla_policy_id(), strategic_policy_id_);
  EXPECT_EQ(t.first_response().target_minutes(), 30);
  EXPECT_EQ(t.resolution().target_minutes(), 120);
  // Creation stays the start.
  EXPECT_EQ(T(t.first_response().due_time()), Berlin(2026, 11, 30, 9, 30));
  EXPECT_EQ(T(t.resolution().due_time()), Berlin(2026, 11, 30, 11));
  const std::vector<crm::v1::TicketChange> retargets = History(open.id(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED);
  ASSERT_EQ(retargets.size(), 1u);
  EXPECT_EQ(retargets[0].reason(), "account tier ACCOUNT_TIER_KEY → ACCOUNT_TIER_STRATEGIC");
  EXPECT_EQ(retargets[0].actor(), "system");
  EXPECT_NE(retargets[0].to_value().find(strategic_policy_id_), std::string::npos);
  std::vector<crm::v1::Event> events = Events("ticket.sla_retargeted");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), open.id());

  // Not the resolved ticket, not another account's.
  const Ticket r = MustGet(resolved.id());
  EXPECT_EQ(r.account_tier(), crm::v1::ACCOUNT_TIER_KEY);
  EXPECT_EQ(r.sla_policy_id(), default_policy_id_);
  EXPECT_EQ(r.etag(), resolved.etag());
  EXPECT_TRUE(History(resolved.id(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED).empty());
  EXPECT_EQ(MustGet(elsewhere.id()).etag(), elsewhere.etag());

  // The new chain drives escalation: strategic breach at 09:30 → strategic-desk.
  SetNow(Berlin(2026, 11, 30, 9, 30));
  EXPECT_EQ(MustSweep(), 1);
  EXPECT_EQ(MustGet(open.id()).assignee_group(), "strategic-desk");

  // Handled once: catching up again re-targets nothing more.
  ASSERT_TRUE(jobs_->CatchUpTierChanges().ok());
  EXPECT_EQ(History(open.id(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED).size(), 1u);
}

TEST_P(EscalationTest, TierChangeKeepsBreachFlags) {
  const Ticket created = MustCreate();
  SetNow(Berlin(2026, 11, 30, 10, 30));
  ASSERT_EQ(MustSweep(), 1);  // breached first response, level 2
  ASSERT_TRUE(MustGet(created.id()).first_response().breached());
  SetTier(account_, crm::v1::ACCOUNT_TIER_UNSPECIFIED, crm::v1::ACCOUNT_TIER_STRATEGIC);
  ASSERT_TRUE(jobs_->CatchUpTierChanges().ok());
  const Ticket t = MustGet(created.id());
  EXPECT_EQ(t.sla_policy_id(), strategic_policy_id_);
  EXPECT_TRUE(t.first_response().breached());
  EXPECT_EQ(t.escalation_level(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, EscalationTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
