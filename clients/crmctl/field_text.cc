#include "clients/crmctl/field_text.h"

#include <google/protobuf/field_mask.pb.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"

namespace crm::crmctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr absl::string_view kUnspecified = "UNSPECIFIED";
constexpr int32_t kNanosPerUnit = 1'000'000'000;

// "ACCOUNT_KIND_" for AccountKind: what ACCOUNT_KIND_UNSPECIFIED leaves after "UNSPECIFIED".
std::string EnumPrefix(const EnumDescriptor& type) {
  const EnumValueDescriptor* zero = type.FindValueByNumber(0);
  if (zero == nullptr || !absl::EndsWith(zero->name(), kUnspecified)) return "";
  return std::string(absl::StripSuffix(zero->name(), kUnspecified));
}

bool IsMoney(const Descriptor& type) {
  return type.full_name() == v1::Money::descriptor()->full_name();
}
bool IsDate(const Descriptor& type) {
  return type.full_name() == v1::Date::descriptor()->full_name();
}
bool IsTimestamp(const Descriptor& type) {
  return type.full_name() == google::protobuf::Timestamp::descriptor()->full_name();
}
bool IsFieldMask(const Descriptor& type) {
  return type.full_name() == google::protobuf::FieldMask::descriptor()->full_name();
}
bool IsCustomValue(const Descriptor& type) {
  return type.full_name() == v1::CustomValue::descriptor()->full_name();
}
// Message types written as one value rather than field by field.
bool IsScalarLike(const Descriptor& type) {
  return IsMoney(type) || IsDate(type) || IsTimestamp(type) || IsFieldMask(type);
}

absl::StatusOr<bool> ParseBool(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "true" || lower == "yes" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "0") return false;
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not true or false"));
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(
      static_cast<int32_t>((time - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return timestamp;
}

// Items of a repeated field: separated by ';' or ',', trimmed, empty ones dropped.
std::vector<absl::string_view> SplitItems(absl::string_view text) {
  std::vector<absl::string_view> items;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(";,"))) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// The message holding the last segment of `path`, and that segment's field. With `mutable_path`
// the intermediate messages are created; otherwise an unset one yields a null holder.
struct ResolvedField {
  const Message* holder = nullptr;
  Message* mutable_holder = nullptr;
  const FieldDescriptor* field = nullptr;
};

absl::StatusOr<const FieldDescriptor*> FindField(const Descriptor& type, absl::string_view name) {
  const FieldDescriptor* field = type.FindFieldByName(std::string(name));
  if (field == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(type.name(), " has no field '", name, "'"));
  }
  return field;
}

absl::StatusOr<const FieldDescriptor*> FindLeaf(const Descriptor& root, absl::string_view path,
                                                std::vector<const FieldDescriptor*>* parents) {
  const Descriptor* type = &root;
  std::vector<absl::string_view> segments = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    absl::StatusOr<const FieldDescriptor*> field = FindField(*type, segments[i]);
    if (!field.ok()) return field.status();
    if ((*field)->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || (*field)->is_repeated() ||
        IsScalarLike(*(*field)->message_type())) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", segments[i], "' in '", path, "' has no fields to set"));
    }
    if (parents != nullptr) parents->push_back(*field);
    type = (*field)->message_type();
  }
  return FindField(*type, segments.back());
}

