// BusinessCalendar: hand-checked SLA arithmetic (gaps, holidays, lunch breaks, DST in both
// directions, pauses), the explanation of a deadline, rejected calendars, and thousands of random
// cases checked against a minute-by-minute count made only from absolute time and the zone.
#include "services/servicedesk/business_calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/status_matchers.h"

namespace crm::servicedesk {
namespace {

using crm::testing::HasCodeAndField;
using Kind = ExplainedSegment::Kind;

constexpr int kMonday = 1, kTuesday = 2, kFriday = 5, kSaturday = 6, kSunday = 7;

int Clock(int hour, int minute = 0) { return hour * 60 + minute; }

std::vector<WorkingHours> Weekdays(int start, int end) {
  std::vector<WorkingHours> hours;
  for (int weekday = kMonday; weekday <= kFriday; ++weekday) hours.push_back({weekday, start, end});
  return hours;
}

std::vector<WorkingHours> EveryDay(int start, int end) {
  std::vector<WorkingHours> hours;
  for (int weekday = kMonday; weekday <= kSunday; ++weekday) hours.push_back({weekday, start, end});
  return hours;
}

BusinessCalendar MakeCalendar(const std::string& zone, std::vector<WorkingHours> hours,
                              std::vector<Holiday> holidays = {}) {
  absl::StatusOr<BusinessCalendar> calendar =
      BusinessCalendar::Create({zone, std::move(hours), std::move(holidays)}, "calendar");
  EXPECT_TRUE(calendar.ok()) << calendar.status();
  return *std::move(calendar);
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

// An unambiguous local wall-clock time.
absl::Time Local(const absl::TimeZone& zone, int y, int mo, int d, int h, int mi = 0) {
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(y, mo, d, h, mi, 0));
  EXPECT_EQ(info.kind, absl::TimeZone::TimeInfo::UNIQUE);
  return info.pre;
}

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

// 2026-01-05 is a Monday.
class BerlinOfficeTest : public ::testing::Test {
 protected:
  absl::Time At(int day_of_january, int hour, int minute = 0) const {
    return Local(berlin_, 2026, 1, day_of_january, hour, minute);
  }
  absl::TimeZone berlin_ = Zone("Europe/Berlin");
  BusinessCalendar office_ = MakeCalendar("Europe/Berlin", Weekdays(Clock(9), Clock(17)));
};

TEST_F(BerlinOfficeTest, SameDay) {
  EXPECT_EQ(office_.AddBusinessTime(At(5, 10), absl::Hours(2), {}), At(5, 12));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 10), At(5, 12), {}), absl::Hours(2));
}

TEST_F(BerlinOfficeTest, OvernightGap) {
  EXPECT_EQ(office_.AddBusinessTime(At(5, 16, 30), absl::Hours(1), {}), At(6, 9, 30));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 16, 30), At(6, 9, 30), {}), absl::Hours(1));
}

TEST_F(BerlinOfficeTest, SubsecondStartsAndTargetsAreExact) {
  const absl::Time start = At(5, 16, 59) + absl::Milliseconds(500);
  EXPECT_EQ(office_.AddBusinessTime(start, absl::Seconds(90), {}),
            At(6, 9, 1) + absl::Milliseconds(500) - absl::Seconds(30));
  EXPECT_EQ(office_.BusinessTimeBetween(start, At(6, 9), {}), absl::Milliseconds(59500));
}

TEST_F(BerlinOfficeTest, ReachingTheTargetAtClosingIsDueAtClosing) {
  EXPECT_EQ(office_.AddBusinessTime(At(5, 16), absl::Hours(1), {}), At(5, 17));
}

TEST_F(BerlinOfficeTest, WeekendGap) {
  EXPECT_EQ(office_.AddBusinessTime(At(9, 16), absl::Hours(2), {}), At(12, 10));
  EXPECT_EQ(office_.BusinessTimeBetween(At(9, 16), At(12, 10), {}), absl::Hours(2));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 0), At(12, 0), {}), absl::Hours(40));
}

TEST_F(BerlinOfficeTest, StartOutsideHours) {
  EXPECT_EQ(office_.AddBusinessTime(At(5, 7), absl::Hours(1), {}), At(5, 10));     // before opening
  EXPECT_EQ(office_.AddBusinessTime(At(5, 18), absl::Hours(1), {}), At(6, 10));    // after closing
  EXPECT_EQ(office_.AddBusinessTime(At(10, 12), absl::Hours(1), {}), At(12, 10));  // Saturday
}

