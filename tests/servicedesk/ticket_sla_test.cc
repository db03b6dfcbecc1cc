// The SLA engine (ComputeSla): due and warning times over weekends, holidays and pauses, met and
// reopened targets, sticky breaches, escalation triggers, and thousands of random timelines
// checked against a minute-by-minute count.
#include "services/servicedesk/ticket_sla.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace crm::servicedesk {
namespace {

constexpr int kMonday = 1, kFriday = 5, kSaturday = 6;

std::vector<WorkingHours> Weekdays(int start_hour, int end_hour) {
  std::vector<WorkingHours> hours;
  for (int weekday = kMonday; weekday <= kFriday; ++weekday) hours.push_back({weekday, start_hour * 60, end_hour * 60});
  return hours;
}

BusinessCalendar MakeCalendar(std::vector<WorkingHours> hours, std::vector<Holiday> holidays) {
  absl::StatusOr<BusinessCalendar> calendar =
      BusinessCalendar::Create({"Europe/Berlin", std::move(hours), std::move(holidays)}, "calendar");
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

crm::v1::EscalationStep Step(int level, crm::v1::EscalationTrigger trigger, int64_t after_minutes,
                             const std::string& group) {
  crm::v1::EscalationStep step;
  step.set_level(level);
  step.set_trigger(trigger);
  step.set_after_minutes(after_minutes);
  step.set_assignee_group(group);
  return step;
}

// Berlin office hours Mon-Fri 09:00-17:00; Monday 2026-01-12 is a holiday. 2026-01-05 is a Monday.
class TicketSlaTest : public ::testing::Test {
 protected:
  absl::Time At(int day_of_january, int hour, int minute = 0) const {
    return absl::FromCivil(absl::CivilMinute(2026, 1, day_of_january, hour, minute), berlin_);
  }

  SlaSnapshot Snapshot(int64_t first_response_minutes, int64_t resolution_minutes) const {
    SlaSnapshot snapshot;
    snapshot.policy_id = "policy";
    snapshot.calendar_id = "calendar";
    snapshot.first_response_minutes = first_response_minutes;
    snapshot.resolution_minutes = resolution_minutes;
    snapshot.warning_percent = 80;
    return snapshot;
  }

  absl::TimeZone berlin_ = [] {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &zone));
    return zone;
  }();
  BusinessCalendar office_ = MakeCalendar(Weekdays(9, 17), {{absl::CivilDay(2026, 1, 12), "Staff day"}});
};

TEST_F(TicketSlaTest, DueAcrossWeekendAndHoliday) {
  TicketTimeline timeline;
  timeline.created = At(9, 15);  // Friday
  const SlaState state = ComputeSla(office_, Snapshot(0, 480), timeline, At(9, 16));
  // Friday 15-17 (2 h), weekend, holiday Monday, Tuesday 09:00 + 6 h.
  ASSERT_TRUE(state.resolution.due.has_value());
  EXPECT_EQ(*state.resolution.due, At(13, 15));
  // 80 % = 6 h 24 min: Friday 2 h, Tuesday 4 h 24 min.
  ASSERT_TRUE(state.resolution.warning.has_value());
  EXPECT_EQ(*state.resolution.warning, At(13, 13, 24));
  EXPECT_EQ(state.resolution.remaining, absl::Hours(7));
  EXPECT_FALSE(state.resolution.breached);
  EXPECT_FALSE(state.resolution.paused);
  EXPECT_EQ(state.resolution.target_minutes, 480);
  // No first-response target: an empty timer.
  EXPECT_EQ(state.first_response.target_minutes, 0);
  EXPECT_FALSE(state.first_response.due.has_value());
}

TEST_F(TicketSlaTest, PauseInsideClosedHoursCostsNothing) {
  TicketTimeline timeline;
  timeline.created = At(9, 15);
  timeline.pauses.push_back({PauseKind::kPending, At(9, 18), At(12, 8)});  // Friday evening to Monday 08:00
  const SlaState state = ComputeSla(office_, Snapshot(60, 480), timeline, At(13, 9));
  EXPECT_EQ(*state.resolution.due, At(13, 15));
  EXPECT_EQ(*state.first_response.due, At(9, 16));
  EXPECT_TRUE(state.first_response.breached);
  EXPECT_FALSE(state.resolution.breached);
}

