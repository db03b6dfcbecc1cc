// Exact money arithmetic. An amount is a currency plus an integer number of micros (1e-6 of a
// unit); nothing here ever goes through a binary double.
//
//  - crm.v1.Money ↔ micros: at most 6 decimal places (nanos a multiple of 1000) and at most
//    kMaxMoneyUnits whole units either way, else INVALID_ARGUMENT naming the field;
//  - exchange rates are decimal strings ("1.0825"), held as integers scaled by 1e12;
//  - conversion to the base currency and every scaling (× rate, × probability / 100, ...) is
//    done in 128-bit integers and rounded ONCE, half away from zero, to whole micros;
//  - an amount in a currency without a configured rate is FAILED_PRECONDITION naming
//    "<field>.currency_code": it is never added up as a plain number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/core/errors.h"
#include "crm/v1/common.pb.h"

namespace crm {

inline constexpr int64_t kMicrosPerUnit = 1000000;
// Largest magnitude of one stored amount, in whole units (just under a trillion). Leaves room to
// add up millions of amounts in an int64 before any overflow check is even close.
inline constexpr int64_t kMaxMoneyUnits = 999999999999;
inline constexpr int64_t kMaxMoneyMicros = kMaxMoneyUnits * kMicrosPerUnit + (kMicrosPerUnit - 1);

// An amount as stored: ISO 4217 code + micros.
struct Amount {
  std::string currency;
  int64_t micros = 0;

  friend bool operator==(const Amount& a, const Amount& b) { return a.currency == b.currency && a.micros == b.micros; }
  friend bool operator!=(const Amount& a, const Amount& b) { return !(a == b); }
};

// True for three upper-case ASCII letters.
bool IsCurrencyCode(absl::string_view code);

// Every problem with `money` as an amount, each naming its field: "<field>.currency_code" (not
// three upper-case letters), "<field>.nanos" (out of range, sign differs from units, or more than
// 6 decimal places), "<field>" (negative when !allow_negative, or beyond kMaxMoneyUnits).
std::vector<FieldViolation> MoneyViolations(const crm::v1::Money& money, absl::string_view field, bool allow_negative);

// `money` as an Amount, or INVALID_ARGUMENT naming every violation (see MoneyViolations).
absl::StatusOr<Amount> AmountFromMoney(const crm::v1::Money& money, absl::string_view field,
                                       bool allow_negative = false);
// The amount as crm.v1.Money (units and nanos with the same sign).
crm::v1::Money MoneyFromAmount(const Amount& amount);
crm::v1::Money MoneyFromMicros(absl::string_view currency, int64_t micros);

// Plain decimal text of micros, trailing zeros dropped: 1500000 → "1.5", -250 → "-0.00025".
std::string FormatMicros(int64_t micros);
// "12.5 EUR", for messages.
std::string FormatAmount(const Amount& amount);

// value × numerator / denominator, rounded half away from zero (denominator > 0). The product
// is exact (128 bit); OUT_OF_RANGE-free callers should check the result with FitsMoney.
__int128 ScaleRounded(__int128 value, __int128 numerator, __int128 denominator);
// True when `micros` is within ±kMaxMoneyMicros.
bool FitsMoney(__int128 micros);

// a + b and micros × quantity, INVALID_ARGUMENT naming `field` when the result leaves the money
// range.
absl::StatusOr<int64_t> AddMicros(int64_t a, int64_t b, absl::string_view field);
absl::StatusOr<int64_t> MultiplyMicros(int64_t micros, int64_t quantity, absl::string_view field);

// Exchange rates: how many units of the base currency one unit of a currency is worth.
inline constexpr int64_t kRateScale = 1000000000000;  // 1e12: up to 12 decimal places
inline constexpr int64_t kMaxRateUnits = 1000000;     // a rate is in (0, 1e6]

// A rate parsed from its decimal text: digits with an optional '.' and up to 12 decimals, > 0
// and ≤ kMaxRateUnits; no sign, exponent or spaces. INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int64_t> ParseRate(absl::string_view text, absl::string_view field);
// Canonical text of a scaled rate: "1.0825", "2" (no trailing zeros).
std::string FormatRate(int64_t scaled_rate);

// Converts amounts to one base currency with a fixed set of rates. The base currency itself
// always converts at exactly 1. Cheap to copy.
class CurrencyConverter {
 public:
  CurrencyConverter() = default;
  // `rates`: currency code → scaled rate (ParseRate). A rate given for the base currency is
  // ignored (it is 1 by definition).
  CurrencyConverter(std::string base_currency, absl::flat_hash_map<std::string, int64_t> rates);

  const std::string& base_currency() const { return base_; }
  bool HasRate(absl::string_view currency) const;

  // `amount` in micros of the base currency: amount.micros × rate / 1e12, rounded half away from
  // zero. FAILED_PRECONDITION naming "<field>.currency_code" when the currency has no rate;
  // INVALID_ARGUMENT naming `field` when the result leaves the money range.
  absl::StatusOr<int64_t> ToBaseMicros(const Amount& amount, absl::string_view field) const;
  // Same from crm.v1.Money (validated first, see AmountFromMoney; negatives allowed).
  absl::StatusOr<int64_t> ToBaseMicros(const crm::v1::Money& money, absl::string_view field) const;
  // ToBaseMicros as crm.v1.Money in the base currency.
  absl::StatusOr<crm::v1::Money> ToBase(const Amount& amount, absl::string_view field) const;

 private:
  std::string base_;
  absl::flat_hash_map<std::string, int64_t> rates_;
};

}  // namespace crm