TEST_F(BerlinOfficeTest, ZeroTargetIsDueAtOnceEvenWhenClosed) {
  EXPECT_EQ(office_.AddBusinessTime(At(10, 12), absl::ZeroDuration(), {}), At(10, 12));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 12), At(5, 11), {}), absl::ZeroDuration());
}

TEST(BusinessCalendarTest, HolidaysAreSkipped) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  const BusinessCalendar calendar =
      MakeCalendar("Europe/Berlin", Weekdays(Clock(9), Clock(17)),
                   {{absl::CivilDay(2026, 1, 6), "Epiphany"}, {absl::CivilDay(2026, 1, 6), "dup"}});
  // Monday 16:00 + 2 h: one hour on Monday, Tuesday is a holiday, one hour on Wednesday.
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 1, 5, 16), absl::Hours(2), {}),
            Local(berlin, 2026, 1, 7, 10));
  // Starting on the holiday itself.
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 1, 6, 10), absl::Hours(1), {}),
            Local(berlin, 2026, 1, 7, 10));
  EXPECT_EQ(
      calendar.BusinessTimeBetween(Local(berlin, 2026, 1, 5, 0), Local(berlin, 2026, 1, 12, 0), {}),
      absl::Hours(32));
}

TEST(BusinessCalendarTest, SplitHoursWithLunchBreak) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  std::vector<WorkingHours> hours = Weekdays(Clock(9), Clock(12));
  for (const WorkingHours& afternoon : Weekdays(Clock(13), Clock(17))) hours.push_back(afternoon);
  const BusinessCalendar calendar = MakeCalendar("Europe/Berlin", hours);
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 1, 5, 11), absl::Hours(2), {}),
            Local(berlin, 2026, 1, 5, 14));
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 1, 5, 12, 30), absl::Hours(1), {}),
            Local(berlin, 2026, 1, 5, 14));
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 1, 5, 11), absl::Hours(1), {}),
            Local(berlin, 2026, 1, 5, 12));
  EXPECT_EQ(
      calendar.BusinessTimeBetween(Local(berlin, 2026, 1, 5, 0), Local(berlin, 2026, 1, 6, 0), {}),
      absl::Hours(7));
}

// --- DST ------------------------------------------------------------------------------------

struct DstDay {
  const char* zone;
  absl::CivilDay day;
  absl::Duration early_hours;  // business time of 00:00-06:00 on that day
  absl::Duration one_to_four;  // business time of 01:00-04:00
};

class DstTest : public ::testing::TestWithParam<DstDay> {};

TEST_P(DstTest, HoursCountActualElapsedTime) {
  const DstDay& p = GetParam();
  const absl::TimeZone zone = Zone(p.zone);
  const absl::Time day_start = zone.At(absl::CivilSecond(p.day)).pre;
  const absl::Time day_end = zone.At(absl::CivilSecond(p.day + 1)).pre;

  const BusinessCalendar early = MakeCalendar(p.zone, EveryDay(Clock(0), Clock(6)));
  EXPECT_EQ(early.BusinessTimeBetween(day_start, day_end, {}), p.early_hours);
  const BusinessCalendar night = MakeCalendar(p.zone, EveryDay(Clock(1), Clock(4)));
  EXPECT_EQ(night.BusinessTimeBetween(day_start, day_end, {}), p.one_to_four);
  const BusinessCalendar office = MakeCalendar(p.zone, EveryDay(Clock(9), Clock(17)));
  EXPECT_EQ(office.BusinessTimeBetween(day_start, day_end, {}), absl::Hours(8));

  // The early hours end at local 06:00, which is unambiguous on every one of these days.
  EXPECT_EQ(early.AddBusinessTime(day_start, p.early_hours, {}),
            Local(zone, p.day.year(), p.day.month(), p.day.day(), 6));
  // One hour of the 09-17 day before the transition day ends at 10:00 whatever the offset.
  EXPECT_EQ(office.AddBusinessTime(day_start, absl::Hours(1), {}),
            Local(zone, p.day.year(), p.day.month(), p.day.day(), 10));
}

