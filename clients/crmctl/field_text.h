// Text <-> protobuf field conversions for the command line and CSV imports, by field name
// through reflection, so that every `key=value` argument and every CSV column follows the same
// rules:
//   strings as written; integers and booleans (true/false, yes/no, 1/0); enums by short name
//   (`company`, `medium`, `growth`, `in-person`) or full name (ACCOUNT_KIND_COMPANY), in any
//   case; Money as "1200.50 EUR" (or "EUR 1200.50"); Timestamps as RFC 3339, a date, `now`
//   or relative to now (`+2h`, `-30m`, `+3d`); Dates as 2025-03-01; repeated fields as items
//   separated by ';' or ','; nested fields by dotted path (`filter.owner`). Custom-field values
//   (CustomValue) are read as their field's type says (ParseCustomValue).
// This only turns text into typed values; whether a value is acceptable is the server's call.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crm/v1/common.pb.h"
#include "crm/v1/customfield.pb.h"

namespace crm::crmctl {

// The enum value named `text`. Short names drop the prefix every value of the enum shares
// (the name of its UNSPECIFIED value minus "UNSPECIFIED"); '-' and ' ' stand for '_'.
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor& type,
                                   absl::string_view text);
// "company" for ACCOUNT_KIND_COMPANY; "" for the UNSPECIFIED value.
std::string EnumShortName(const google::protobuf::EnumValueDescriptor& value);

// "1200.50 EUR", "EUR 1200.50", "-3 usd", "1200.5" (no currency). Exact: no floating point.
absl::StatusOr<v1::Money> ParseMoney(absl::string_view text);
std::string FormatMoney(const v1::Money& money);
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text, absl::Time now);
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// 2025-03-01.
absl::StatusOr<v1::Date> ParseDate(absl::string_view text);
std::string FormatDate(const v1::Date& date);

// A custom field's value read as `type` says: text and single choice as written; number as a
// decimal (1200.5, -3, 1e6); money as ParseMoney; date as 2025-03-01; boolean as true/false
// (yes/no, 1/0); multiple choice as options separated by ',' or ';'.
absl::StatusOr<v1::CustomValue> ParseCustomValue(v1::CustomFieldType type, absl::string_view text);
// The text ParseCustomValue reads back as the same value; "" when unset.
std::string CustomValueText(const v1::CustomValue& value);

// Sets the field at `path` (dotted for nested messages). A repeated field gets the items
// appended. Empty text clears a message-typed field.
absl::Status SetFieldFromText(google::protobuf::Message& message, absl::string_view path,
                              absl::string_view text, absl::Time now = absl::Now());
// True when `path` names a field of `type` that SetFieldFromText can set.
bool HasTextField(const google::protobuf::Descriptor& type, absl::string_view path);

// Human text of the field at `path` ("" when unset): enums by short name, Money, times and
// custom-field values as above, repeated items joined by ';'.
std::string FieldText(const google::protobuf::Message& message, absl::string_view path);

}  // namespace crm::crmctl
