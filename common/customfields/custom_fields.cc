#include "common/customfields/custom_fields.h"

#include <cmath>
#include <map>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/money.h"
#include "common/core/validation.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "re2/re2.h"

namespace crm::customfields {
namespace {

using crm::v1::CustomField;
using crm::v1::CustomFieldType;
using crm::v1::CustomValue;

constexpr struct {
  crm::v1::CustomFieldEntity entity;
  const char* name;
} kEntityNames[] = {
    {crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT, "account"},
    {crm::v1::CUSTOM_FIELD_ENTITY_CONTACT, "contact"},
    {crm::v1::CUSTOM_FIELD_ENTITY_LEAD, "lead"},
    {crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity"},
    {crm::v1::CUSTOM_FIELD_ENTITY_TICKET, "ticket"},
};

bool IsChoice(CustomFieldType type) {
  return type == crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE || type == crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE;
}

// The CustomValue member each type travels in.
CustomValue::KindCase KindOf(CustomFieldType type) {
  switch (type) {
    case crm::v1::CUSTOM_FIELD_TYPE_TEXT: return CustomValue::kTextValue;
    case crm::v1::CUSTOM_FIELD_TYPE_NUMBER: return CustomValue::kNumberValue;
    case crm::v1::CUSTOM_FIELD_TYPE_MONEY: return CustomValue::kMoneyValue;
    case crm::v1::CUSTOM_FIELD_TYPE_DATE: return CustomValue::kDateValue;
    case crm::v1::CUSTOM_FIELD_TYPE_BOOLEAN: return CustomValue::kBoolValue;
    case crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE: return CustomValue::kChoiceValue;
    case crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE: return CustomValue::kChoicesValue;
    default: return CustomValue::KIND_NOT_SET;
  }
}

const char* MemberName(CustomFieldType type) {
  switch (KindOf(type)) {
    case CustomValue::kTextValue: return "text_value";
    case CustomValue::kNumberValue: return "number_value";
    case CustomValue::kMoneyValue: return "money_value";
    case CustomValue::kDateValue: return "date_value";
    case CustomValue::kBoolValue: return "bool_value";
    case CustomValue::kChoiceValue: return "choice_value";
    case CustomValue::kChoicesValue: return "choices_value";
    default: return "a value";
  }
}

double Amount(const crm::v1::Money& money) {
  return static_cast<double>(money.units()) + static_cast<double>(money.nanos()) / 1e9;
}

int64_t DayNumber(const crm::v1::Date& date) {
  absl::StatusOr<int64_t> day = DayNumberFromDate(date, "");
  return day.ok() ? *day : 0;
}

size_t MaxTextLength(const CustomField& field) {
  const int32_t max = field.validation().max_length();
  return max > 0 && static_cast<size_t>(max) < kMaxTextValueLength ? static_cast<size_t>(max) : kMaxTextValueLength;
}

bool HasDate(const crm::v1::Date& date) { return date.year() != 0 || date.month() != 0 || date.day() != 0; }

// `value` checked against `field`'s type; with `full`, against its rules too (length, pattern,
// bounds, options), as a stored value is. Filters check the type only.
void CheckValue(const CustomField& field, const CustomValue& value, const std::string& path, bool full,
                Validator& v) {
  if (value.kind_case() != KindOf(field.type())) {
    v.Check(false, path, absl::StrCat("must be a ", MemberName(field.type()), " (the field's type is ",
                                      crm::v1::CustomFieldType_Name(field.type()), ")"));
    return;
  }
  const crm::v1::CustomFieldValidation& rules = field.validation();
  switch (field.type()) {
    case crm::v1::CUSTOM_FIELD_TYPE_TEXT:
      v.RequiredText(value.text_value(), path, full ? MaxTextLength(field) : kMaxTextValueLength);
      if (full && !rules.pattern().empty() && IsValidUtf8(value.text_value())) {
        RE2 pattern(rules.pattern(), RE2::Quiet);
        v.Check(RE2::FullMatch(value.text_value(), pattern), path,
                absl::StrCat("must match the pattern ", rules.pattern()));
      }
      break;
    case crm::v1::CUSTOM_FIELD_TYPE_NUMBER:
      v.Check(std::isfinite(value.number_value()), path, "must be a finite number");
      if (full && rules.has_min()) v.Check(value.number_value() >= rules.min(), path, absl::StrCat("must be at least ", rules.min()));
      if (full && rules.has_max()) v.Check(value.number_value() <= rules.max(), path, absl::StrCat("must be at most ", rules.max()));
      break;
    case crm::v1::CUSTOM_FIELD_TYPE_MONEY:
      v.OptionalMoney(value.money_value(), true, path, true);
      if (full && rules.has_min()) v.Check(Amount(value.money_value()) >= rules.min(), path, absl::StrCat("must be at least ", rules.min()));
      if (full && rules.has_max()) v.Check(Amount(value.money_value()) <= rules.max(), path, absl::StrCat("must be at most ", rules.max()));
      break;
    case crm::v1::CUSTOM_FIELD_TYPE_DATE:
      v.OptionalDate(value.date_value(), true, path);
      if (full && IsValidDate(value.date_value())) {
        if (HasDate(rules.min_date())) {
          v.Check(DayNumber(value.date_value()) >= DayNumber(rules.min_date()), path, "is before the earliest date allowed");
        }
        if (HasDate(rules.max_date())) {
          v.Check(DayNumber(value.date_value()) <= DayNumber(rules.max_date()), path, "is after the latest date allowed");
        }
      }
      break;
    case crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE:
      v.Check(!full || absl::c_linear_search(field.options(), value.choice_value()), path,
              absl::StrCat("\"", value.choice_value(), "\" is not one of the field's options"));
      break;
    case crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE: {
      v.Check(value.choices_value().choices_size() > 0, path, "must name at least one option");
      absl::flat_hash_set<std::string> seen;
      for (const std::string& choice : value.choices_value().choices()) {
        v.Check(seen.insert(choice).second, path, absl::StrCat("names \"", choice, "\" twice"));
        v.Check(!full || absl::c_linear_search(field.options(), choice), path,
                absl::StrCat("\"", choice, "\" is not one of the field's options"));
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

absl::string_view EntityName(crm::v1::CustomFieldEntity entity) {
  for (const auto& e : kEntityNames) {
    if (e.entity == entity) return e.name;
  }
  return "";
}

crm::v1::CustomFieldEntity EntityFromName(absl::string_view name) {
  for (const auto& e : kEntityNames) {
    if (e.name == name) return e.entity;
  }
  return crm::v1::CUSTOM_FIELD_ENTITY_UNSPECIFIED;
}

std::string FieldId(crm::v1::CustomFieldEntity entity, absl::string_view key) {
  return absl::StrCat(EntityName(entity), ".", key);
}

void NormaliseDefinition(CustomField& field) {
  field.set_label(Trimmed(field.label()));
  field.set_description(Trimmed(field.description()));
  std::vector<std::string> options;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& option : field.options()) {
    std::string trimmed = Trimmed(option);
    if (seen.insert(trimmed).second) options.push_back(std::move(trimmed));
  }
  field.clear_options();
  for (std::string& option : options) field.add_options(std::move(option));
}

absl::Status ValidateDefinition(const CustomField& field, const CustomField* before, absl::string_view prefix) {
  const auto f = [&prefix](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  Validator v;
  v.Enum(field.entity(), crm::v1::CustomFieldEntity_IsValid, f("entity"), true);
  static const LazyRE2 kKeyPattern = {"[a-z][a-z0-9_]*"};
  v.Check(!field.key().empty() && field.key().size() <= kMaxKeyLength && RE2::FullMatch(field.key(), *kKeyPattern),
          f("key"), "must be a lower-case letter, then lower-case letters, digits or '_', at most 40 in all");
  v.RequiredText(field.label(), f("label"), kMaxNameLength);
  v.OptionalLongText(field.description(), f("description"), 2000);
  v.Enum(field.type(), crm::v1::CustomFieldType_IsValid, f("type"), true);
  if (before != nullptr) {
    v.Check(field.type() == before->type(), f("type"), "is fixed once the field is created");
    for (const std::string& option : before->options()) {
      v.Check(absl::c_linear_search(field.options(), option), f("options"),
              absl::StrCat("options can be added, not removed (\"", option, "\" is missing)"));
    }
  }

  const CustomFieldType type = field.type();
  if (IsChoice(type)) {
    v.Check(field.options_size() > 0, f("options"), "a choice field needs at least one option");
    v.Check(field.options_size() <= kMaxOptions, f("options"), absl::StrCat("at most ", kMaxOptions, " options"));
    for (int i = 0; i < field.options_size(); ++i) {
      v.RequiredText(field.options(i), absl::StrCat(f("options"), "[", i, "]"), kMaxTextValueLength);
    }
  } else {
    v.Check(field.options_size() == 0, f("options"), "only choice fields have options");
  }

  const crm::v1::CustomFieldValidation& rules = field.validation();
  const bool is_text = type == crm::v1::CUSTOM_FIELD_TYPE_TEXT;
  const bool is_amount = type == crm::v1::CUSTOM_FIELD_TYPE_NUMBER || type == crm::v1::CUSTOM_FIELD_TYPE_MONEY;
  const bool is_date = type == crm::v1::CUSTOM_FIELD_TYPE_DATE;
  if (!rules.pattern().empty()) {
    v.Check(is_text, f("validation.pattern"), "applies to text fields only");
    v.OptionalText(rules.pattern(), f("validation.pattern"), 1000);
    RE2 pattern(rules.pattern(), RE2::Quiet);
    v.Check(pattern.ok(), f("validation.pattern"), absl::StrCat("is not a valid RE2 pattern: ", pattern.error()));
  }
  if (rules.max_length() != 0) {
    v.Check(is_text, f("validation.max_length"), "applies to text fields only");
    v.Check(rules.max_length() > 0 && static_cast<size_t>(rules.max_length()) <= kMaxTextValueLength,
            f("validation.max_length"), absl::StrCat("must be 1 to ", kMaxTextValueLength));
  }
  if (rules.has_min() || rules.has_max()) {
    v.Check(is_amount, f("validation"), "min and max apply to number and money fields only");
    v.Check((!rules.has_min() || std::isfinite(rules.min())) && (!rules.has_max() || std::isfinite(rules.max())),
            f("validation"), "min and max must be finite numbers");
    v.Check(!rules.has_min() || !rules.has_max() || rules.min() <= rules.max(), f("validation.max"),
            "must not be below min");
  }
  if (HasDate(rules.min_date()) || HasDate(rules.max_date())) {
    v.Check(is_date, f("validation"), "min_date and max_date apply to date fields only");
    v.OptionalDate(rules.min_date(), HasDate(rules.min_date()), f("validation.min_date"));
    v.OptionalDate(rules.max_date(), HasDate(rules.max_date()), f("validation.max_date"));
    if (HasDate(rules.min_date()) && HasDate(rules.max_date()) && IsValidDate(rules.min_date()) &&
        IsValidDate(rules.max_date())) {
      v.Check(DayNumber(rules.min_date()) <= DayNumber(rules.max_date()), f("validation.max_date"),
              "must not be before min_date");
    }
  }
  if (!v.ok()) return v.status();
  if (field.default_value().kind_case() != CustomValue::KIND_NOT_SET) {
    CheckValue(field, field.default_value(), f("default_value"), true, v);
  }
  return v.status();
}

std::vector<IndexKey> IndexKeysOf(const CustomValue& value) {
  switch (value.kind_case()) {
    case CustomValue::kTextValue: return {{value.text_value(), 0}};
    case CustomValue::kNumberValue: return {{"", value.number_value()}};
    case CustomValue::kMoneyValue: return {{value.money_value().currency_code(), Amount(value.money_value())}};
    case CustomValue::kDateValue: return {{"", static_cast<double>(DayNumber(value.date_value()))}};
    case CustomValue::kBoolValue: return {{"", value.bool_value() ? 1.0 : 0.0}};
    case CustomValue::kChoiceValue: return {{value.choice_value(), 0}};
    case CustomValue::kChoicesValue: {
      std::vector<IndexKey> keys;
      for (const std::string& choice : value.choices_value().choices()) keys.push_back({choice, 0});
      return keys;
    }
    case CustomValue::KIND_NOT_SET: break;
  }
  return {};
}

std::string EncodeValues(const ValueMap& values) {
  if (values.empty()) return "";
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  // In key order, so that equal maps store equal text.
  std::map<std::string, const CustomValue*> sorted;
  for (const auto& [key, value] : values) sorted[key] = &value;
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : sorted) {
    std::string json;
    if (google::protobuf::util::MessageToJsonString(*value, &json, options).ok()) {
      object[key] = nlohmann::json::parse(json, nullptr, false);
    }
  }
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void DecodeValues(absl::string_view text, ValueMap* values) {
  values->clear();
  if (text.empty()) return;
  nlohmann::json object = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!object.is_object()) return;
  for (const auto& [key, item] : object.items()) {
    CustomValue value;
    if (google::protobuf::util::JsonStringToMessage(item.dump(), &value).ok()) (*values)[key] = std::move(value);
  }
}

FieldCatalog::FieldCatalog(std::vector<CustomField> fields) {
  for (CustomField& field : fields) {
    std::string key = field.key();
    fields_.emplace(std::move(key), std::move(field));
  }
}

const CustomField* FieldCatalog::Find(absl::string_view key) const {
  auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : &it->second;
}

namespace {

const CustomField* LiveField(const FieldCatalog& catalog, absl::string_view key, const std::string& path,
                             Validator& v) {
  const CustomField* field = catalog.Find(key);
  if (field == nullptr || field->has_delete_time()) {
    v.Check(false, path, field == nullptr ? "no custom field has this key" : "the custom field is removed");
    return nullptr;
  }
  return field;
}

void CheckRequired(const absl::flat_hash_map<std::string, CustomField>& fields, const ValueMap& values,
                   absl::string_view prefix, Validator& v) {
  // Sorted, so that the violations come in a stable order.
  std::map<std::string, const CustomField*> required;
  for (const auto& [key, field] : fields) {
    if (field.required() && !field.has_delete_time()) required[key] = &field;
  }
  for (const auto& [key, field] : required) {
    v.Check(values.contains(key), absl::StrCat(prefix, ".", key), "is required");
  }
}

}  // namespace

absl::Status FieldCatalog::PrepareCreate(ValueMap* values, absl::string_view prefix) const {
  Validator v;
  std::map<std::string, const CustomValue*> given;
  for (const auto& [key, value] : *values) given[key] = &value;
  for (const auto& [key, value] : given) {
    const std::string path = absl::StrCat(prefix, ".", key);
    if (const CustomField* field = LiveField(*this, key, path, v); field != nullptr) {
      CheckValue(*field, *value, path, true, v);
    }
  }
  if (!v.ok()) return v.status();
  for (const auto& [key, field] : fields_) {
    if (field.has_delete_time() || values->contains(key)) continue;
    if (field.default_value().kind_case() != CustomValue::KIND_NOT_SET) (*values)[key] = field.default_value();
  }
  CheckRequired(fields_, *values, prefix, v);
  return v.status();
}

absl::Status FieldCatalog::CheckUpdate(const ValueMap& before, const ValueMap& after, absl::string_view prefix) const {
  Validator v;
  bool changed = before.size() != after.size();
  std::map<std::string, const CustomValue*> sorted;
  for (const auto& [key, value] : after) sorted[key] = &value;
  for (const auto& [key, value] : sorted) {
    auto old = before.find(key);
    if (old != before.end() && old->second.SerializeAsString() == value->SerializeAsString()) continue;
    changed = true;
    const std::string path = absl::StrCat(prefix, ".", key);
    if (const CustomField* field = LiveField(*this, key, path, v); field != nullptr) {
      CheckValue(*field, *value, path, true, v);
    }
  }
  for (const auto& [key, value] : before) {
    if (after.contains(key)) continue;
    changed = true;
    // Clearing a removed field's hidden value would lose it; there is nothing to clear.
    LiveField(*this, key, absl::StrCat(prefix, ".", key), v);
  }
  if (changed) CheckRequired(fields_, after, prefix, v);
  return v.status();
}

void FieldCatalog::RestoreHidden(const ValueMap& before, ValueMap* after) const {
  for (const auto& [key, value] : before) {
    const CustomField* field = Find(key);
    if ((field == nullptr || field->has_delete_time()) && !after->contains(key)) (*after)[key] = value;
  }
}

void FieldCatalog::HideRemoved(ValueMap* values) const {
  for (auto it = values->begin(); it != values->end();) {
    const CustomField* field = Find(it->first);
    if (field == nullptr || field->has_delete_time()) {
      values->erase(it++);
    } else {
      ++it;
    }
  }
}

absl::StatusOr<std::vector<IndexCondition>> FieldCatalog::ResolveFilters(
    const google::protobuf::RepeatedPtrField<crm::v1::CustomFieldFilter>& filters, absl::string_view prefix) const {
  Validator v;
  std::vector<IndexCondition> conditions;
  for (int i = 0; i < filters.size(); ++i) {
    const crm::v1::CustomFieldFilter& filter = filters[i];
    const std::string at = absl::StrCat(prefix, "[", i, "]");
    const CustomField* field = LiveField(*this, filter.key(), absl::StrCat(at, ".key"), v);
    if (field == nullptr) continue;
    if (!field->filterable()) {
      v.Check(false, absl::StrCat(at, ".key"), "the custom field is not filterable");
      continue;
    }
    const bool has_equals = filter.equals().kind_case() != CustomValue::KIND_NOT_SET;
    const bool has_min = filter.min().kind_case() != CustomValue::KIND_NOT_SET;
    const bool has_max = filter.max().kind_case() != CustomValue::KIND_NOT_SET;
    if (has_equals == (has_min || has_max)) {
      v.Check(false, at, "set either equals, or min and / or max");
      continue;
    }
    if (has_equals) {
      Validator value_check;
      CheckValue(*field, filter.equals(), absl::StrCat(at, ".equals"), false, value_check);
      if (!value_check.ok()) {
        v.Check(false, absl::StrCat(at, ".equals"), std::string(value_check.status().message()));
        continue;
      }
      for (IndexKey& key : IndexKeysOf(filter.equals())) {
        IndexCondition condition;
        condition.field_key = field->key();
        condition.equals = std::move(key);
        conditions.push_back(std::move(condition));
      }
      continue;
    }
    const CustomFieldType type = field->type();
    if (type != crm::v1::CUSTOM_FIELD_TYPE_NUMBER && type != crm::v1::CUSTOM_FIELD_TYPE_MONEY &&
        type != crm::v1::CUSTOM_FIELD_TYPE_DATE && type != crm::v1::CUSTOM_FIELD_TYPE_TEXT) {
      v.Check(false, at, "ranges apply to number, money, date and text fields");
      continue;
    }
    Validator bounds;
    if (has_min) CheckValue(*field, filter.min(), absl::StrCat(at, ".min"), false, bounds);
    if (has_max) CheckValue(*field, filter.max(), absl::StrCat(at, ".max"), false, bounds);
    if (!bounds.ok()) {
      v.Check(false, at, std::string(bounds.status().message()));
      continue;
    }
    IndexCondition condition;
    condition.field_key = field->key();
    if (type == crm::v1::CUSTOM_FIELD_TYPE_TEXT) {
      condition.kind = IndexCondition::Kind::kTextRange;
      if (has_min) condition.min_text = filter.min().text_value();
      if (has_max) condition.max_text = filter.max().text_value();
    } else {
      condition.kind = IndexCondition::Kind::kNumberRange;
      if (has_min) {
        IndexKey key = IndexKeysOf(filter.min()).front();
        condition.equals.text = key.text;
        condition.min_number = key.number;
      }
      if (has_max) {
        IndexKey key = IndexKeysOf(filter.max()).front();
        if (has_min && key.text != condition.equals.text) {
          v.Check(false, absl::StrCat(at, ".max"), "must be in the same currency as min");
          continue;
        }
        condition.equals.text = key.text;
        condition.max_number = key.number;
      }
    }
    conditions.push_back(std::move(condition));
  }
  if (!v.ok()) return v.status();
  return conditions;
}

absl::Status FieldCatalog::CheckOrderField(absl::string_view key, absl::string_view order_field) const {
  const CustomField* field = Find(key);
  if (field == nullptr || field->has_delete_time()) {
    return InvalidField(order_field, absl::StrCat("no live custom field has the key \"", key, "\""));
  }
  if (!field->filterable()) return InvalidField(order_field, "the custom field is not filterable");
  if (field->type() == crm::v1::CUSTOM_FIELD_TYPE_MULTIPLE_CHOICE) {
    return InvalidField(order_field, "a multiple-choice field cannot order a list");
  }
  return absl::OkStatus();
}

std::optional<IndexOrder> ParseCustomOrder(absl::string_view order_by) {
  absl::string_view rest = absl::StripAsciiWhitespace(order_by);
  if (!absl::ConsumePrefix(&rest, "custom.")) return std::nullopt;
  IndexOrder order;
  if (absl::ConsumeSuffix(&rest, " desc")) {
    order.descending = true;
  } else {
    absl::ConsumeSuffix(&rest, " asc");
  }
  order.field_key = std::string(absl::StripAsciiWhitespace(rest));
  return order;
}

std::vector<std::string> CustomOrderCursor(const ValueMap& values, absl::string_view key, const std::string& id) {
  auto it = values.find(std::string(key));
  if (it == values.end()) return {"0", "", "", id};
  const std::vector<IndexKey> keys = IndexKeysOf(it->second);
  if (keys.empty()) return {"0", "", "", id};
  return {"1", keys.front().text, absl::StrFormat("%.17g", keys.front().number), id};
}

absl::StatusOr<CustomOrderPosition> ParseCustomOrderCursor(const std::vector<std::string>& cursor) {
  CustomOrderPosition position;
  if (cursor.size() != kCustomOrderCursorArity || (cursor[0] != "0" && cursor[0] != "1")) {
    return InvalidField("page_token", "is not a token of this list");
  }
  position.has_value = cursor[0] == "1";
  position.key.text = cursor[1];
  if (position.has_value && !absl::SimpleAtod(cursor[2], &position.key.number)) {
    return InvalidField("page_token", "is not a token of this list");
  }
  position.id = cursor[3];
  return position;
}

}  // namespace crm::customfields
