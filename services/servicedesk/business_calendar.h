// Business-time calendar for service-desk SLA targets: working hours per weekday in a named
// IANA time zone, holidays, and pauses while a ticket waits on the customer. Pure arithmetic on
// absl::Time; no database, no gRPC.
//
// What counts as business time (the one rule everything else follows):
//   an instant is business time when the zone's wall clock at that instant reads a time inside a
//   working interval of that local date, the date is not a holiday, and no pause covers it.
// Business time is always actual elapsed absolute time. Around DST changes this means:
//   - a bound that falls in a skipped hour (spring forward) takes effect at the transition,
//     e.g. hours 02:30-05:00 on a day that jumps 02:00 -> 03:00 start at 03:00;
//   - a repeated hour (fall back) counts every time the wall clock shows it, so 01:00-04:00
//     counts 2 h on a spring-forward day and 4 h on a fall-back day, while 09:00-17:00 on either
//     day counts 8 h; a bound inside the repeated hour applies to both occurrences
//     (02:30-05:00 on a day that falls back 03:00 -> 02:00 counts 02:30-03:00 twice: 3 h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace crm::servicedesk {

inline constexpr int kMinutesPerDay = 24 * 60;

// One working interval of local wall-clock minutes [start_minute, end_minute) on a weekday.
struct WorkingHours {
  int weekday = 1;  // 1 = Monday ... 7 = Sunday
  int start_minute = 0;
  int end_minute = 0;  // up to kMinutesPerDay (midnight at the end of the day)
};

// A whole local day on which nothing counts.
struct Holiday {
  absl::CivilDay day;
  std::string name;
};

struct CalendarSpec {
  std::string time_zone;  // IANA name, e.g. "Europe/Berlin"
  std::vector<WorkingHours> hours;
  std::vector<Holiday> holidays;
};

// The clock stops over [from, to). `to` may be absl::InfiniteFuture() for a pause still running.
// Pauses may overlap each other and closed hours.
struct Pause {
  absl::Time from;
  absl::Time to;
};

// One stretch of the timeline between a start and its due time.
struct ExplainedSegment {
  enum class Kind {
    kCounted,      // business time that counts towards the target
    kClosedHours,  // outside the working intervals of a working day
    kNoHoursDay,   // a weekday with no working hours (the weekend)
    kHoliday,      // a holiday; `holiday_name` says which
    kPaused,       // working time lost to a pause
  };
  Kind kind = Kind::kCounted;
  absl::Time from;
  absl::Time to;
  absl::CivilDay local_day;  // the local date whose calendar decided this stretch
  absl::Duration duration;   // to - from
  std::string holiday_name;
};

struct Explanation {
  absl::Time due;
  // Contiguous from the start to `due`, in order; the kCounted durations sum to the target.
  // Neighbouring stretches of the same kind on the same local date are merged.
  std::vector<ExplainedSegment> segments;
};

// How far AddBusinessTime looks for the due time before giving up (about ten years).
inline constexpr absl::Duration kSearchHorizon = absl::Hours(24 * 3653);

class BusinessCalendar {
 public:
  // Validates `spec`. Errors are INVALID_ARGUMENT naming the field under `field_prefix`
  // (e.g. "calendar" gives "calendar.time_zone", "calendar.hours[2].end_minute").
  static absl::StatusOr<BusinessCalendar> Create(const CalendarSpec& spec,
                                                 absl::string_view field_prefix);

  // Business time in [from, to); zero when to <= from. Infinite when `to` is InfiniteFuture and
  // no pause runs forever.
  absl::Duration BusinessTimeBetween(absl::Time from, absl::Time to,
                                     const std::vector<Pause>& pauses) const;

  // The earliest instant by which `target` business time has elapsed since `start` (a target of
  // zero or less gives `start`). InfiniteFuture when the target is not reached within
  // kSearchHorizon of `start`, e.g. because a pause never ends or holidays close everything.
  absl::Time AddBusinessTime(absl::Time start, absl::Duration target,
                             const std::vector<Pause>& pauses) const;

  // AddBusinessTime, together with how the due time was reached.
  Explanation ExplainDeadline(absl::Time start, absl::Duration target,
                              const std::vector<Pause>& pauses) const;

  const absl::TimeZone& time_zone() const { return zone_; }

 private:
  struct Interval {
    absl::Duration start;  // since local midnight
    absl::Duration end;
  };
  struct HolidayEntry {
    absl::CivilDay day;
    std::string name;
  };
  struct WalkResult {
    absl::Time end;
    absl::Duration counted;
  };

  BusinessCalendar() = default;

  // Counts business time forward from `start` until `target` is reached or `limit` is hit.
  // `pauses` must be merged (sorted, disjoint, non-empty). Records the timeline when `trace` is
  // set.
  WalkResult Walk(absl::Time start, absl::Time limit, absl::Duration target,
                  const std::vector<Pause>& pauses, std::vector<ExplainedSegment>* trace) const;

  // The holiday on `day`, or nullptr.
  const HolidayEntry* HolidayOn(absl::CivilDay day) const;

  absl::TimeZone zone_;
  std::vector<Interval> hours_[7];      // index 0 = Monday; sorted, disjoint
  std::vector<HolidayEntry> holidays_;  // sorted by day, one per day
};

}  // namespace crm::servicedesk
