#include "common/core/money.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace crm {
namespace {

constexpr int64_t kNanosPerMicro = 1000;
constexpr int kMaxRateDecimals = 12;

__int128 Abs(__int128 v) { return v < 0 ? -v : v; }

}  // namespace

bool IsCurrencyCode(absl::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::vector<FieldViolation> MoneyViolations(const crm::v1::Money& money, absl::string_view field, bool allow_negative) {
  std::vector<FieldViolation> violations;
  const auto add = [&](std::string name, absl::string_view description) {
    violations.push_back({std::move(name), std::string(description)});
  };
  if (!IsCurrencyCode(money.currency_code())) {
    add(absl::StrCat(field, ".currency_code"), "must be a three-letter ISO 4217 code");
  }
  const std::string nanos_field = absl::StrCat(field, ".nanos");
  if (money.nanos() <= -1000000000 || money.nanos() >= 1000000000) {
    add(nanos_field, "must be between -999999999 and 999999999");
  } else if ((money.units() > 0 && money.nanos() < 0) || (money.units() < 0 && money.nanos() > 0)) {
    add(nanos_field, "must have the same sign as units");
  } else if (money.nanos() % kNanosPerMicro != 0) {
    add(nanos_field, "has more than 6 decimal places");
  }
  if (money.units() > kMaxMoneyUnits || money.units() < -kMaxMoneyUnits) {
    add(std::string(field), absl::StrCat("must be at most ", kMaxMoneyUnits, " in magnitude"));
  } else if (!allow_negative && (money.units() < 0 || money.nanos() < 0)) {
    add(std::string(field), "must not be negative");
  }
  return violations;
}

absl::StatusOr<Amount> AmountFromMoney(const crm::v1::Money& money, absl::string_view field, bool allow_negative) {
  std::vector<FieldViolation> violations = MoneyViolations(money, field, allow_negative);
  if (!violations.empty()) return InvalidFields(violations);
  return Amount{money.currency_code(), money.units() * kMicrosPerUnit + money.nanos() / kNanosPerMicro};
}

crm::v1::Money MoneyFromMicros(absl::string_view currency, int64_t micros) {
  crm::v1::Money money;
  money.set_currency_code(std::string(currency));
  // C++ division truncates toward zero, so units and nanos share the sign of micros.
  money.set_units(micros / kMicrosPerUnit);
  money.set_nanos(static_cast<int32_t>((micros % kMicrosPerUnit) * kNanosPerMicro));
  return money;
}

crm::v1::Money MoneyFromAmount(const Amount& amount) { return MoneyFromMicros(amount.currency, amount.micros); }

std::string FormatMicros(int64_t micros) {
  const bool negative = micros < 0;
  const unsigned long long magnitude =
      negative ? 0ULL - static_cast<unsigned long long>(micros) : static_cast<unsigned long long>(micros);
  std::string text = absl::StrCat(negative ? "-" : "", magnitude / kMicrosPerUnit);
  unsigned long long fraction = magnitude % kMicrosPerUnit;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 6 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    absl::StrAppend(&text, ".", digits);
  }
  return text;
}

std::string FormatAmount(const Amount& amount) {
  return absl::StrCat(FormatMicros(amount.micros), " ", amount.currency);
}

__int128 ScaleRounded(__int128 value, __int128 numerator, __int128 denominator) {
  const __int128 product = value * numerator;
  __int128 quotient = product / denominator;
  const __int128 remainder = product % denominator;
  // Half away from zero: a remainder of at least half the denominator rounds the magnitude up.
  if (2 * Abs(remainder) >= denominator) quotient += product < 0 ? -1 : 1;
  return quotient;
}

bool FitsMoney(__int128 micros) { return micros <= kMaxMoneyMicros && micros >= -kMaxMoneyMicros; }

absl::StatusOr<int64_t> AddMicros(int64_t a, int64_t b, absl::string_view field) {
  const __int128 sum = static_cast<__int128>(a) + b;
  if (!FitsMoney(sum)) return InvalidField(field, absl::StrCat("must be at most ", kMaxMoneyUnits, " in magnitude"));
  return static_cast<int64_t>(sum);
}