INSTANTIATE_TEST_SUITE_P(
    Transitions, DstTest,
    ::testing::Values(
        DstDay{"Europe/Berlin", absl::CivilDay(2026, 3, 29), absl::Hours(5), absl::Hours(2)},
        DstDay{"Europe/Berlin", absl::CivilDay(2026, 10, 25), absl::Hours(7), absl::Hours(4)},
        DstDay{"America/New_York", absl::CivilDay(2026, 3, 8), absl::Hours(5), absl::Hours(2)},
        DstDay{"America/New_York", absl::CivilDay(2026, 11, 1), absl::Hours(7), absl::Hours(4)},
        // A normal day for comparison.
        DstDay{"Europe/Berlin", absl::CivilDay(2026, 3, 22), absl::Hours(6), absl::Hours(3)}));

TEST(DstRuleTest, BerlinSpringForward) {
  const BusinessCalendar early = MakeCalendar("Europe/Berlin", EveryDay(Clock(0), Clock(6)));
  // 00:00 CET is 23:00 UTC; 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 3, 28, 23), absl::Hours(2), {}), Utc(2026, 3, 29, 1));
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 3, 28, 23), absl::Hours(3), {}), Utc(2026, 3, 29, 2));

  // Hours starting inside the skipped hour begin at the transition.
  const BusinessCalendar late_start =
      MakeCalendar("Europe/Berlin", EveryDay(Clock(2, 30), Clock(5)));
  EXPECT_EQ(late_start.AddBusinessTime(Utc(2026, 3, 28, 23), absl::Minutes(1), {}),
            Utc(2026, 3, 29, 1, 1));
  EXPECT_EQ(late_start.BusinessTimeBetween(Utc(2026, 3, 28, 23), Utc(2026, 3, 29, 22), {}),
            absl::Hours(2));
  // And hours ending inside it end at the transition.
  const BusinessCalendar early_end =
      MakeCalendar("Europe/Berlin", EveryDay(Clock(1), Clock(2, 30)));
  EXPECT_EQ(early_end.BusinessTimeBetween(Utc(2026, 3, 28, 23), Utc(2026, 3, 29, 22), {}),
            absl::Hours(1));
}

TEST(DstRuleTest, BerlinFallBack) {
  const BusinessCalendar early = MakeCalendar("Europe/Berlin", EveryDay(Clock(0), Clock(6)));
  // 00:00 CEST is 22:00 UTC; 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 10, 24, 22), absl::Hours(3), {}),
            Utc(2026, 10, 25, 1));  // the second 02:00
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 10, 24, 22), absl::Hours(7), {}),
            Utc(2026, 10, 25, 5));  // 06:00 CET

  // A bound inside the repeated hour applies to both occurrences: 02:30-03:00 CEST and
  // 02:30 CET-05:00 CET.
  const BusinessCalendar late_start =
      MakeCalendar("Europe/Berlin", EveryDay(Clock(2, 30), Clock(5)));
  EXPECT_EQ(late_start.BusinessTimeBetween(Utc(2026, 10, 24, 22), Utc(2026, 10, 25, 23), {}),
            absl::Hours(3));
  EXPECT_EQ(late_start.AddBusinessTime(Utc(2026, 10, 24, 22), absl::Minutes(31), {}),
            Utc(2026, 10, 25, 1, 31));
}

TEST(DstRuleTest, NewYorkBothWays) {
  const BusinessCalendar early = MakeCalendar("America/New_York", EveryDay(Clock(0), Clock(6)));
  // 2026-03-08 00:00 EST = 05:00 UTC; 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 3, 8, 5), absl::Hours(3), {}), Utc(2026, 3, 8, 8));
  // 2026-11-01 00:00 EDT = 04:00 UTC; 02:00 EDT falls back to 01:00 EST at 06:00 UTC.
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 11, 1, 4), absl::Hours(2), {}), Utc(2026, 11, 1, 6));
  EXPECT_EQ(early.AddBusinessTime(Utc(2026, 11, 1, 4), absl::Hours(3), {}), Utc(2026, 11, 1, 7));
}

TEST(DstRuleTest, WeekendAcrossSpringForward) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  const BusinessCalendar office = MakeCalendar("Europe/Berlin", Weekdays(Clock(9), Clock(17)));
  const absl::Time friday = Local(berlin, 2026, 3, 27, 16);  // CET
  const absl::Time monday = Local(berlin, 2026, 3, 30, 10);  // CEST
  EXPECT_EQ(office.AddBusinessTime(friday, absl::Hours(2), {}), monday);
  EXPECT_EQ(monday, Utc(2026, 3, 30, 8));
  EXPECT_EQ(office.BusinessTimeBetween(friday, monday, {}), absl::Hours(2));
}

// --- Pauses -----------------------------------------------------------------------------------

