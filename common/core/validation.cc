#include "common/core/validation.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "crm/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace crm {

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and code points beyond Unicode.
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) ||
        (extra == 3 && code < 0x10000) || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string Trimmed(absl::string_view text) { return std::string(absl::StripAsciiWhitespace(text)); }

size_t Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

namespace {

bool HasControlCharacters(absl::string_view text, bool allow_whitespace) {
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      if (allow_whitespace && (c == '\n' || c == '\r' || c == '\t')) continue;
      return true;
    }
  }
  return false;
}

}  // namespace

Validator& Validator::Check(bool ok, absl::string_view field, absl::string_view description) {
  if (!ok) violations_.push_back({std::string(field), std::string(description)});
  return *this;
}

Validator& Validator::OptionalText(absl::string_view value, absl::string_view field,
                                   size_t max_length) {
  if (value.empty()) return *this;
  if (!IsValidUtf8(value)) return Check(false, field, "must be valid UTF-8");
  if (HasControlCharacters(value, false)) return Check(false, field, "must not contain control characters");
  if (Utf8Length(value) > max_length) {
    return Check(false, field, absl::StrCat("must be at most ", max_length, " characters"));
  }
  return *this;
}

Validator& Validator::RequiredText(absl::string_view value, absl::string_view field,
                                   size_t max_length) {
  bool blank = true;
  for (char c : value) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      blank = false;
      break;
    }
  }
  if (blank) return Check(false, field, "is required");
  return OptionalText(value, field, max_length);
}

Validator& Validator::OptionalLongText(absl::string_view value, absl::string_view field,
                                       size_t max_length) {
  if (value.empty()) return *this;
  if (!IsValidUtf8(value)) return Check(false, field, "must be valid UTF-8");
  if (HasControlCharacters(value, true)) return Check(false, field, "must not contain control characters");
  if (Utf8Length(value) > max_length) {
    return Check(false, field, absl::StrCat("must be at most ", max_length, " characters"));
  }
  return *this;
}

Validator& Validator::RequiredId(absl::string_view value, absl::string_view field) {
  if (value.empty()) return Check(false, field, "is required");
  if (value.size() > kMaxIdLength) return Check(false, field, "is not a valid id");
  for (char c : value) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return Check(false, field, "is not a valid id");
    }
  }
  return *this;
}

Validator& Validator::OptionalEmail(absl::string_view value, absl::string_view field) {
  if (value.empty()) return *this;
  const size_t at = value.find('@');
  bool ok = value.size() <= 254 && IsValidUtf8(value) && at != absl::string_view::npos && at > 0 &&
            value.find('@', at + 1) == absl::string_view::npos;
  if (ok) {
    absl::string_view domain = value.substr(at + 1);
    const size_t dot = domain.rfind('.');
    ok = dot != absl::string_view::npos && dot > 0 && dot + 2 <= domain.size() &&
         domain.find("..") == absl::string_view::npos && domain.front() != '.';
  }
  if (ok) {
    for (char c : value) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7F || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' ||
          c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
        ok = false;
        break;
      }
    }
  }
  return Check(ok, field, "is not a valid email address");
}

Validator& Validator::OptionalPhone(absl::string_view value, absl::string_view field) {
  if (value.empty()) return *this;
  int digits = 0;
  bool ok = value.size() <= 32;
  for (size_t i = 0; ok && i < value.size(); ++i) {
    const char c = value[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '+') {
      ok = i == 0;
    } else if (!(c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/')) {
      ok = false;
    }
  }
  ok = ok && digits >= 7 && digits <= 15;
  return Check(ok, field, "is not a valid phone number (7 to 15 digits, optional leading +)");
}

Validator& Validator::Enum(int value, bool (*is_valid)(int), absl::string_view field,
                           bool required) {
  if (!is_valid(value)) return Check(false, field, absl::StrCat("unknown value ", value));
  if (required && value == 0) return Check(false, field, "is required");
  return *this;
}

Validator& Validator::NonNegative(int64_t value, absl::string_view field) {
  return Check(value >= 0, field, "must not be negative");
}

Validator& Validator::OptionalMoney(const crm::v1::Money& money, bool present,
                                    absl::string_view field, bool allow_negative) {
  if (!present) return *this;
  const std::string& code = money.currency_code();
  bool code_ok = code.size() == 3;
  for (char c : code) code_ok = code_ok && c >= 'A' && c <= 'Z';
  Check(code_ok, absl::StrCat(field, ".currency_code"), "must be a three-letter ISO 4217 code");
  Check(money.nanos() > -1000000000 && money.nanos() < 1000000000, absl::StrCat(field, ".nanos"),
        "must be between -999999999 and 999999999");
  Check(!(money.units() > 0 && money.nanos() < 0) && !(money.units() < 0 && money.nanos() > 0),
        absl::StrCat(field, ".nanos"), "must have the same sign as units");
  if (!allow_negative) {
    Check(money.units() >= 0 && money.nanos() >= 0, field, "must not be negative");
  }
  return *this;
}

Validator& Validator::OptionalTimestamp(const google::protobuf::Timestamp& ts, bool present,
                                        absl::string_view field) {
  if (!present) return *this;
  // 0001-01-01 .. 9999-12-31, the range google.protobuf.Timestamp defines.
  return Check(ts.seconds() >= -62135596800LL && ts.seconds() <= 253402300799LL && ts.nanos() >= 0 &&
                   ts.nanos() <= 999999999,
               field, "is not a valid timestamp");
}

Validator& Validator::OptionalDate(const crm::v1::Date& date, bool present, absl::string_view field) {
  if (!present) return *this;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool ok = date.year() >= 1 && date.year() <= 9999 && date.month() >= 1 && date.month() <= 12 &&
            date.day() >= 1 && date.day() <= kDays[date.month() - 1 < 0 ? 0 : (date.month() - 1) % 12];
  if (ok && date.month() == 2 && date.day() == 29) {
    const int y = date.year();
    ok = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  }
  return Check(ok, field, "is not a valid calendar date");
}

absl::Status Validator::status() const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidFields(violations_);
}

}  // namespace crm