TEST_F(TicketSlaTest, PauseAcrossClosedHoursCountsOnlyWorkingTimeLost) {
  TicketTimeline timeline;
  timeline.created = At(9, 15);
  // Friday 16:00 to Tuesday 10:00: loses Friday 16-17 and Tuesday 09-10.
  timeline.pauses.push_back({PauseKind::kPending, At(9, 16), At(13, 10)});
  const SlaState state = ComputeSla(office_, Snapshot(0, 480), timeline, At(13, 11));
  EXPECT_EQ(*state.resolution.due, At(13, 17));
  EXPECT_EQ(state.resolution.remaining, absl::Hours(6));
}

TEST_F(TicketSlaTest, OpenPauseFreezesTheTimer) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.pauses.push_back({PauseKind::kPending, At(5, 10), absl::InfiniteFuture()});
  SlaSnapshot snapshot = Snapshot(120, 240);
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, 0, "tier2")};
  const SlaState state = ComputeSla(office_, snapshot, timeline, At(6, 15));
  for (const TimerState* timer : {&state.first_response, &state.resolution}) {
    EXPECT_TRUE(timer->paused);
    EXPECT_FALSE(timer->due.has_value());
    EXPECT_FALSE(timer->warning.has_value());
    EXPECT_FALSE(timer->breached);
  }
  EXPECT_EQ(state.first_response.remaining, absl::Hours(1));
  EXPECT_EQ(state.resolution.remaining, absl::Hours(3));
  EXPECT_FALSE(state.next_escalation_time.has_value());
  EXPECT_EQ(state.due_level, 0);
}

TEST_F(TicketSlaTest, PausedAfterTheDueTimeStaysBreached) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.pauses.push_back({PauseKind::kPending, At(5, 12), absl::InfiniteFuture()});
  const SlaState state = ComputeSla(office_, Snapshot(0, 120), timeline, At(6, 9));
  EXPECT_TRUE(state.resolution.paused);
  EXPECT_TRUE(state.resolution.breached);
  EXPECT_EQ(state.resolution.remaining, absl::Hours(-1));
}

TEST_F(TicketSlaTest, ResolvedPauseAndReopen) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.first_response = At(5, 9, 30);
  timeline.resolved = At(5, 11);
  timeline.pauses.push_back({PauseKind::kResolved, At(5, 11), absl::InfiniteFuture()});
  SlaState state = ComputeSla(office_, Snapshot(60, 480), timeline, At(5, 16));
  EXPECT_EQ(state.resolution.met, At(5, 11));
  EXPECT_FALSE(state.resolution.due.has_value());
  EXPECT_FALSE(state.resolution.breached);
  EXPECT_EQ(state.resolution.remaining, absl::Hours(6));
  // The resolved pause does not stop the first-response timer (already met anyway).
  EXPECT_EQ(state.first_response.met, At(5, 9, 30));
  EXPECT_EQ(state.first_response.remaining, absl::Minutes(30));
  EXPECT_FALSE(state.first_response.breached);

  // Reopened Tuesday 10:00: the two hours counted stay counted, six remain.
  timeline.resolved.reset();
  timeline.pauses.back().to = At(6, 10);
  state = ComputeSla(office_, Snapshot(60, 480), timeline, At(6, 10));
  EXPECT_FALSE(state.resolution.met.has_value());
  EXPECT_FALSE(state.resolution.paused);
  EXPECT_EQ(*state.resolution.due, At(6, 16));
  EXPECT_EQ(state.resolution.remaining, absl::Hours(6));
}

