#include "clients/crmctl/custom_field_arguments.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/crmctl/field_text.h"

namespace crm::crmctl {
namespace {

constexpr absl::string_view kMaskPrefix = "custom_fields.";

}  // namespace

absl::StatusOr<std::vector<CustomArgument>> ParseCustomArguments(
    absl::string_view flag, const std::vector<std::string>& values) {
  const std::string shown = absl::StrCat("--", absl::StrReplaceAll(flag, {{"_", "-"}}));
  std::vector<CustomArgument> arguments;
  for (const std::string& value : values) {
    const size_t equals = value.find('=');
    if (equals == std::string::npos || equals == 0) {
      // `--custom key=value` (a space, not =) arrives as custom=true, then the argument key=value.
      return absl::InvalidArgumentError(absl::StrCat(
          shown, ": '", value, "' is not <key>=<value> (write ", shown, "=<key>=<value>)"));
    }
    arguments.push_back({shown, value.substr(0, equals), value.substr(equals + 1)});
  }
  return arguments;
}

absl::StatusOr<std::vector<CustomArgument>> TakeCustomArguments(CommandContext& context,
                                                                const std::string& flag) {
  return ParseCustomArguments(flag, context.TakeArguments(flag));
}

absl::StatusOr<CustomFilterArguments> TakeCustomFilterArguments(CommandContext& context) {
  CustomFilterArguments arguments;
  for (auto [flag, target] :
       {std::pair{"custom_filter", &arguments.equals}, std::pair{"custom_min", &arguments.min},
        std::pair{"custom_max", &arguments.max}}) {
    absl::StatusOr<std::vector<CustomArgument>> taken = TakeCustomArguments(context, flag);
    if (!taken.ok()) return taken.status();
    *target = *std::move(taken);
  }
  return arguments;
}

absl::StatusOr<const v1::CustomField*> CustomFieldCatalog::FieldOf(const CustomArgument& argument) {
  auto known = fields_.find(argument.key);
  if (known != fields_.end()) return &known->second;
  v1::GetCustomFieldRequest request;
  request.set_entity(entity_);
  request.set_key(argument.key);
  absl::StatusOr<v1::CustomField> field = client_.GetCustomField(request);
  if (!field.ok()) {
    // A key the server does not know, or that cannot be a key, is the command line's mistake.
    if (field.status().code() != absl::StatusCode::kNotFound &&
        field.status().code() != absl::StatusCode::kInvalidArgument) {
      return field.status();
    }
    const std::string entity =
        EnumShortName(*v1::CustomFieldEntity_descriptor()->FindValueByNumber(entity_));
    return absl::InvalidArgumentError(
        absl::StrCat(argument.flag, ": no ", entity, " field '", argument.key,
                     "' (crmctl fields list entity=", entity, " shows them)"));
  }
  return &fields_.emplace(argument.key, *std::move(field)).first->second;
}

absl::StatusOr<v1::CustomValue> CustomFieldCatalog::ValueOf(const CustomArgument& argument) {
  absl::StatusOr<const v1::CustomField*> field = FieldOf(argument);
  if (!field.ok()) return field.status();
  absl::StatusOr<v1::CustomValue> value = ParseCustomValue((*field)->type(), argument.text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(argument.flag, ": ", argument.key, ": ", value.status().message()));
  }
  return value;
}

absl::Status SetCustomValues(CustomFieldCatalog& catalog,
                             const std::vector<CustomArgument>& arguments,
                             google::protobuf::Map<std::string, v1::CustomValue>& values,
                             std::vector<std::string>* mask_paths) {
  for (const CustomArgument& argument : arguments) {
    if (mask_paths != nullptr) {
      const std::string path = absl::StrCat(kMaskPrefix, argument.key);
      if (std::find(mask_paths->begin(), mask_paths->end(), path) == mask_paths->end()) {
        mask_paths->push_back(path);
      }
      // Named in the mask without a value: the update clears it.
      if (argument.text.empty()) {
        if (absl::StatusOr<const v1::CustomField*> field = catalog.FieldOf(argument); !field.ok()) {
          return field.status();
        }
        values.erase(argument.key);
        continue;
      }
    }
    absl::StatusOr<v1::CustomValue> value = catalog.ValueOf(argument);
    if (!value.ok()) return value.status();
    values[argument.key] = *std::move(value);
  }
  return absl::OkStatus();
}

absl::Status AddCustomFilters(CustomFieldCatalog& catalog, const CustomFilterArguments& arguments,
                              google::protobuf::RepeatedPtrField<v1::CustomFieldFilter>& filters) {
  auto filter_of = [&filters](const std::string& key) {
    for (v1::CustomFieldFilter& filter : filters) {
      if (filter.key() == key) return &filter;
    }
    v1::CustomFieldFilter* filter = filters.Add();
    filter->set_key(key);
    return filter;
  };
  using Bound = v1::CustomValue* (v1::CustomFieldFilter::*)();
  for (auto [given, bound] : {std::pair<const std::vector<CustomArgument>*, Bound>{
                                  &arguments.equals, &v1::CustomFieldFilter::mutable_equals},
                              {&arguments.min, &v1::CustomFieldFilter::mutable_min},
                              {&arguments.max, &v1::CustomFieldFilter::mutable_max}}) {
    for (const CustomArgument& argument : *given) {
      absl::StatusOr<v1::CustomValue> value = catalog.ValueOf(argument);
      if (!value.ok()) return value.status();
      *(filter_of(argument.key)->*bound)() = *std::move(value);
    }
  }
  return absl::OkStatus();
}

int FailCustomFields(CommandContext& context, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) return context.Usage(status);
  return context.Fail(status);
}

int ApplyCustomValues(CommandContext& context, v1::CustomFieldEntity entity,
                      const std::vector<CustomArgument>& arguments,
                      google::protobuf::Map<std::string, v1::CustomValue>& values,
                      std::vector<std::string>* mask_paths) {
  CustomFieldCatalog catalog(context.customfields(), entity);
  if (absl::Status s = SetCustomValues(catalog, arguments, values, mask_paths); !s.ok()) {
    return FailCustomFields(context, s);
  }
  return kExitOk;
}

absl::StatusOr<bool> ReadListArgumentsWithCustom(
    CommandContext& context, v1::CustomFieldEntity type, const std::vector<ArgumentTarget>& targets,
    google::protobuf::RepeatedPtrField<v1::CustomFieldFilter>& filters,
    const std::map<std::string, std::string>& aliases) {
  absl::StatusOr<CustomFilterArguments> custom = TakeCustomFilterArguments(context);
  if (!custom.ok()) return custom.status();
  absl::StatusOr<bool> all = context.ReadListArguments(targets, aliases);
  if (!all.ok()) return all.status();
  CustomFieldCatalog catalog(context.customfields(), type);
  if (absl::Status s = AddCustomFilters(catalog, *custom, filters); !s.ok()) return s;
  return all;
}

}  // namespace crm::crmctl
