// Fuzz target: the value parsers and checks every service shares (common/core): validation,
// money and exchange rates, calendar dates, etags, ids.
//
// Besides "never crash", it checks round trips: a valid amount, rate, date or etag reads back as
// itself once formatted, and a new id has the shape HasIdShape accepts.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/ids.h"
#include "common/core/money.h"
#include "common/core/validation.h"
#include "crm/v1/common.pb.h"
#include "crm/v1/pipeline.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace {

void Check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "core values fuzz: %s\n", what.c_str());
  std::abort();
}

crm::v1::Money MoneyFrom(FuzzedDataProvider& input) {
  crm::v1::Money money;
  money.set_currency_code(input.ConsumeBool() ? "EUR" : input.ConsumeRandomLengthString(5));
  money.set_units(input.ConsumeIntegral<int64_t>());
  money.set_nanos(input.ConsumeIntegral<int32_t>());
  return money;
}

void Validation(FuzzedDataProvider& input) {
  const std::string text = input.ConsumeRandomLengthString(300);
  const size_t max_length = input.ConsumeIntegralInRange<size_t>(0, 250);
  crm::Validator validator;
  validator.RequiredText(text, "a", max_length)
      .OptionalText(text, "b", max_length)
      .OptionalLongText(text, "c")
      .RequiredId(text, "d")
      .OptionalEmail(text, "e")
      .OptionalPhone(text, "f")
      .Enum(input.ConsumeIntegral<int>(), crm::v1::LeadChannel_IsValid, "g", input.ConsumeBool())
      .NonNegative(input.ConsumeIntegral<int64_t>(), "h")
      .OptionalMoney(MoneyFrom(input), input.ConsumeBool(), "i", input.ConsumeBool());
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(input.ConsumeIntegral<int64_t>());
  timestamp.set_nanos(input.ConsumeIntegral<int32_t>());
  crm::v1::Date date;
  date.set_year(input.ConsumeIntegral<int32_t>());
  date.set_month(input.ConsumeIntegral<int32_t>());
  date.set_day(input.ConsumeIntegral<int32_t>());
  validator.OptionalTimestamp(timestamp, input.ConsumeBool(), "j").OptionalDate(date, input.ConsumeBool(), "k");
  const absl::Status status = validator.status();
  Check(status.ok() == validator.ok(), "Validator::status disagrees with ok()");
  Check(status.ok() || status.code() == absl::StatusCode::kInvalidArgument, "Validator failed with " + status.ToString());
  (void)crm::Trimmed(text);
  if (crm::IsValidUtf8(text)) Check(crm::Utf8Length(text) <= text.size(), "Utf8Length longer than the bytes");
}