TEST_F(TicketSlaTest, ResolvedPauseDoesNotStopFirstResponse) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.resolved = At(5, 9, 30);
  timeline.pauses.push_back({PauseKind::kResolved, At(5, 9, 30), absl::InfiniteFuture()});
  const SlaState state = ComputeSla(office_, Snapshot(60, 480), timeline, At(5, 10, 30));
  EXPECT_FALSE(state.first_response.paused);
  EXPECT_EQ(*state.first_response.due, At(5, 10));
  EXPECT_TRUE(state.first_response.breached);
}

TEST_F(TicketSlaTest, WarningAtEightyPercent) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  SlaState state = ComputeSla(office_, Snapshot(100, 0), timeline, At(5, 9));
  EXPECT_EQ(*state.first_response.warning, At(5, 10, 20));
  EXPECT_EQ(*state.first_response.due, At(5, 10, 40));

  SlaSnapshot half = Snapshot(100, 0);
  half.warning_percent = 50;
  state = ComputeSla(office_, half, timeline, At(5, 9));
  EXPECT_EQ(*state.first_response.warning, At(5, 9, 50));
}

TEST_F(TicketSlaTest, BreachIsSticky) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  const SlaSnapshot snapshot = Snapshot(60, 240);
  EXPECT_FALSE(ComputeSla(office_, snapshot, timeline, At(5, 9, 59)).first_response.breached);
  EXPECT_TRUE(ComputeSla(office_, snapshot, timeline, At(5, 10)).first_response.breached);

  // Met late: breached, and stays so.
  timeline.first_response = At(5, 10, 5);
  SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 11));
  EXPECT_TRUE(state.first_response.breached);
  EXPECT_EQ(state.first_response.remaining, absl::Minutes(-5));

  // Met on time: not breached, unless the stored flag says it was.
  timeline.first_response = At(5, 9, 55);
  EXPECT_FALSE(ComputeSla(office_, snapshot, timeline, At(5, 11)).first_response.breached);
  timeline.first_response_breached = true;
  EXPECT_TRUE(ComputeSla(office_, snapshot, timeline, At(5, 11)).first_response.breached);

  // A stored resolution breach survives a long pause that gives time back.
  timeline.resolution_breached = true;
  state = ComputeSla(office_, snapshot, timeline, At(5, 9, 30));
  EXPECT_TRUE(state.resolution.breached);
  EXPECT_GT(state.resolution.remaining, absl::ZeroDuration());
}

TEST_F(TicketSlaTest, EscalationTriggersWithAfterMinutes) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.first_response = At(5, 9, 10);  // met: only resolution escalates
  SlaSnapshot snapshot = Snapshot(60, 240);
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, 0, "tier2"),
                         Step(2, crm::v1::ESCALATION_TRIGGER_BREACH, 30, "managers")};
  // Resolution: warning 12:12, due 13:00, step 2 at 13:30.
  SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 12));
  EXPECT_EQ(state.due_level, 0);
  EXPECT_EQ(state.next_escalation_time, At(5, 12, 12));

  state = ComputeSla(office_, snapshot, timeline, At(5, 12, 12));
  EXPECT_EQ(state.due_level, 1);
  EXPECT_NE(state.due_reason.find("resolution warning"), std::string::npos) << state.due_reason;
  // Level 1 is due but not applied: the sweep has work since 12:12.
  EXPECT_EQ(state.next_escalation_time, At(5, 12, 12));
  timeline.escalation_level = 1;  // applied
  state = ComputeSla(office_, snapshot, timeline, At(5, 12, 12));
  EXPECT_EQ(state.due_level, 1);
  EXPECT_EQ(state.next_escalation_time, At(5, 13, 30));

  state = ComputeSla(office_, snapshot, timeline, At(5, 13, 29));
  EXPECT_EQ(state.due_level, 1);
  state = ComputeSla(office_, snapshot, timeline, At(5, 13, 30));
  EXPECT_EQ(state.due_level, 2);
  EXPECT_NE(state.due_reason.find("resolution due"), std::string::npos) << state.due_reason;
  EXPECT_EQ(state.next_escalation_time, At(5, 13, 30));
  timeline.escalation_level = 2;
  state = ComputeSla(office_, snapshot, timeline, At(5, 13, 30));
  EXPECT_FALSE(state.next_escalation_time.has_value());

  // Never escalated and both triggers passed: straight to level 2, work pending since 12:12.
  timeline.escalation_level = 0;
  state = ComputeSla(office_, snapshot, timeline, At(5, 14));
  EXPECT_EQ(state.due_level, 2);
  EXPECT_EQ(state.next_escalation_time, At(5, 12, 12));

  // Already escalated (e.g. by hand) to level 2: nothing lower is due, nothing next.
  timeline.escalation_level = 2;
  state = ComputeSla(office_, snapshot, timeline, At(5, 9, 30));
  EXPECT_EQ(state.due_level, 2);
  EXPECT_FALSE(state.next_escalation_time.has_value());

  // Level 1 by hand before its trigger: the next is step 2.
  timeline.escalation_level = 1;
  state = ComputeSla(office_, snapshot, timeline, At(5, 9, 30));
  EXPECT_EQ(state.due_level, 1);
  EXPECT_EQ(state.next_escalation_time, At(5, 13, 30));
}