TEST_F(BerlinOfficeTest, PauseSpanningClosedHoursAndWeekend) {
  // Friday 15:00 + 2 h with the ticket pending from Friday 16:00 to Monday 11:00.
  const std::vector<Pause> pauses = {{At(9, 16), At(12, 11)}};
  EXPECT_EQ(office_.AddBusinessTime(At(9, 15), absl::Hours(2), pauses), At(12, 12));
  EXPECT_EQ(office_.BusinessTimeBetween(At(9, 15), At(12, 12), pauses), absl::Hours(2));
}

TEST_F(BerlinOfficeTest, OverlappingPausesMerge) {
  const std::vector<Pause> pauses = {
      {At(5, 10, 30), At(5, 12)}, {At(5, 10), At(5, 11)}, {At(5, 11, 30), At(5, 11, 45)}};
  EXPECT_EQ(office_.AddBusinessTime(At(5, 9), absl::Hours(2), pauses), At(5, 13));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 9), At(5, 17), pauses), absl::Hours(6));
}

TEST_F(BerlinOfficeTest, PausesBeforeStart) {
  // One over before the start (no effect), one still running at the start.
  const std::vector<Pause> pauses = {{At(5, 9), At(5, 9, 30)}, {At(5, 9, 45), At(5, 10, 30)}};
  EXPECT_EQ(office_.AddBusinessTime(At(5, 10), absl::Hours(1), pauses), At(5, 11, 30));
  // Empty and inverted pauses are ignored.
  EXPECT_EQ(office_.AddBusinessTime(At(5, 10), absl::Hours(1), {{At(5, 11), At(5, 10)}}),
            At(5, 11));
}

TEST_F(BerlinOfficeTest, RunningPause) {
  const std::vector<Pause> pending = {{At(5, 10), absl::InfiniteFuture()}};
  EXPECT_EQ(office_.AddBusinessTime(At(5, 9), absl::Hours(1), pending), At(5, 10));
  EXPECT_EQ(office_.AddBusinessTime(At(5, 9), absl::Hours(2), pending), absl::InfiniteFuture());
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 9), absl::InfiniteFuture(), pending), absl::Hours(1));
  EXPECT_EQ(office_.BusinessTimeBetween(At(5, 9), absl::InfiniteFuture(), {}),
            absl::InfiniteDuration());
  const Explanation explained = office_.ExplainDeadline(At(5, 9), absl::Hours(2), pending);
  EXPECT_EQ(explained.due, absl::InfiniteFuture());
  ASSERT_EQ(explained.segments.size(), 2u);
  EXPECT_EQ(explained.segments[1].kind, Kind::kPaused);
  EXPECT_EQ(explained.segments[1].to, absl::InfiniteFuture());
}

TEST(BusinessCalendarTest, GivesUpAfterTheSearchHorizon) {
  std::vector<Holiday> holidays;
  for (absl::CivilDay day(2026, 1, 1); day < absl::CivilDay(2038, 1, 1); ++day) {
    holidays.push_back({day, "closed"});
  }
  const BusinessCalendar closed = MakeCalendar("UTC", Weekdays(Clock(9), Clock(17)), holidays);
  EXPECT_EQ(closed.AddBusinessTime(Utc(2026, 1, 5, 9), absl::Minutes(1), {}),
            absl::InfiniteFuture());
  EXPECT_EQ(closed.AddBusinessTime(Utc(2026, 1, 5, 9), absl::InfiniteDuration(), {}),
            absl::InfiniteFuture());
}

// --- ExplainDeadline --------------------------------------------------------------------------

