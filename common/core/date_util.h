// Calendar dates (crm.v1.Date) as the database stores them: a day number, days since
// 1970-01-01 in the proleptic Gregorian calendar (negative before). Only real dates of years
// 1..9999 are accepted, so a stored day number always maps back to the date it came from.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crm/v1/common.pb.h"

namespace crm {

// True when `date` is a real calendar date (Feb 29 only in leap years) in years 1..9999.
bool IsValidDate(const crm::v1::Date& date);

// The day number of `date`, or INVALID_ARGUMENT naming `field` when it is not a real date.
absl::StatusOr<int64_t> DayNumberFromDate(const crm::v1::Date& date, absl::string_view field);
// The date of a day number (as produced by DayNumberFromDate).
crm::v1::Date DateFromDayNumber(int64_t day);

// The UTC calendar day an instant falls on, as a day number.
int64_t DayNumberOf(absl::Time time);
// Midnight UTC at the start of a day number.
absl::Time StartOfDay(int64_t day);

// Day number of the first day of the month / quarter containing `day`, and of the first day of
// the following month / quarter (so a period is [start, next_start)).
int64_t MonthStart(int64_t day);
int64_t NextMonthStart(int64_t day);
int64_t QuarterStart(int64_t day);
int64_t NextQuarterStart(int64_t day);

}  // namespace crm