TEST_F(TicketSlaTest, AfterMinutesCountBusinessTime) {
  TicketTimeline timeline;
  timeline.created = At(5, 13);
  SlaSnapshot snapshot = Snapshot(0, 230);  // due Monday 16:50
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_BREACH, 30, "managers")};
  const SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 17));
  EXPECT_EQ(state.due_level, 0);
  EXPECT_EQ(state.next_escalation_time, At(6, 9, 20));
  EXPECT_TRUE(state.resolution.breached);
}

TEST_F(TicketSlaTest, EarliestTargetTriggers) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  SlaSnapshot snapshot = Snapshot(60, 240);
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_BREACH, 0, "tier2")};
  SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 9));
  EXPECT_EQ(state.next_escalation_time, At(5, 10));  // first response due first
  state = ComputeSla(office_, snapshot, timeline, At(5, 10));
  EXPECT_EQ(state.due_level, 1);
  EXPECT_NE(state.due_reason.find("first response due"), std::string::npos) << state.due_reason;
}

TEST_F(TicketSlaTest, PausedTicketHasNoNextEscalation) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.pauses.push_back({PauseKind::kPending, At(5, 9, 30), absl::InfiniteFuture()});
  SlaSnapshot snapshot = Snapshot(60, 240);
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, 0, "tier2"),
                         Step(2, crm::v1::ESCALATION_TRIGGER_BREACH, 0, "managers")};
  const SlaState state = ComputeSla(office_, snapshot, timeline, At(7, 9));
  EXPECT_EQ(state.due_level, 0);
  EXPECT_FALSE(state.next_escalation_time.has_value());

  // Resumed: the counting picks up where it stopped (30 min spent of the first response's 60).
  timeline.pauses.back().to = At(7, 9);
  const SlaState resumed = ComputeSla(office_, snapshot, timeline, At(7, 9));
  EXPECT_EQ(resumed.next_escalation_time, At(7, 9, 18));
}

TEST_F(TicketSlaTest, ResolvedTicketHasNoEscalation) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.resolved = At(5, 9, 30);  // without a first response
  timeline.pauses.push_back({PauseKind::kResolved, At(5, 9, 30), absl::InfiniteFuture()});
  SlaSnapshot snapshot = Snapshot(60, 240);
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_BREACH, 0, "tier2")};
  const SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 11));
  EXPECT_TRUE(state.first_response.breached);
  EXPECT_EQ(state.due_level, 0);
  EXPECT_FALSE(state.next_escalation_time.has_value());
}

TEST_F(TicketSlaTest, NoPolicyIsEmpty) {
  TicketTimeline timeline;
  timeline.created = At(5, 9);
  timeline.escalation_level = 1;
  SlaSnapshot snapshot;
  snapshot.escalation = {Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, 0, "tier2")};
  const SlaState state = ComputeSla(office_, snapshot, timeline, At(9, 9));
  EXPECT_EQ(state.first_response.target_minutes, 0);
  EXPECT_FALSE(state.first_response.due.has_value());
  EXPECT_EQ(state.resolution.target_minutes, 0);
  EXPECT_FALSE(state.resolution.breached);
  EXPECT_FALSE(state.next_escalation_time.has_value());
  EXPECT_EQ(state.due_level, 1);
  EXPECT_TRUE(state.due_reason.empty());
}