TEST(ExplainDeadlineTest, ShowsEveryStretchUpToTheDueTime) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  const BusinessCalendar calendar = MakeCalendar("Europe/Berlin", Weekdays(Clock(9), Clock(17)),
                                                 {{absl::CivilDay(2026, 1, 12), "Company day"}});
  auto at = [&](int day, int hour, int minute = 0) {
    return Local(berlin, 2026, 1, day, hour, minute);
  };
  // Friday 16:00 + 2 h, Monday a holiday, the ticket pending Tuesday 09:00-09:30.
  const Explanation explained =
      calendar.ExplainDeadline(at(9, 16), absl::Hours(2), {{at(13, 9), at(13, 9, 30)}});
  EXPECT_EQ(explained.due, at(13, 10, 30));
  EXPECT_EQ(explained.due,
            calendar.AddBusinessTime(at(9, 16), absl::Hours(2), {{at(13, 9), at(13, 9, 30)}}));

  struct Expected {
    Kind kind;
    absl::Time from, to;
    absl::CivilDay day;
    std::string holiday;
  };
  const std::vector<Expected> expected = {
      {Kind::kCounted, at(9, 16), at(9, 17), absl::CivilDay(2026, 1, 9), ""},
      {Kind::kClosedHours, at(9, 17), at(10, 0), absl::CivilDay(2026, 1, 9), ""},
      {Kind::kNoHoursDay, at(10, 0), at(11, 0), absl::CivilDay(2026, 1, 10), ""},
      {Kind::kNoHoursDay, at(11, 0), at(12, 0), absl::CivilDay(2026, 1, 11), ""},
      {Kind::kHoliday, at(12, 0), at(13, 0), absl::CivilDay(2026, 1, 12), "Company day"},
      {Kind::kClosedHours, at(13, 0), at(13, 9), absl::CivilDay(2026, 1, 13), ""},
      {Kind::kPaused, at(13, 9), at(13, 9, 30), absl::CivilDay(2026, 1, 13), ""},
      {Kind::kCounted, at(13, 9, 30), at(13, 10, 30), absl::CivilDay(2026, 1, 13), ""},
  };
  ASSERT_EQ(explained.segments.size(), expected.size());
  absl::Duration counted;
  for (size_t i = 0; i < expected.size(); ++i) {
    const ExplainedSegment& got = explained.segments[i];
    SCOPED_TRACE(absl::StrCat("segment ", i));
    EXPECT_EQ(got.kind, expected[i].kind);
    EXPECT_EQ(got.from, expected[i].from);
    EXPECT_EQ(got.to, expected[i].to);
    EXPECT_EQ(got.local_day, expected[i].day);
    EXPECT_EQ(got.holiday_name, expected[i].holiday);
    EXPECT_EQ(got.duration, got.to - got.from);
    if (got.kind == Kind::kCounted) counted += got.duration;
  }
  EXPECT_EQ(counted, absl::Hours(2));
}

TEST(ExplainDeadlineTest, OneWorkingIntervalAcrossSpringForwardIsOneSegment) {
  const BusinessCalendar early = MakeCalendar("Europe/Berlin", EveryDay(Clock(1), Clock(4)));
  const Explanation explained =
      early.ExplainDeadline(Utc(2026, 3, 29, 0), absl::Hours(2), {});  // 01:00 CET
  EXPECT_EQ(explained.due, Utc(2026, 3, 29, 2));                       // 04:00 CEST
  ASSERT_EQ(explained.segments.size(), 1u);
  EXPECT_EQ(explained.segments[0].kind, Kind::kCounted);
  EXPECT_EQ(explained.segments[0].duration, absl::Hours(2));
}

// --- Bad input --------------------------------------------------------------------------------

absl::Status CreateStatus(const std::string& zone, std::vector<WorkingHours> hours,
                          absl::string_view prefix = "calendar") {
  return BusinessCalendar::Create({zone, std::move(hours), {}}, prefix).status();
}

TEST(BusinessCalendarCreateTest, RejectsBadTimeZones) {
  const absl::Status unknown = CreateStatus("Mars/Olympus_Mons", Weekdays(Clock(9), Clock(17)));
  EXPECT_TRUE(HasCodeAndField(unknown, absl::StatusCode::kInvalidArgument, "calendar.time_zone"));
  EXPECT_NE(unknown.message().find("calendar.time_zone"), absl::string_view::npos);
  EXPECT_NE(unknown.message().find("Mars/Olympus_Mons"), absl::string_view::npos);
  for (const char* zone : {"", "localtime", "/etc/localtime", "../zoneinfo/UTC"}) {
    EXPECT_TRUE(HasCodeAndField(CreateStatus(zone, Weekdays(Clock(9), Clock(17))),
                                absl::StatusCode::kInvalidArgument, "calendar.time_zone"))
        << zone;
  }
}

TEST(BusinessCalendarCreateTest, RejectsACalendarWithoutHours) {
  const absl::Status status = CreateStatus("Europe/Berlin", {});
  EXPECT_TRUE(HasCodeAndField(status, absl::StatusCode::kInvalidArgument, "calendar.hours"));
}

