// A collector of field violations: services check every field, then report all problems at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/core/errors.h"

namespace google::protobuf {
class Timestamp;
}
namespace crm::v1 {
class Money;
class Date;
}  // namespace crm::v1

namespace crm {

inline constexpr size_t kMaxNameLength = 200;
inline constexpr size_t kMaxShortTextLength = 200;
inline constexpr size_t kMaxLongTextLength = 20000;
inline constexpr size_t kMaxIdLength = 64;

class Validator {
 public:
  // Records a violation unless `ok`.
  Validator& Check(bool ok, absl::string_view field, absl::string_view description);

  // Non-empty, valid UTF-8, no control characters, at most max_length characters.
  Validator& RequiredText(absl::string_view value, absl::string_view field, size_t max_length);
  // Like RequiredText but empty is fine.
  Validator& OptionalText(absl::string_view value, absl::string_view field, size_t max_length);
  // Free text (bodies, notes): newlines and tabs allowed.
  Validator& OptionalLongText(absl::string_view value, absl::string_view field,
                              size_t max_length = kMaxLongTextLength);
  Validator& RequiredId(absl::string_view value, absl::string_view field);
  Validator& OptionalEmail(absl::string_view value, absl::string_view field);
  Validator& OptionalPhone(absl::string_view value, absl::string_view field);
  // A generated enum value: known to the schema (`is_valid`), and, when `required`, not 0.
  Validator& Enum(int value, bool (*is_valid)(int), absl::string_view field, bool required);
  Validator& NonNegative(int64_t value, absl::string_view field);
  // Currency code of three upper-case letters, nanos in range and sign-consistent with units.
  Validator& OptionalMoney(const crm::v1::Money& money, bool present, absl::string_view field,
                           bool allow_negative);
  Validator& OptionalTimestamp(const google::protobuf::Timestamp& ts, bool present,
                               absl::string_view field);
  Validator& OptionalDate(const crm::v1::Date& date, bool present, absl::string_view field);

  bool ok() const { return violations_.empty(); }
  // OK, or INVALID_ARGUMENT naming every offending field.
  absl::Status status() const;

 private:
  std::vector<FieldViolation> violations_;
};

// `text` without leading and trailing ASCII whitespace: how free text is normalised before it is
// validated and stored.
std::string Trimmed(absl::string_view text);

// True when `text` is valid UTF-8.
bool IsValidUtf8(absl::string_view text);
// Number of code points in valid UTF-8 text.
size_t Utf8Length(absl::string_view text);

}  // namespace crm