TEST_F(TicketSlaTest, TimerToProto) {
  TimerState timer;
  timer.target_minutes = 60;
  timer.due = At(5, 10);
  timer.warning = At(5, 9, 48);
  timer.remaining = -absl::Seconds(90) - absl::Milliseconds(500);
  timer.breached = true;
  crm::v1::SlaTimer proto;
  TimerToProto(timer, &proto);
  EXPECT_EQ(proto.target_minutes(), 60);
  EXPECT_EQ(proto.due_time().seconds(), absl::ToUnixSeconds(At(5, 10)));
  EXPECT_EQ(proto.warning_time().seconds(), absl::ToUnixSeconds(At(5, 9, 48)));
  EXPECT_EQ(proto.remaining().seconds(), -90);
  EXPECT_EQ(proto.remaining().nanos(), -500000000);
  EXPECT_FALSE(proto.has_met_time());
  EXPECT_TRUE(proto.breached());
  EXPECT_FALSE(proto.paused());
}

TEST_F(TicketSlaTest, TicketRowHelpers) {
  crm::v1::Ticket ticket;
  ticket.set_sla_policy_id("policy");
  ticket.set_calendar_id("calendar");
  ticket.mutable_first_response()->set_target_minutes(60);
  ticket.mutable_resolution()->set_target_minutes(240);
  ticket.mutable_resolution()->set_breached(true);
  ticket.set_escalation_level(1);
  ticket.mutable_create_time()->set_seconds(absl::ToUnixSeconds(At(5, 9)));
  ticket.mutable_first_response_time()->set_seconds(absl::ToUnixSeconds(At(5, 9, 20)));

  const SlaSnapshot snapshot = SnapshotOfTicket(ticket, 0, {Step(1, crm::v1::ESCALATION_TRIGGER_WARNING, 0, "tier2")});
  EXPECT_EQ(snapshot.warning_percent, 80);  // 0 = the default
  EXPECT_EQ(snapshot.resolution_minutes, 240);
  EXPECT_EQ(snapshot.escalation.size(), 1u);
  const TicketTimeline timeline = TimelineOfTicket(ticket, {});
  EXPECT_EQ(timeline.created, At(5, 9));
  EXPECT_EQ(timeline.first_response, At(5, 9, 20));
  EXPECT_FALSE(timeline.resolved.has_value());
  EXPECT_TRUE(timeline.resolution_breached);
  EXPECT_EQ(timeline.escalation_level, 1);

  // The stored resolution breach survives a state that (after a re-target) says otherwise.
  SlaState state = ComputeSla(office_, snapshot, timeline, At(5, 10));
  state.resolution.breached = false;
  SetTicketTimers(state, &ticket);
  EXPECT_TRUE(ticket.resolution().breached());
  EXPECT_EQ(ticket.resolution().remaining().seconds(), 3 * 3600);
  EXPECT_EQ(ticket.first_response().met_time().seconds(), absl::ToUnixSeconds(At(5, 9, 20)));
}