TEST(BusinessCalendarCreateTest, RejectsMalformedIntervals) {
  const std::vector<std::pair<WorkingHours, std::string>> cases = {
      {{0, Clock(9), Clock(17)}, "calendar.hours[1].weekday"},
      {{8, Clock(9), Clock(17)}, "calendar.hours[1].weekday"},
      {{kMonday, -1, Clock(17)}, "calendar.hours[1].start_minute"},
      {{kMonday, kMinutesPerDay, kMinutesPerDay}, "calendar.hours[1].start_minute"},
      {{kMonday, Clock(9), kMinutesPerDay + 1}, "calendar.hours[1].end_minute"},
      {{kMonday, Clock(9), Clock(9)}, "calendar.hours[1].end_minute"},
      {{kMonday, Clock(17), Clock(9)}, "calendar.hours[1].end_minute"},
  };
  for (const auto& [bad, field] : cases) {
    const absl::Status status =
        CreateStatus("Europe/Berlin", {{kTuesday, Clock(9), Clock(17)}, bad});
    EXPECT_TRUE(HasCodeAndField(status, absl::StatusCode::kInvalidArgument, field)) << field;
    EXPECT_NE(status.message().find(field), absl::string_view::npos) << status;
  }
}

TEST(BusinessCalendarCreateTest, RejectsOverlapsNamingBothIntervals) {
  const absl::Status status = CreateStatus("Europe/Berlin", {{kMonday, Clock(9), Clock(12)},
                                                             {kTuesday, Clock(9), Clock(17)},
                                                             {kMonday, Clock(11), Clock(13)}});
  EXPECT_TRUE(HasCodeAndField(status, absl::StatusCode::kInvalidArgument, "calendar.hours[2]"));
  EXPECT_NE(status.message().find("calendar.hours[0]"), absl::string_view::npos) << status;

  // An interval nested inside an earlier, longer one.
  const absl::Status nested = CreateStatus("Europe/Berlin", {{kSunday, Clock(8), Clock(18)},
                                                             {kSunday, Clock(9), Clock(10)},
                                                             {kSunday, Clock(11), Clock(12)}});
  EXPECT_TRUE(HasCodeAndField(nested, absl::StatusCode::kInvalidArgument, "calendar.hours[1]"));
  EXPECT_TRUE(HasCodeAndField(nested, absl::StatusCode::kInvalidArgument, "calendar.hours[2]"));
}

TEST(BusinessCalendarCreateTest, AcceptsTouchingIntervalsAndAnEmptyPrefix) {
  EXPECT_TRUE(
      BusinessCalendar::Create(
          {"UTC", {{kSaturday, Clock(9), Clock(12)}, {kSaturday, Clock(12), Clock(24)}}, {}},
          "calendar")
          .ok());
  EXPECT_TRUE(HasCodeAndField(CreateStatus("Nowhere", {}, ""), absl::StatusCode::kInvalidArgument,
                              "time_zone"));
}

// A P4 target of 40 business hours over Christmas and New Year. (How fast due times are
// computed is measured by the service desk benchmark, not here.)
TEST(BusinessCalendarTest, FortyHoursOverTheHolidays) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  const BusinessCalendar calendar = MakeCalendar("Europe/Berlin", Weekdays(Clock(9), Clock(17)),
                                                 {{absl::CivilDay(2026, 12, 24), "Christmas Eve"},
                                                  {absl::CivilDay(2026, 12, 25), "Christmas Day"},
                                                  {absl::CivilDay(2026, 12, 26), "Boxing Day"},
                                                  {absl::CivilDay(2026, 12, 31), "New Year's Eve"},
                                                  {absl::CivilDay(2027, 1, 1), "New Year's Day"}});
  EXPECT_EQ(calendar.AddBusinessTime(Local(berlin, 2026, 12, 23, 12), absl::Hours(40), {}),
            Local(berlin, 2027, 1, 5, 12));
}

// --- Against an independent count ----------------------------------------------------------------

// Business minutes over a window, decided minute by minute from absolute time alone: the zone
// gives each minute's wall clock, which must fall in a working interval of a non-holiday date,
// outside every pause. Every bound here is a whole minute in absolute time (whole-minute offsets,
// whole-minute pauses and starts), so sampling each minute's first second is exact.
class MinuteReference {
 public:
  MinuteReference(const absl::TimeZone& zone, const CalendarSpec& spec,
                  const std::vector<Pause>& pauses, absl::Time begin, int minutes)
      : begin_(begin), prefix_(minutes + 1, 0) {
    for (int m = 0; m < minutes; ++m) {
      const absl::Time t = begin + absl::Minutes(m);
      prefix_[m + 1] = prefix_[m] + (IsBusiness(zone, spec, pauses, t) ? 1 : 0);
    }
  }