absl::StatusOr<int64_t> MultiplyMicros(int64_t micros, int64_t quantity, absl::string_view field) {
  const __int128 product = static_cast<__int128>(micros) * quantity;
  if (!FitsMoney(product)) {
    return InvalidField(field, absl::StrCat("must be at most ", kMaxMoneyUnits, " in magnitude"));
  }
  return static_cast<int64_t>(product);
}

absl::StatusOr<int64_t> ParseRate(absl::string_view text, absl::string_view field) {
  const absl::Status bad =
      InvalidField(field, absl::StrCat("must be a positive decimal number such as \"1.0825\" (at most ",
                                       kMaxRateDecimals, " decimal places, at most ", kMaxRateUnits, ")"));
  const size_t dot = text.find('.');
  absl::string_view whole = text.substr(0, dot);
  absl::string_view fraction = dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  if (whole.empty() || (dot != absl::string_view::npos && fraction.empty())) return bad;
  if (fraction.size() > static_cast<size_t>(kMaxRateDecimals) || whole.size() > 7) return bad;
  int64_t units = 0;
  for (char c : whole) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad;
    units = units * 10 + (c - '0');
  }
  // Checked before scaling: a 7-digit whole part times kRateScale can leave int64.
  if (units > kMaxRateUnits) return bad;
  int64_t decimals = 0;
  for (char c : fraction) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad;
    decimals = decimals * 10 + (c - '0');
  }
  for (size_t i = fraction.size(); i < static_cast<size_t>(kMaxRateDecimals); ++i) decimals *= 10;
  const int64_t scaled = units * kRateScale + decimals;
  if (scaled <= 0 || scaled > kMaxRateUnits * kRateScale) return bad;
  return scaled;
}

std::string FormatRate(int64_t scaled_rate) {
  std::string text = absl::StrCat(scaled_rate / kRateScale);
  int64_t fraction = scaled_rate % kRateScale;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, kMaxRateDecimals - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    absl::StrAppend(&text, ".", digits);
  }
  return text;
}

CurrencyConverter::CurrencyConverter(std::string base_currency, absl::flat_hash_map<std::string, int64_t> rates)
    : base_(std::move(base_currency)), rates_(std::move(rates)) {
  rates_.erase(base_);
}

bool CurrencyConverter::HasRate(absl::string_view currency) const {
  return currency == base_ || rates_.contains(currency);
}

absl::StatusOr<int64_t> CurrencyConverter::ToBaseMicros(const Amount& amount, absl::string_view field) const {
  if (amount.currency == base_) return amount.micros;
  auto it = rates_.find(amount.currency);
  if (it == rates_.end()) {
    return FailedPreconditionField(absl::StrCat(field, ".currency_code"),
                                   absl::StrCat("no exchange rate from ", amount.currency, " to the base currency ",
                                                base_, " is configured in the sales settings"));
  }
  const __int128 converted = ScaleRounded(amount.micros, it->second, kRateScale);
  if (!FitsMoney(converted)) {
    return InvalidField(field, absl::StrCat("converted to ", base_, " it exceeds ", kMaxMoneyUnits));
  }
  return static_cast<int64_t>(converted);
}

absl::StatusOr<int64_t> CurrencyConverter::ToBaseMicros(const crm::v1::Money& money, absl::string_view field) const {
  absl::StatusOr<Amount> amount = AmountFromMoney(money, field, /*allow_negative=*/true);
  if (!amount.ok()) return amount.status();
  return ToBaseMicros(*amount, field);
}

absl::StatusOr<crm::v1::Money> CurrencyConverter::ToBase(const Amount& amount, absl::string_view field) const {
  absl::StatusOr<int64_t> micros = ToBaseMicros(amount, field);
  if (!micros.ok()) return micros.status();
  return MoneyFromMicros(base_, *micros);
}

}  // namespace crm