// Random timelines against a deliberately simple model: every minute of a four-week horizon is
// classified once from the local wall clock (working hours, holidays), pauses knock minutes out,
// and the due time is the end of the target-th counted minute.
TEST(TicketSlaRandomTest, MatchesMinuteByMinuteCount) {
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  std::vector<WorkingHours> hours = Weekdays(9, 17);
  hours.push_back({kMonday, 18 * 60, 20 * 60});
  hours.push_back({kSaturday, 10 * 60, 14 * 60});
  // Spans the spring DST change (2026-03-29) and Easter (Good Friday 04-03, Easter Monday 04-06).
  const std::vector<Holiday> holidays = {{absl::CivilDay(2026, 4, 3), "Good Friday"},
                                         {absl::CivilDay(2026, 4, 6), "Easter Monday"}};
  const BusinessCalendar calendar = MakeCalendar(hours, holidays);

  const absl::Time origin = absl::FromCivil(absl::CivilMinute(2026, 3, 23, 0, 0), berlin);
  constexpr int kHorizonMinutes = 28 * 24 * 60;
  std::vector<bool> working(kHorizonMinutes);
  for (int m = 0; m < kHorizonMinutes; ++m) {
    const absl::CivilMinute local = absl::ToCivilMinute(origin + absl::Minutes(m), berlin);
    const absl::CivilDay day(local);
    bool holiday = false;
    for (const Holiday& h : holidays) holiday = holiday || h.day == day;
    const int weekday = static_cast<int>(absl::GetWeekday(day)) + 1;  // absl: Monday = 0
    const int minute_of_day = local.hour() * 60 + local.minute();
    bool open = false;
    for (const WorkingHours& w : hours) {
      open = open || (w.weekday == weekday && minute_of_day >= w.start_minute && minute_of_day < w.end_minute);
    }
    working[m] = open && !holiday;
  }

  std::mt19937 rng(20261126);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked_due = 0;
  for (int round = 0; round < 3000; ++round) {
    const int created = uniform(0, 10 * 24 * 60);
    const int target = uniform(1, 1500);
    const int now = uniform(created, kHorizonMinutes - 1);
    TicketTimeline timeline;
    timeline.created = origin + absl::Minutes(created);
    std::vector<bool> paused(kHorizonMinutes, false);
    int cursor = created;
    const int pause_count = uniform(0, 3);
    bool open_pause = false;
    for (int p = 0; p < pause_count && cursor < now; ++p) {
      const int from = uniform(cursor, now);
      const bool last = p + 1 == pause_count;
      const bool still_open = last && uniform(0, 3) == 0;
      const int to = still_open ? kHorizonMinutes : uniform(from + 1, std::min(now, from + 3 * 24 * 60) + 1);
      timeline.pauses.push_back({PauseKind::kPending, origin + absl::Minutes(from),
                                 still_open ? absl::InfiniteFuture() : origin + absl::Minutes(to)});
      for (int m = from; m < std::min(to, kHorizonMinutes); ++m) paused[m] = true;
      open_pause = still_open;
      cursor = to;
    }

    int counted_until_now = 0;
    std::optional<int> due_minute;
    int counted = 0;
    for (int m = created; m < kHorizonMinutes; ++m) {
      if (working[m] && !paused[m]) {
        ++counted;
        if (counted == target) {
          due_minute = m + 1;
          break;
        }
      }
    }
    for (int m = created; m < now; ++m) counted_until_now += working[m] && !paused[m];

    const SlaState state = ComputeSla(calendar, SlaSnapshot{"policy", "calendar", 0, target, 80, {}}, timeline,
                                      origin + absl::Minutes(now));
    const std::string context = absl::StrCat("round ", round, " created ", created, " target ", target, " now ", now,
                                             " pauses ", timeline.pauses.size(), " open ", open_pause);
    ASSERT_EQ(state.resolution.remaining, absl::Minutes(target - counted_until_now)) << context;
    ASSERT_EQ(state.resolution.paused, open_pause) << context;
    if (open_pause) {
      ASSERT_FALSE(state.resolution.due.has_value()) << context;
      ASSERT_EQ(state.resolution.breached, due_minute.has_value() && *due_minute <= now) << context;
      continue;
    }
    if (!due_minute.has_value()) {  // beyond the model's horizon
      ASSERT_TRUE(!state.resolution.due.has_value() || *state.resolution.due >= origin + absl::Minutes(kHorizonMinutes))
          << context;
      continue;
    }
    ASSERT_TRUE(state.resolution.due.has_value()) << context;
    ASSERT_EQ(*state.resolution.due, origin + absl::Minutes(*due_minute)) << context;
    ASSERT_EQ(state.resolution.breached, now >= *due_minute) << context;
    ++checked_due;
  }
  EXPECT_GT(checked_due, 1000);
}

}  // namespace
}  // namespace crm::servicedesk