  int minutes() const { return static_cast<int>(prefix_.size()) - 1; }
  absl::Time begin() const { return begin_; }
  absl::Time end() const { return begin_ + absl::Minutes(minutes()); }
  int Index(absl::Time t) const { return static_cast<int>((t - begin_) / absl::Minutes(1)); }
  bool IsBusinessMinute(int index) const { return prefix_[index + 1] > prefix_[index]; }

  // Business minutes in [from, to), both window indices.
  int Between(int from, int to) const { return to <= from ? 0 : prefix_[to] - prefix_[from]; }

  // The end of the minute in which the `target`-th business minute after `from` falls, or
  // nothing within the window.
  std::optional<absl::Time> Due(int from, int target) const {
    if (target == 0) return begin_ + absl::Minutes(from);
    for (int m = from; m < minutes(); ++m) {
      if (prefix_[m + 1] - prefix_[from] == target) return begin_ + absl::Minutes(m + 1);
    }
    return std::nullopt;
  }

 private:
  static bool IsBusiness(const absl::TimeZone& zone, const CalendarSpec& spec,
                         const std::vector<Pause>& pauses, absl::Time t) {
    for (const Pause& pause : pauses) {
      if (pause.from <= t && t < pause.to) return false;
    }
    const absl::CivilSecond local = zone.At(t).cs;
    const absl::CivilDay day(local);
    for (const Holiday& holiday : spec.holidays) {
      if (holiday.day == day) return false;
    }
    const int weekday = static_cast<int>(absl::GetWeekday(day)) + 1;
    const int minute = local.hour() * 60 + local.minute();
    for (const WorkingHours& h : spec.hours) {
      if (h.weekday == weekday && h.start_minute <= minute && minute < h.end_minute) return true;
    }
    return false;
  }

  absl::Time begin_;
  std::vector<int> prefix_;
};

