#include "services/servicedesk/business_calendar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/core/validation.h"

namespace crm::servicedesk {
namespace {

using Kind = ExplainedSegment::Kind;

const absl::CivilDay kUnixEpochDay(1970, 1, 1);

constexpr const char* kWeekdayNames[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};

std::string FieldName(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

std::string ClockText(int minute) { return absl::StrFormat("%02d:%02d", minute / 60, minute % 60); }

// 0 = Monday ... 6 = Sunday, matching absl::Weekday.
int WeekdayIndex(absl::CivilDay day) { return static_cast<int>(absl::GetWeekday(day)); }

// Sorted, disjoint, non-empty pauses, so a walk can step through them with one index.
std::vector<Pause> MergePauses(const std::vector<Pause>& pauses) {
  std::vector<Pause> sorted;
  sorted.reserve(pauses.size());
  for (const Pause& pause : pauses) {
    if (pause.from < pause.to) sorted.push_back(pause);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Pause& a, const Pause& b) { return a.from < b.from; });
  std::vector<Pause> merged;
  for (const Pause& pause : sorted) {
    if (!merged.empty() && pause.from <= merged.back().to) {
      merged.back().to = std::max(merged.back().to, pause.to);
    } else {
      merged.push_back(pause);
    }
  }
  return merged;
}

// Appends a stretch to the explanation, extending the previous one when it simply continues it
// (a DST transition or a pause boundary would otherwise split one stretch in two).
void Record(std::vector<ExplainedSegment>* trace, Kind kind, absl::Time from, absl::Time to,
            absl::CivilDay day, const std::string* holiday_name = nullptr) {
  if (trace == nullptr || to <= from) return;
  if (!trace->empty()) {
    ExplainedSegment& last = trace->back();
    if (last.kind == kind && last.to == from && last.local_day == day) {
      last.to = to;
      last.duration = to - last.from;
      return;
    }
  }
  ExplainedSegment segment;
  segment.kind = kind;
  segment.from = from;
  segment.to = to;
  segment.local_day = day;
  segment.duration = to - from;
  if (holiday_name != nullptr) segment.holiday_name = *holiday_name;
  trace->push_back(std::move(segment));
}

}  // namespace

absl::StatusOr<BusinessCalendar> BusinessCalendar::Create(const CalendarSpec& spec,
                                                          absl::string_view field_prefix) {
  Validator validator;
  BusinessCalendar calendar;

  const std::string zone_field = FieldName(field_prefix, "time_zone");
  if (spec.time_zone.empty()) {
    validator.Check(false, zone_field, "is required");
  } else if (spec.time_zone == "localtime" || spec.time_zone[0] == '/' ||
             absl::StrContains(spec.time_zone, "..")) {
    // These load, but from the host's settings or arbitrary files rather than a named zone.
    validator.Check(false, zone_field,
                    absl::StrCat("\"", spec.time_zone, "\" is not an IANA time zone name"));
  } else {
    validator.Check(absl::LoadTimeZone(spec.time_zone, &calendar.zone_), zone_field,
                    absl::StrCat("unknown time zone \"", spec.time_zone, "\""));
  }

  const std::string hours_field = FieldName(field_prefix, "hours");
  validator.Check(!spec.hours.empty(), hours_field, "at least one working interval is required");

  // Well-formed intervals per weekday, with their index in spec.hours for overlap messages.
  std::vector<std::pair<WorkingHours, size_t>> by_weekday[7];
  for (size_t i = 0; i < spec.hours.size(); ++i) {
    const WorkingHours& h = spec.hours[i];
    const std::string field = absl::StrCat(hours_field, "[", i, "]");
    const bool weekday_ok = h.weekday >= 1 && h.weekday <= 7;
    const bool start_ok = h.start_minute >= 0 && h.start_minute < kMinutesPerDay;
    const bool end_ok = h.end_minute > 0 && h.end_minute <= kMinutesPerDay;
    validator.Check(weekday_ok, field + ".weekday", "must be 1 (Monday) to 7 (Sunday)");
    validator.Check(start_ok, field + ".start_minute", "must be 0 to 1439");
    validator.Check(end_ok, field + ".end_minute", "must be 1 to 1440");
    if (start_ok && end_ok) {
      validator.Check(h.start_minute < h.end_minute, field + ".end_minute",
                      "must be after start_minute");
    }
    if (weekday_ok && start_ok && end_ok && h.start_minute < h.end_minute) {
      by_weekday[h.weekday - 1].push_back({h, i});
    }
  }

  for (int weekday = 0; weekday < 7; ++weekday) {
    auto& intervals = by_weekday[weekday];
    std::sort(intervals.begin(), intervals.end(), [](const auto& a, const auto& b) {
      return a.first.start_minute < b.first.start_minute;
    });
    // Compared with the interval reaching furthest so far, so every overlap is caught.
    const std::pair<WorkingHours, size_t>* furthest = nullptr;
    for (const auto& entry : intervals) {
      const WorkingHours& h = entry.first;
      if (furthest != nullptr && h.start_minute < furthest->first.end_minute) {
        validator.Check(
            false, absl::StrCat(hours_field, "[", entry.second, "]"),
            absl::StrCat("overlaps ", hours_field, "[", furthest->second, "] on ",
                         kWeekdayNames[weekday], " (", ClockText(h.start_minute), "-",
                         ClockText(h.end_minute), " and ", ClockText(furthest->first.start_minute),
                         "-", ClockText(furthest->first.end_minute), ")"));
      }
      if (furthest == nullptr || h.end_minute > furthest->first.end_minute) furthest = &entry;
      calendar.hours_[weekday].push_back(
          {absl::Minutes(h.start_minute), absl::Minutes(h.end_minute)});
    }
  }
  if (!validator.ok()) return validator.status();

  for (const Holiday& holiday : spec.holidays) {
    calendar.holidays_.push_back({holiday.day, holiday.name});
  }
  // Duplicates are harmless; the first name given for a day wins.
  std::stable_sort(calendar.holidays_.begin(), calendar.holidays_.end(),
                   [](const HolidayEntry& a, const HolidayEntry& b) { return a.day < b.day; });
  calendar.holidays_.erase(
      std::unique(calendar.holidays_.begin(), calendar.holidays_.end(),
                  [](const HolidayEntry& a, const HolidayEntry& b) { return a.day == b.day; }),
      calendar.holidays_.end());
  return calendar;
}

const BusinessCalendar::HolidayEntry* BusinessCalendar::HolidayOn(absl::CivilDay day) const {
  auto it = std::lower_bound(holidays_.begin(), holidays_.end(), day,
                             [](const HolidayEntry& h, absl::CivilDay d) { return h.day < d; });
  return it != holidays_.end() && it->day == day ? &*it : nullptr;
}

// The walk goes offset period by offset period (the stretches between the zone's transitions,
// in which wall clock = absolute time + a fixed offset), and inside one period day by day and
// interval by interval. Within a period the wall clock is monotonic, so the working stretches
// come out in absolute order; a repeated or skipped hour just starts a new period.
BusinessCalendar::WalkResult BusinessCalendar::Walk(absl::Time start, absl::Time limit,
                                                    absl::Duration target,
                                                    const std::vector<Pause>& pauses,
                                                    std::vector<ExplainedSegment>* trace) const {
  absl::Time t = start;
  absl::Duration counted = absl::ZeroDuration();
  size_t next_pause = 0;
  // The first pause not yet over at `t` (pauses are merged, so at most one covers `t`).
  auto pause_ahead = [&]() -> const Pause* {
    while (next_pause < pauses.size() && pauses[next_pause].to <= t) ++next_pause;
    return next_pause < pauses.size() ? &pauses[next_pause] : nullptr;
  };

  while (t < limit && counted < target) {
    const Pause* pause = pause_ahead();
    if (pause != nullptr && pause->from <= t &&
        (trace == nullptr || pause->to == absl::InfiniteFuture())) {
      // Nothing counts until the pause ends: jump there instead of walking the days. The
      // explanation walks finite pauses day by day to give closed time its own reason.
      Record(trace, Kind::kPaused, t, pause->to, absl::CivilDay(zone_.At(t).cs));
      t = std::min(pause->to, limit);
      continue;
    }

    const absl::TimeZone::CivilInfo here = zone_.At(t);
    const absl::Duration offset = absl::Seconds(here.offset);
    absl::Time period_end = absl::InfiniteFuture();
    absl::TimeZone::CivilTransition transition;
    if (zone_.NextTransition(t, &transition)) period_end = zone_.At(transition.to).trans;
    const absl::Time period_limit = std::min(period_end, limit);
    // The absolute instant at which the wall clock reads the start of `day` during this period.
    auto midnight_of = [&](absl::CivilDay day) {
      return absl::UnixEpoch() + absl::Hours(24) * (day - kUnixEpochDay) - offset;
    };

    bool leave_period = false;  // a long pause begins: let the loop above jump over it
    for (absl::CivilDay day(here.cs); !leave_period && t < period_limit && counted < target;
         ++day) {
      const absl::Time midnight = midnight_of(day);
      const absl::Time day_end = std::min(period_limit, midnight + absl::Hours(24));
      if (const HolidayEntry* holiday = HolidayOn(day)) {
        Record(trace, Kind::kHoliday, t, day_end, day, &holiday->name);
        t = day_end;
        continue;
      }
      const std::vector<Interval>& intervals = hours_[WeekdayIndex(day)];
      if (intervals.empty()) {
        Record(trace, Kind::kNoHoursDay, t, day_end, day);
        t = day_end;
        continue;
      }
      for (const Interval& interval : intervals) {
        if (midnight + interval.start >= day_end) break;
        const absl::Time open = std::max(t, midnight + interval.start);
        const absl::Time close = std::min(day_end, midnight + interval.end);
        if (close <= open) continue;  // already behind us
        Record(trace, Kind::kClosedHours, t, open, day);
        t = open;
        while (t < close && counted < target) {
          pause = pause_ahead();
          if (pause != nullptr && pause->from <= t) {
            if (pause->to == absl::InfiniteFuture() || (trace == nullptr && pause->to > close)) {
              leave_period = true;
              break;
            }
            const absl::Time resume = std::min(pause->to, close);
            Record(trace, Kind::kPaused, t, resume, day);
            t = resume;
            continue;
          }
          absl::Time stop = close;
          if (pause != nullptr && pause->from < stop) stop = pause->from;
          const absl::Duration remaining = target - counted;
          if (stop - t >= remaining) stop = t + remaining;
          Record(trace, Kind::kCounted, t, stop, day);
          counted += stop - t;
          t = stop;
        }
        if (leave_period || counted >= target) break;
      }
      if (!leave_period && counted < target) {
        Record(trace, Kind::kClosedHours, t, day_end, day);
        t = day_end;
      }
    }
  }
  return {t, counted};
}

absl::Duration BusinessCalendar::BusinessTimeBetween(absl::Time from, absl::Time to,
                                                     const std::vector<Pause>& pauses) const {
  if (to <= from) return absl::ZeroDuration();
  const std::vector<Pause> merged = MergePauses(pauses);
  if (from == absl::InfinitePast()) return absl::InfiniteDuration();
  if (to == absl::InfiniteFuture()) {
    // Holidays are finite and every week has working hours, so only a pause that never ends
    // keeps the count finite.
    if (merged.empty() || merged.back().to != absl::InfiniteFuture()) {
      return absl::InfiniteDuration();
    }
    to = std::max(from, merged.back().from);
  }
  // The walk is linear in the number of local days between `from` and `to`.
  return Walk(from, to, absl::InfiniteDuration(), merged, nullptr).counted;
}

absl::Time BusinessCalendar::AddBusinessTime(absl::Time start, absl::Duration target,
                                             const std::vector<Pause>& pauses) const {
  if (target <= absl::ZeroDuration() || start == absl::InfiniteFuture()) return start;
  if (start == absl::InfinitePast() || target == absl::InfiniteDuration()) {
    return absl::InfiniteFuture();
  }
  const WalkResult result =
      Walk(start, start + kSearchHorizon, target, MergePauses(pauses), nullptr);
  return result.counted >= target ? result.end : absl::InfiniteFuture();
}

Explanation BusinessCalendar::ExplainDeadline(absl::Time start, absl::Duration target,
                                              const std::vector<Pause>& pauses) const {
  Explanation explanation;
  if (target <= absl::ZeroDuration() || start == absl::InfiniteFuture()) {
    explanation.due = start;
    return explanation;
  }
  if (start == absl::InfinitePast() || target == absl::InfiniteDuration()) {
    explanation.due = absl::InfiniteFuture();
    return explanation;
  }
  const WalkResult result =
      Walk(start, start + kSearchHorizon, target, MergePauses(pauses), &explanation.segments);
  explanation.due = result.counted >= target ? result.end : absl::InfiniteFuture();
  return explanation;
}

}  // namespace crm::servicedesk