absl::Status SetMessageFromText(Message& holder, const FieldDescriptor& field,
                                absl::string_view text, absl::Time now) {
  const Reflection& reflection = *holder.GetReflection();
  const Descriptor& type = *field.message_type();
  if (field.is_repeated() || !IsScalarLike(type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", field.name(), "' has fields of its own; set them as ", field.name(), ".<field>=..."));
  }
  if (text.empty()) {
    reflection.ClearField(&holder, &field);
    return absl::OkStatus();
  }
  Message* target = reflection.MutableMessage(&holder, &field);
  if (IsMoney(type)) {
    absl::StatusOr<v1::Money> money = ParseMoney(text);
    if (!money.ok()) return money.status();
    target->CopyFrom(*money);
  } else if (IsDate(type)) {
    absl::StatusOr<v1::Date> date = ParseDate(text);
    if (!date.ok()) return date.status();
    target->CopyFrom(*date);
  } else if (IsTimestamp(type)) {
    absl::StatusOr<google::protobuf::Timestamp> timestamp = ParseTimestamp(text, now);
    if (!timestamp.ok()) return timestamp.status();
    target->CopyFrom(*timestamp);
  } else {
    google::protobuf::FieldMask mask;
    for (absl::string_view path : SplitItems(text)) mask.add_paths(std::string(path));
    target->CopyFrom(mask);
  }
  return absl::OkStatus();
}

// One value (or one item of a repeated field) of a scalar or enum type.
absl::Status SetScalarFromText(Message& holder, const FieldDescriptor& field,
                               absl::string_view text) {
  const Reflection& reflection = *holder.GetReflection();
  const bool repeated = field.is_repeated();
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  auto not_a = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not ", what));
  };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (repeated) {
        reflection.AddString(&holder, &field, std::string(text));
      } else {
        reflection.SetString(&holder, &field, std::string(text));
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!absl::SimpleAtoi(trimmed, &value)) return not_a("a 32-bit integer");
      repeated ? reflection.AddInt32(&holder, &field, value)
               : reflection.SetInt32(&holder, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(trimmed, &value)) return not_a("an integer");
      repeated ? reflection.AddInt64(&holder, &field, value)
               : reflection.SetInt64(&holder, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value;
      if (!absl::SimpleAtoi(trimmed, &value)) return not_a("a non-negative 32-bit integer");
      repeated ? reflection.AddUInt32(&holder, &field, value)
               : reflection.SetUInt32(&holder, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(trimmed, &value)) return not_a("a non-negative integer");
      repeated ? reflection.AddUInt64(&holder, &field, value)
               : reflection.SetUInt64(&holder, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value;
      if (!absl::SimpleAtod(trimmed, &value)) return not_a("a number");
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        const auto f = static_cast<float>(value);
        repeated ? reflection.AddFloat(&holder, &field, f)
                 : reflection.SetFloat(&holder, &field, f);
      } else {
        repeated ? reflection.AddDouble(&holder, &field, value)
                 : reflection.SetDouble(&holder, &field, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      absl::StatusOr<bool> value = ParseBool(trimmed);
      if (!value.ok()) return value.status();
      repeated ? reflection.AddBool(&holder, &field, *value)
               : reflection.SetBool(&holder, &field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      absl::StatusOr<int> value = ParseEnumValue(*field.enum_type(), trimmed);
      if (!value.ok()) return value.status();
      repeated ? reflection.AddEnumValue(&holder, &field, *value)
               : reflection.SetEnumValue(&holder, &field, *value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError("unreachable");
}

std::string ScalarText(const Message& holder, const FieldDescriptor& field, int index) {
  const Reflection& reflection = *holder.GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return repeated ? reflection.GetRepeatedString(holder, &field, index)
                      : reflection.GetString(holder, &field);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? reflection.GetRepeatedInt32(holder, &field, index)
                                   : reflection.GetInt32(holder, &field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? reflection.GetRepeatedInt64(holder, &field, index)
                                   : reflection.GetInt64(holder, &field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? reflection.GetRepeatedUInt32(holder, &field, index)
                                   : reflection.GetUInt32(holder, &field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? reflection.GetRepeatedUInt64(holder, &field, index)
                                   : reflection.GetUInt64(holder, &field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(repeated ? reflection.GetRepeatedDouble(holder, &field, index)
                                   : reflection.GetDouble(holder, &field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(repeated ? reflection.GetRepeatedFloat(holder, &field, index)
                                   : reflection.GetFloat(holder, &field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (repeated ? reflection.GetRepeatedBool(holder, &field, index)
                       : reflection.GetBool(holder, &field))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumShortName(repeated ? *reflection.GetRepeatedEnum(holder, &field, index)
                                    : *reflection.GetEnum(holder, &field));
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& value = repeated ? reflection.GetRepeatedMessage(holder, &field, index)
                                      : reflection.GetMessage(holder, &field);
      const Descriptor& type = *field.message_type();
      if (IsMoney(type)) {
        v1::Money money;
        money.CopyFrom(value);
        return FormatMoney(money);
      }
      if (IsTimestamp(type)) {
        google::protobuf::Timestamp timestamp;
        timestamp.CopyFrom(value);
        return FormatTimestamp(timestamp);
      }
      if (IsDate(type)) {
        v1::Date date;
        date.CopyFrom(value);
        return FormatDate(date);
      }
      if (IsCustomValue(type)) {
        v1::CustomValue custom;
        custom.CopyFrom(value);
        return CustomValueText(custom);
      }
      if (IsFieldMask(type)) {
        google::protobuf::FieldMask mask;
        mask.CopyFrom(value);
        return absl::StrJoin(mask.paths(), ",");
      }
      return value.ShortDebugString();
    }
  }
  return "";
}

}  // namespace

absl::StatusOr<int> ParseEnumValue(const EnumDescriptor& type, absl::string_view text) {
  std::string name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  for (char& c : name) {
    if (c == '-' || c == ' ') c = '_';
  }
  const EnumValueDescriptor* value = nullptr;
  if (!name.empty()) {
    value = type.FindValueByName(name);
    if (value == nullptr) value = type.FindValueByName(EnumPrefix(type) + name);
  }
  if (value != nullptr) return value->number();
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0) names.push_back(EnumShortName(*type.value(i)));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ", type.name(), " '", text,
                                                 "' (one of: ", absl::StrJoin(names, ", "), ")"));
}

std::string EnumShortName(const EnumValueDescriptor& value) {
  if (value.number() == 0) return "";
  const std::string prefix = EnumPrefix(*value.type());
  return absl::AsciiStrToLower(absl::StripPrefix(value.name(), prefix));
}

absl::StatusOr<v1::Money> ParseMoney(absl::string_view text) {
  std::vector<absl::string_view> tokens = absl::StrSplit(text, ' ', absl::SkipWhitespace());
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an amount like \"1200.50 EUR\""));
  };
  if (tokens.empty() || tokens.size() > 2) return invalid();
  auto is_amount = [](absl::string_view token) {
    return absl::ascii_isdigit(token[0]) || token[0] == '-' || token[0] == '+' || token[0] == '.';
  };
  absl::string_view amount = tokens[0];
  absl::string_view currency;
  if (tokens.size() == 2) {
    currency = tokens[1];
    if (!is_amount(amount)) std::swap(amount, currency);
  }
  if (!is_amount(amount)) return invalid();

  bool negative = false;
  if (absl::ConsumePrefix(&amount, "-")) {
    negative = true;
  } else {
    absl::ConsumePrefix(&amount, "+");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(amount, absl::MaxSplits('.', 1));
  absl::string_view whole = parts[0];
  absl::string_view fraction = parts.size() > 1 ? parts[1] : "";
  const bool digits_only = std::all_of(whole.begin(), whole.end(), absl::ascii_isdigit) &&
                           std::all_of(fraction.begin(), fraction.end(), absl::ascii_isdigit);
  if (!digits_only || (whole.empty() && fraction.empty()) || fraction.size() > 9) return invalid();

  int64_t units = 0;
  if (!whole.empty() && !absl::SimpleAtoi(whole, &units)) return invalid();
  int32_t nanos = 0;
  if (!fraction.empty()) {
    const std::string padded = absl::StrCat(fraction, std::string(9 - fraction.size(), '0'));
    if (!absl::SimpleAtoi(padded, &nanos)) return invalid();
  }
  v1::Money money;
  money.set_currency_code(absl::AsciiStrToUpper(currency));
  money.set_units(negative ? -units : units);
  money.set_nanos(negative ? -nanos : nanos);
  return money;
}

std::string FormatMoney(const v1::Money& money) {
  const bool negative = money.units() < 0 || money.nanos() < 0;
  std::string fraction = absl::StrFormat("%09d", std::abs(money.nanos()));
  // At least cents, more only when present: 1200.50, 0.125.
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  std::string text = absl::StrCat(negative ? "-" : "", std::abs(money.units()), ".", fraction);
  if (!money.currency_code().empty()) absl::StrAppend(&text, " ", money.currency_code());
  return text;
}

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text, absl::Time now) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::AsciiStrToLower(text) == "now") return ToTimestamp(now);
  if (absl::StartsWith(text, "+") || absl::StartsWith(text, "-")) {
    absl::Duration offset;
    double days;
    absl::string_view number = text;
    if (absl::ConsumeSuffix(&number, "d") && absl::SimpleAtod(number, &days)) {
      offset = absl::Hours(24) * days;
    } else if (!absl::ParseDuration(text, &offset)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not an offset like +2h, -30m or +3d"));
    }
    return ToTimestamp(now + offset);
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return ToTimestamp(time);
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day))
    return ToTimestamp(absl::FromCivil(day, absl::UTCTimeZone()));
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not a time (RFC 3339 like 2025-03-01T09:30:00Z, a date, now, +2h)"));
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time = absl::FromUnixSeconds(timestamp.seconds());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<v1::Date> ParseDate(absl::string_view text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(absl::StripAsciiWhitespace(text), &day)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a date like 2025-03-01"));
  }
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string FormatDate(const v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

absl::StatusOr<v1::CustomValue> ParseCustomValue(v1::CustomFieldType type, absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  v1::CustomValue value;
  switch (type) {
    case v1::CUSTOM_FIELD_TYPE_TEXT:
      value.set_text_value(std::string(text));
      return value;
    case v1::CUSTOM_FIELD_TYPE_NUMBER: {
      double number;
      if (!absl::SimpleAtod(trimmed, &number)) {
        return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a number"));
      }
      value.set_number_value(number);
      return value;
    }
    case v1::CUSTOM_FIELD_TYPE_MONEY: {
      absl::StatusOr<v1::Money> money = ParseMoney(text);
      if (!money.ok()) return money.status();
      *value.mutable_money_value() = *std::move(money);
      return value;
    }
    case v1::CUSTOM_FIELD_TYPE_DATE: {
      absl::StatusOr<v1::Date> date = ParseDate(text);
      if (!date.ok()) return date.status();
      *value.mutable_date_value() = *std::move(date);
      return value;
    }
    case v1::CUSTOM_FIELD_TYPE_BOOLEAN: {
      absl::StatusOr<bool> flag = ParseBool(trimmed);
      if (!flag.ok()) return flag.status();
      value.set_bool_value(*flag);
      return value;
    }
    case v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE:
      value.set_choice_value(std::string(text));
      return value;
    case v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE:
      // An empty list is still a multiple-choice value; the server says whether it may be.
      value.mutable_choices_value();
      for (absl::string_view option : SplitItems(text)) {
        value.mutable_choices_value()->add_choices(std::string(option));
      }
      return value;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' cannot be read without the field's type"));
  }
}

std::string CustomValueText(const v1::CustomValue& value) {
  switch (value.kind_case()) {
    case v1::CustomValue::kTextValue:
      return value.text_value();
    case v1::CustomValue::kNumberValue: {
      // The shortest text that reads back as the same double (StrCat would round to 6 digits).
      char buffer[32];
      const std::to_chars_result end =
          std::to_chars(buffer, buffer + sizeof(buffer), value.number_value());
      return std::string(buffer, end.ptr);
    }
    case v1::CustomValue::kMoneyValue:
      return FormatMoney(value.money_value());
    case v1::CustomValue::kDateValue:
      return FormatDate(value.date_value());
    case v1::CustomValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::CustomValue::kChoiceValue:
      return value.choice_value();
    case v1::CustomValue::kChoicesValue:
      return absl::StrJoin(value.choices_value().choices(), ",");
    case v1::CustomValue::KIND_NOT_SET:
      break;
  }
  return "";
}

absl::Status SetFieldFromText(Message& message, absl::string_view path, absl::string_view text,
                              absl::Time now) {
  std::vector<const FieldDescriptor*> parents;
  absl::StatusOr<const FieldDescriptor*> leaf = FindLeaf(*message.GetDescriptor(), path, &parents);
  if (!leaf.ok()) return leaf.status();
  Message* holder = &message;
  for (const FieldDescriptor* parent : parents) {
    holder = holder->GetReflection()->MutableMessage(holder, parent);
  }
  const FieldDescriptor& field = **leaf;
  absl::Status status;
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    status = SetMessageFromText(*holder, field, text, now);
  } else if (field.is_repeated()) {
    for (absl::string_view item : SplitItems(text)) {
      status = SetScalarFromText(*holder, field, item);
      if (!status.ok()) break;
    }
  } else {
    status = SetScalarFromText(*holder, field, text);
  }
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
}

bool HasTextField(const Descriptor& type, absl::string_view path) {
  absl::StatusOr<const FieldDescriptor*> leaf = FindLeaf(type, path, nullptr);
  if (!leaf.ok()) return false;
  const FieldDescriptor& field = **leaf;
  return field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
         (!field.is_repeated() && IsScalarLike(*field.message_type()));
}

std::string FieldText(const Message& message, absl::string_view path) {
  std::vector<const FieldDescriptor*> parents;
  absl::StatusOr<const FieldDescriptor*> leaf = FindLeaf(*message.GetDescriptor(), path, &parents);
  if (!leaf.ok()) return "";
  const Message* holder = &message;
  for (const FieldDescriptor* parent : parents) {
    if (!holder->GetReflection()->HasField(*holder, parent)) return "";
    holder = &holder->GetReflection()->GetMessage(*holder, parent);
  }
  const FieldDescriptor& field = **leaf;
  const Reflection& reflection = *holder->GetReflection();
  if (field.is_repeated()) {
    std::vector<std::string> items;
    for (int i = 0; i < reflection.FieldSize(*holder, &field); ++i) {
      items.push_back(ScalarText(*holder, field, i));
    }
    return absl::StrJoin(items, ";");
  }
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      !reflection.HasField(*holder, &field)) {
    return "";
  }
  return ScalarText(*holder, field, -1);
}

}  // namespace crm::crmctl
