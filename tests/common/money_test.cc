// Exact money arithmetic (common/core/money.h) and calendar dates as day numbers
// (common/core/date_util.h).
//
// Rounding rule under test: every scaling (conversion at a rate, × probability / 100, ...) is
// computed exactly in 128-bit integers and rounded once, half away from zero, to whole micros.
#include "common/core/money.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "common/core/date_util.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using testing::HasCodeAndField;

crm::v1::Money M(const std::string& currency, int64_t units, int32_t nanos) {
  crm::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

CurrencyConverter EurWith(std::initializer_list<std::pair<const char*, const char*>> rates) {
  absl::flat_hash_map<std::string, int64_t> scaled;
  for (const auto& [currency, text] : rates) {
    absl::StatusOr<int64_t> rate = ParseRate(text, "rate");
    EXPECT_TRUE(rate.ok()) << rate.status();
    scaled[currency] = *rate;
  }
  return CurrencyConverter("EUR", scaled);
}

TEST(MoneyTest, MoneyToMicrosAndBack) {
  absl::StatusOr<Amount> a = AmountFromMoney(M("EUR", 12, 345678000), "amount");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->currency, "EUR");
  EXPECT_EQ(a->micros, 12345678);

  absl::StatusOr<Amount> negative = AmountFromMoney(M("USD", -3, -500000000), "amount", /*allow_negative=*/true);
  ASSERT_TRUE(negative.ok()) << negative.status();
  EXPECT_EQ(negative->micros, -3500000);

  crm::v1::Money back = MoneyFromAmount(*negative);
  EXPECT_EQ(back.currency_code(), "USD");
  EXPECT_EQ(back.units(), -3);
  EXPECT_EQ(back.nanos(), -500000000);

  crm::v1::Money small = MoneyFromMicros("EUR", -1);
  EXPECT_EQ(small.units(), 0);
  EXPECT_EQ(small.nanos(), -1000);

  absl::StatusOr<Amount> largest = AmountFromMoney(M("EUR", kMaxMoneyUnits, 999999000), "amount");
  ASSERT_TRUE(largest.ok()) << largest.status();
  EXPECT_EQ(largest->micros, kMaxMoneyMicros);
}

TEST(MoneyTest, RejectsMalformedMoneyNamingTheField) {
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", 1, 1234567), "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount.nanos"))
      << "seven decimal places";
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", 1, 1), "deal.amount").status(),
                              absl::StatusCode::kInvalidArgument, "deal.amount.nanos"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", 0, 1000000000), "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount.nanos"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", 1, -5000), "amount", true).status(),
                              absl::StatusCode::kInvalidArgument, "amount.nanos"))
      << "sign differs from units";
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("eur", 1, 0), "amount").status(), absl::StatusCode::kInvalidArgument,
                              "amount.currency_code"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EURO", 1, 0), "amount").status(), absl::StatusCode::kInvalidArgument,
                              "amount.currency_code"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("", 1, 0), "amount").status(), absl::StatusCode::kInvalidArgument,
                              "amount.currency_code"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", -1, 0), "amount").status(), absl::StatusCode::kInvalidArgument,
                              "amount"))
      << "negative";
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", 0, -1000), "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount"));
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", kMaxMoneyUnits + 1, 0), "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount"))
      << "out of range";
  EXPECT_TRUE(HasCodeAndField(AmountFromMoney(M("EUR", INT64_MIN, 0), "amount", true).status(),
                              absl::StatusCode::kInvalidArgument, "amount"));

  // Every problem is reported at once.
  std::vector<FieldViolation> all = MoneyViolations(M("x", -1, 5), "amount", false);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].field, "amount.currency_code");
  EXPECT_EQ(all[1].field, "amount.nanos");
  EXPECT_EQ(all[2].field, "amount");
}

TEST(MoneyTest, FormatsDecimalText) {
  EXPECT_EQ(FormatMicros(0), "0");
  EXPECT_EQ(FormatMicros(1500000), "1.5");
  EXPECT_EQ(FormatMicros(-250), "-0.00025");
  EXPECT_EQ(FormatMicros(123000001), "123.000001");
  EXPECT_EQ(FormatMicros(INT64_MIN), "-9223372036854.775808");
  EXPECT_EQ(FormatAmount({"USD", 100000000000}), "100000 USD");
}

TEST(MoneyTest, ParsesRatesAsExactDecimals) {
  EXPECT_EQ(*ParseRate("1.0825", "r"), 1082500000000);
  EXPECT_EQ(*ParseRate("2", "r"), 2 * kRateScale);
  EXPECT_EQ(*ParseRate("0.000000000001", "r"), 1);
  EXPECT_EQ(*ParseRate("1000000", "r"), kMaxRateUnits * kRateScale);
  EXPECT_EQ(*ParseRate("007.50", "r"), 7500000000000);
  EXPECT_EQ(FormatRate(*ParseRate("1.50", "r")), "1.5");
  EXPECT_EQ(FormatRate(*ParseRate("2.000", "r")), "2");
  EXPECT_EQ(FormatRate(*ParseRate("0.000000000001", "r")), "0.000000000001");

  for (const char* bad : {"", "0", "0.0", "-1", "+1", "1.", ".5", "1e3", " 1", "1 ", "1,5", "abc", "1.2.3",
                          "0.0000000000001", "1000000.000000000001", "12345678",
                          // whole parts whose scaled value overflowed int64 (found by fuzzing)
                          "9457967.2", "9999999"}) {
    EXPECT_TRUE(HasCodeAndField(ParseRate(bad, "settings.rates[0].rate").status(), absl::StatusCode::kInvalidArgument,
                                "settings.rates[0].rate"))
        << "\"" << bad << "\"";
  }
}

