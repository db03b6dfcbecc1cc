#include "common/core/date_util.h"

#include "absl/time/civil_time.h"
#include "common/core/errors.h"

namespace crm {
namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

int64_t DayNumber(absl::CivilDay day) { return day - kEpoch; }
absl::CivilDay CivilOf(int64_t day) { return kEpoch + day; }

}  // namespace

bool IsValidDate(const crm::v1::Date& date) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 || date.month() > 12 || date.day() < 1 ||
      date.day() > 31) {
    return false;
  }
  // CivilDay normalises out-of-range days (Feb 30 → Mar 2); a real date survives unchanged.
  const absl::CivilDay civil(date.year(), date.month(), date.day());
  return civil.year() == date.year() && civil.month() == date.month() && civil.day() == date.day();
}

absl::StatusOr<int64_t> DayNumberFromDate(const crm::v1::Date& date, absl::string_view field) {
  if (!IsValidDate(date)) return InvalidField(field, "is not a valid calendar date (years 1 to 9999)");
  return DayNumber(absl::CivilDay(date.year(), date.month(), date.day()));
}

crm::v1::Date DateFromDayNumber(int64_t day) {
  const absl::CivilDay civil = CivilOf(day);
  crm::v1::Date date;
  date.set_year(static_cast<int32_t>(civil.year()));
  date.set_month(civil.month());
  date.set_day(civil.day());
  return date;
}

int64_t DayNumberOf(absl::Time time) { return DayNumber(absl::ToCivilDay(time, absl::UTCTimeZone())); }

absl::Time StartOfDay(int64_t day) { return absl::FromCivil(CivilOf(day), absl::UTCTimeZone()); }

int64_t MonthStart(int64_t day) { return DayNumber(absl::CivilDay(absl::CivilMonth(CivilOf(day)))); }

int64_t NextMonthStart(int64_t day) { return DayNumber(absl::CivilDay(absl::CivilMonth(CivilOf(day)) + 1)); }

int64_t QuarterStart(int64_t day) {
  const absl::CivilDay civil = CivilOf(day);
  const int first_month = (civil.month() - 1) / 3 * 3 + 1;
  return DayNumber(absl::CivilDay(civil.year(), first_month, 1));
}

int64_t NextQuarterStart(int64_t day) {
  const absl::CivilDay start = CivilOf(QuarterStart(day));
  return DayNumber(absl::CivilDay(absl::CivilMonth(start) + 3));
}

}  // namespace crm