class RandomCalendars {
 public:
  explicit RandomCalendars(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::string ZoneName() {
    static const char* const kZones[] = {"Europe/Berlin",       "America/New_York", "Asia/Kolkata",
                                         "Australia/Lord_Howe", "Pacific/Chatham",  "UTC",
                                         "America/Santiago"};
    return kZones[Uniform(0, 6)];
  }

  // Non-overlapping intervals per weekday, often with bounds on or around the DST hours.
  std::vector<WorkingHours> Hours() {
    std::vector<WorkingHours> hours;
    while (hours.empty()) {
      for (int weekday = kMonday; weekday <= kSunday; ++weekday) {
        if (Chance(0.25)) continue;
        const int count = Uniform(1, 3);
        std::vector<int> bounds;
        const int step = Chance(0.5) ? 30 : Chance(0.5) ? 15 : 1;
        while (static_cast<int>(bounds.size()) < 2 * count) {
          const int bound = Chance(0.3) ? Uniform(0, 5 * 60 / step) * step
                                        : Uniform(0, kMinutesPerDay / step) * step;
          if (std::find(bounds.begin(), bounds.end(), bound) == bounds.end()) {
            bounds.push_back(bound);
          }
        }
        std::sort(bounds.begin(), bounds.end());
        for (int i = 0; i < count; ++i)
          hours.push_back({weekday, bounds[2 * i], bounds[2 * i + 1]});
      }
    }
    std::shuffle(hours.begin(), hours.end(), rng_);
    return hours;
  }

  // A minute-aligned instant in the window.
  absl::Time Instant(const MinuteReference& window) {
    return window.begin() + absl::Minutes(Uniform(0, window.minutes() - 1));
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// A window of three weeks starting up to a week before one of the zone's transitions.
absl::Time WindowStart(const absl::TimeZone& zone, RandomCalendars& random) {
  const absl::Time somewhere =
      Utc(2025, 1, 1, 0) + absl::Minutes(random.Uniform(0, 3 * 365 * 1440));
  absl::TimeZone::CivilTransition transition;
  absl::Time around = somewhere;
  if (zone.NextTransition(somewhere, &transition) && random.Chance(0.9)) {
    around = zone.At(transition.to).trans;
  }
  const absl::Time start = around - absl::Minutes(random.Uniform(0, 7 * 1440));
  return absl::UnixEpoch() + absl::Floor(start - absl::UnixEpoch(), absl::Minutes(1));
}

TEST(BusinessCalendarPropertyTest, AgreesWithMinuteByMinuteCount) {
  RandomCalendars random(20261126);
  constexpr int kCalendars = 500;
  constexpr int kQueriesPerCalendar = 8;
  constexpr int kWindowMinutes = 21 * 1440;
  int due_checks = 0, between_checks = 0, beyond_window = 0;

  for (int c = 0; c < kCalendars; ++c) {
    CalendarSpec spec;
    spec.time_zone = random.ZoneName();
    spec.hours = random.Hours();
    const absl::TimeZone zone = Zone(spec.time_zone);
    const absl::Time window_start = WindowStart(zone, random);
    const absl::CivilDay first_day(zone.At(window_start).cs);
    for (int h = random.Uniform(0, 4); h > 0; --h) {
      spec.holidays.push_back({first_day + random.Uniform(0, 21), absl::StrCat("holiday ", h)});
    }
    std::vector<Pause> pauses;
    for (int p = random.Uniform(0, 4); p > 0; --p) {
      const absl::Time from = window_start + absl::Minutes(random.Uniform(0, kWindowMinutes));
      const absl::Time to =
          random.Chance(0.1)
              ? absl::InfiniteFuture()
              : from + absl::Minutes(random.Uniform(1, random.Chance(0.5) ? 180 : 4000));
      pauses.push_back({from, to});
    }
    SCOPED_TRACE(absl::StrCat("calendar ", c, " in ", spec.time_zone, " from ",
                              absl::FormatTime(window_start)));
    absl::StatusOr<BusinessCalendar> calendar = BusinessCalendar::Create(spec, "calendar");
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    const MinuteReference reference(zone, spec, pauses, window_start, kWindowMinutes);

    for (int q = 0; q < kQueriesPerCalendar; ++q) {
      // Business time between two instants.
      const absl::Time a = random.Instant(reference);
      const absl::Time b = random.Chance(0.2) ? reference.end() : random.Instant(reference);
      ASSERT_EQ(calendar->BusinessTimeBetween(a, b, pauses),
                absl::Minutes(reference.Between(reference.Index(a), reference.Index(b))))
          << absl::FormatTime(a) << " .. " << absl::FormatTime(b);
      ++between_checks;

      // The due time of a target of up to 60 business hours.
      const absl::Time start = random.Instant(reference);
      const int start_index = reference.Index(start);
      const int available = reference.Between(start_index, reference.minutes());
      const int target =
          random.Chance(0.9) ? random.Uniform(0, std::min(available, 60 * 60)) : available + 1;
      const absl::Time due = calendar->AddBusinessTime(start, absl::Minutes(target), pauses);
      const std::optional<absl::Time> expected = reference.Due(start_index, target);
      SCOPED_TRACE(absl::StrCat("start ", absl::FormatTime(start), " target ", target, " min"));
      if (expected.has_value()) {
        ASSERT_EQ(due, *expected) << absl::FormatTime(due) << " vs " << absl::FormatTime(*expected);
        ASSERT_EQ(calendar->BusinessTimeBetween(start, due, pauses), absl::Minutes(target));
        if (target > 0) {
          ASSERT_LT(calendar->BusinessTimeBetween(start, due - absl::Seconds(1), pauses),
                    absl::Minutes(target));
        }
        ++due_checks;
      } else {
        ASSERT_GT(due, reference.end());
        ++beyond_window;
      }

      // The explanation agrees with the due time, tiles [start, due) and counts exactly the
      // reference's business minutes.
      if (q == 0 && expected.has_value()) {
        const Explanation explained =
            calendar->ExplainDeadline(start, absl::Minutes(target), pauses);
        ASSERT_EQ(explained.due, due);
        absl::Time cursor = start;
        absl::Duration counted;
        for (const ExplainedSegment& segment : explained.segments) {
          ASSERT_EQ(segment.from, cursor);
          ASSERT_LT(segment.from, segment.to);
          for (int m = reference.Index(segment.from); m < reference.Index(segment.to); ++m) {
            ASSERT_EQ(reference.IsBusinessMinute(m), segment.kind == Kind::kCounted)
                << absl::FormatTime(reference.begin() + absl::Minutes(m));
          }
          if (segment.kind == Kind::kCounted) counted += segment.duration;
          cursor = segment.to;
        }
        ASSERT_EQ(cursor, due);
        ASSERT_EQ(counted, absl::Minutes(target));
      }
    }
  }
  std::cout << "[          ] " << between_checks << " intervals and " << due_checks
            << " due times matched the reference; " << beyond_window
            << " targets beyond the window\n";
  EXPECT_GT(due_checks, kCalendars * kQueriesPerCalendar / 2);
}

}  // namespace
}  // namespace crm::servicedesk