TEST(MoneyTest, ScalingRoundsHalfAwayFromZero) {
  EXPECT_EQ(ScaleRounded(5, 1, 2), 3);    // 2.5
  EXPECT_EQ(ScaleRounded(-5, 1, 2), -3);  // -2.5
  EXPECT_EQ(ScaleRounded(7, 1, 2), 4);    // 3.5
  EXPECT_EQ(ScaleRounded(4, 1, 3), 1);    // 1.33
  EXPECT_EQ(ScaleRounded(5, 1, 3), 2);    // 1.67
  EXPECT_EQ(ScaleRounded(-5, 1, 3), -2);
  EXPECT_EQ(ScaleRounded(149, 1, 100), 1);  // 1.49
  EXPECT_EQ(ScaleRounded(150, 1, 100), 2);  // 1.50
  EXPECT_EQ(ScaleRounded(-150, 1, 100), -2);
  EXPECT_EQ(ScaleRounded(0, 7, 3), 0);
  // Weighted forecast: 33.333333 × 35 % = 11.66666655 → 11.666667.
  EXPECT_EQ(ScaleRounded(33333333, 35, 100), 11666667);
}

TEST(MoneyTest, ConvertsExactlyWithConfiguredRates) {
  CurrencyConverter converter = EurWith({{"USD", "0.92"}, {"CHF", "1.0825"}, {"JPY", "0.006123"}, {"HALF", "0.5"}});
  EXPECT_EQ(converter.base_currency(), "EUR");

  // Binary doubles get 0.1 × 0.1 wrong (0.010000000000000002); decimals do not.
  CurrencyConverter tenth = EurWith({{"USD", "0.1"}});
  EXPECT_EQ(*tenth.ToBaseMicros(Amount{"USD", 100000}, "amount"), 10000);

  EXPECT_EQ(*converter.ToBaseMicros(Amount{"USD", 100 * kMicrosPerUnit}, "amount"), 92 * kMicrosPerUnit);
  // 0.333333 CHF × 1.0825 = 0.3608329725 → 0.360833 (rounded once).
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"CHF", 333333}, "amount"), 360833);
  // 1,000,000 JPY × 0.006123 = 6123 EUR exactly.
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"JPY", 1000000 * kMicrosPerUnit}, "amount"), 6123 * kMicrosPerUnit);
  // Halves round away from zero: 3 micros × 0.5 = 1.5 → 2; -3 → -2; 1 → 1 (0.5 → 1).
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"HALF", 3}, "amount"), 2);
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"HALF", -3}, "amount"), -2);
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"HALF", 1}, "amount"), 1);
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"HALF", 2}, "amount"), 1);
  // The base itself converts at exactly 1.
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"EUR", 123456789}, "amount"), 123456789);

  // Summed in base micros, 1,000 conversions of 0.333333 CHF are 1000 × 0.360833, not
  // 333.333 × 1.0825 (= 360.832972500): each amount is rounded once, when converted.
  int64_t total = 0;
  for (int i = 0; i < 1000; ++i) total += *converter.ToBaseMicros(Amount{"CHF", 333333}, "amount");
  EXPECT_EQ(total, 360833000);

  absl::StatusOr<crm::v1::Money> as_money = converter.ToBase(Amount{"USD", 1234560000}, "amount");
  ASSERT_TRUE(as_money.ok());
  EXPECT_EQ(as_money->currency_code(), "EUR");
  EXPECT_EQ(as_money->units(), 1135);
  EXPECT_EQ(as_money->nanos(), 795200000);  // 1234.56 × 0.92 = 1135.7952
}