void Money(FuzzedDataProvider& input) {
  const crm::v1::Money money = MoneyFrom(input);
  absl::StatusOr<crm::Amount> amount = crm::AmountFromMoney(money, "amount", input.ConsumeBool());
  if (amount.ok()) {
    Check(crm::FitsMoney(amount->micros), "an accepted amount leaves the money range");
    absl::StatusOr<crm::Amount> again = crm::AmountFromMoney(crm::MoneyFromAmount(*amount), "amount", true);
    Check(again.ok() && *again == *amount, "an amount did not survive Money and back");
    (void)crm::FormatAmount(*amount);
  }
  const int64_t a = input.ConsumeIntegral<int64_t>();
  const int64_t b = input.ConsumeIntegral<int64_t>();
  (void)crm::FormatMicros(a);
  absl::StatusOr<int64_t> sum = crm::AddMicros(a, b, "sum");
  if (sum.ok()) Check(crm::FitsMoney(*sum), "AddMicros left the money range");
  absl::StatusOr<int64_t> product = crm::MultiplyMicros(a, b, "product");
  if (product.ok()) Check(crm::FitsMoney(*product), "MultiplyMicros left the money range");
  const int64_t denominator = input.ConsumeIntegralInRange<int64_t>(1, INT64_MAX);
  (void)crm::ScaleRounded(input.ConsumeIntegralInRange<int64_t>(-crm::kMaxMoneyMicros, crm::kMaxMoneyMicros),
                          input.ConsumeIntegralInRange<int64_t>(0, crm::kMaxRateUnits * crm::kRateScale), denominator);

  const std::string rate_text = input.ConsumeRandomLengthString(40);
  absl::StatusOr<int64_t> rate = crm::ParseRate(rate_text, "rate");
  if (rate.ok()) {
    Check(*rate > 0 && *rate <= crm::kMaxRateUnits * crm::kRateScale, "an accepted rate is out of range");
    absl::StatusOr<int64_t> again = crm::ParseRate(crm::FormatRate(*rate), "rate");
    Check(again.ok() && *again == *rate, "a rate did not survive FormatRate and back: " + rate_text);
    absl::flat_hash_map<std::string, int64_t> rates = {{money.currency_code(), *rate}};
    const crm::CurrencyConverter converter("CHF", rates);
    absl::StatusOr<int64_t> base = converter.ToBaseMicros(money, "amount");
    if (base.ok()) Check(crm::FitsMoney(*base), "a conversion left the money range");
  }
}

void Dates(FuzzedDataProvider& input) {
  crm::v1::Date date;
  date.set_year(input.ConsumeBool() ? input.ConsumeIntegralInRange(0, 10000) : input.ConsumeIntegral<int32_t>());
  date.set_month(input.ConsumeIntegralInRange(-1, 13));
  date.set_day(input.ConsumeIntegralInRange(-1, 32));
  absl::StatusOr<int64_t> day = crm::DayNumberFromDate(date, "date");
  Check(day.ok() == crm::IsValidDate(date), "DayNumberFromDate disagrees with IsValidDate");
  if (day.ok()) {
    const crm::v1::Date back = crm::DateFromDayNumber(*day);
    Check(back.year() == date.year() && back.month() == date.month() && back.day() == date.day(),
          "a date did not survive its day number");
    Check(crm::DayNumberOf(crm::StartOfDay(*day)) == *day, "StartOfDay and DayNumberOf disagree");
    Check(crm::MonthStart(*day) <= *day && *day < crm::NextMonthStart(*day), "the day is outside its month");
    Check(crm::QuarterStart(*day) <= *day && *day < crm::NextQuarterStart(*day), "the day is outside its quarter");
  }
}

void Etags(FuzzedDataProvider& input) {
  const std::string etag = input.ConsumeRandomLengthString(32);
  absl::StatusOr<std::optional<int64_t>> revision = crm::ParseEtag(etag);
  if (revision.ok() && revision->has_value()) {
    Check(**revision >= 1, "a parsed revision below 1");
  }
  const int64_t issued = input.ConsumeIntegralInRange<int64_t>(1, INT64_MAX);
  absl::StatusOr<std::optional<int64_t>> back = crm::ParseEtag(crm::FormatEtag(issued));
  Check(back.ok() && back->has_value() && **back == issued, "an issued etag did not parse back");
}

void Ids(FuzzedDataProvider& input) {
  const std::string prefix = input.ConsumeRandomLengthString(8);
  const absl::Time time = absl::FromUnixMillis(input.ConsumeIntegralInRange<int64_t>(0, (int64_t{1} << 48) - 1));
  const std::string id = crm::NewIdAt(prefix, time);
  Check(crm::HasIdShape(id, prefix), "a new id does not have the id shape: " + id);
  (void)crm::HasIdShape(input.ConsumeRandomLengthString(64), prefix);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  switch (input.ConsumeIntegralInRange(0, 4)) {
    case 0: Validation(input); break;
    case 1: Money(input); break;
    case 2: Dates(input); break;
    case 3: Etags(input); break;
    default: Ids(input); break;
  }
  return 0;
}