TEST(MoneyTest, AmountWithoutRateIsFailedPreconditionNamingTheCurrency) {
  CurrencyConverter converter = EurWith({{"USD", "0.92"}});
  EXPECT_FALSE(converter.HasRate("GBP"));
  EXPECT_TRUE(converter.HasRate("EUR"));
  EXPECT_TRUE(HasCodeAndField(converter.ToBaseMicros(Amount{"GBP", 1}, "amount").status(),
                              absl::StatusCode::kFailedPrecondition, "amount.currency_code"));
  EXPECT_TRUE(HasCodeAndField(converter.ToBaseMicros(M("GBP", 1, 0), "opportunity.amount").status(),
                              absl::StatusCode::kFailedPrecondition, "opportunity.amount.currency_code"));
  // Malformed money is still INVALID_ARGUMENT before any rate is looked up.
  EXPECT_TRUE(HasCodeAndField(converter.ToBaseMicros(M("GBP", 1, 1), "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount.nanos"));
}

TEST(MoneyTest, ConversionAndArithmeticStayInRange) {
  CurrencyConverter converter = EurWith({{"USD", "2"}, {"BIG", "1000000"}});
  EXPECT_EQ(*converter.ToBaseMicros(Amount{"USD", kMaxMoneyMicros / 2}, "amount"), kMaxMoneyMicros / 2 * 2);
  EXPECT_TRUE(HasCodeAndField(converter.ToBaseMicros(Amount{"USD", kMaxMoneyMicros}, "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount"));
  EXPECT_TRUE(HasCodeAndField(converter.ToBaseMicros(Amount{"BIG", -kMaxMoneyMicros}, "amount").status(),
                              absl::StatusCode::kInvalidArgument, "amount"));

  EXPECT_EQ(*AddMicros(kMaxMoneyMicros - 1, 1, "total"), kMaxMoneyMicros);
  EXPECT_TRUE(
      HasCodeAndField(AddMicros(kMaxMoneyMicros, 1, "total").status(), absl::StatusCode::kInvalidArgument, "total"));
  EXPECT_EQ(*MultiplyMicros(2500000, 4, "lines[0]"), 10000000);
  EXPECT_TRUE(HasCodeAndField(MultiplyMicros(kMaxMoneyMicros, 2, "lines[0]").status(),
                              absl::StatusCode::kInvalidArgument, "lines[0]"));
  EXPECT_TRUE(HasCodeAndField(MultiplyMicros(INT64_MAX, INT64_MAX, "lines[1]").status(),
                              absl::StatusCode::kInvalidArgument, "lines[1]"));
}

crm::v1::Date D(int y, int m, int d) {
  crm::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST(DateUtilTest, AcceptsOnlyRealCalendarDates) {
  EXPECT_TRUE(IsValidDate(D(2024, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2023, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(1900, 2, 29)));
  EXPECT_TRUE(IsValidDate(D(2000, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2026, 4, 31)));
  EXPECT_FALSE(IsValidDate(D(2026, 2, 30)));
  EXPECT_FALSE(IsValidDate(D(2026, 13, 1)));
  EXPECT_FALSE(IsValidDate(D(2026, 0, 1)));
  EXPECT_FALSE(IsValidDate(D(2026, 1, 0)));
  EXPECT_FALSE(IsValidDate(D(0, 1, 1)));
  EXPECT_FALSE(IsValidDate(D(10000, 1, 1)));
  EXPECT_TRUE(IsValidDate(D(1, 1, 1)));
  EXPECT_TRUE(IsValidDate(D(9999, 12, 31)));
  EXPECT_TRUE(HasCodeAndField(DayNumberFromDate(D(2026, 2, 30), "expected_close_date").status(),
                              absl::StatusCode::kInvalidArgument, "expected_close_date"));
}

TEST(DateUtilTest, DayNumbersRoundTrip) {
  EXPECT_EQ(*DayNumberFromDate(D(1970, 1, 1), "d"), 0);
  EXPECT_EQ(*DayNumberFromDate(D(1969, 12, 31), "d"), -1);
  EXPECT_EQ(*DayNumberFromDate(D(2026, 1, 1), "d"), 20454);
  for (int64_t day = *DayNumberFromDate(D(1, 1, 1), "d"); day <= *DayNumberFromDate(D(9999, 12, 31), "d"); day += 97) {
    crm::v1::Date date = DateFromDayNumber(day);
    ASSERT_TRUE(IsValidDate(date)) << day;
    ASSERT_EQ(*DayNumberFromDate(date, "d"), day);
  }
  EXPECT_EQ(DayNumberOf(absl::FromUnixSeconds(1767225600)), 20454);      // 2026-01-01T00:00:00Z
  EXPECT_EQ(DayNumberOf(absl::FromUnixSeconds(1767225600 - 1)), 20453);  // one second before
  EXPECT_EQ(StartOfDay(20454), absl::FromUnixSeconds(1767225600));
}

TEST(DateUtilTest, MonthAndQuarterPeriods) {
  const int64_t may_17 = *DayNumberFromDate(D(2026, 5, 17), "d");
  EXPECT_EQ(MonthStart(may_17), *DayNumberFromDate(D(2026, 5, 1), "d"));
  EXPECT_EQ(NextMonthStart(may_17), *DayNumberFromDate(D(2026, 6, 1), "d"));
  EXPECT_EQ(QuarterStart(may_17), *DayNumberFromDate(D(2026, 4, 1), "d"));
  EXPECT_EQ(NextQuarterStart(may_17), *DayNumberFromDate(D(2026, 7, 1), "d"));
  const int64_t dec_31 = *DayNumberFromDate(D(2026, 12, 31), "d");
  EXPECT_EQ(NextMonthStart(dec_31), *DayNumberFromDate(D(2027, 1, 1), "d"));
  EXPECT_EQ(QuarterStart(dec_31), *DayNumberFromDate(D(2026, 10, 1), "d"));
  EXPECT_EQ(NextQuarterStart(dec_31), *DayNumberFromDate(D(2027, 1, 1), "d"));
}

}  // namespace
}  // namespace crm
