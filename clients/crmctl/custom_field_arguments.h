// The custom-field arguments of entity commands: `--custom=<key>=<value>` on creates and
// updates, `--custom-filter=`, `--custom-min=` and `--custom-max=<key>=<value>` on lists. A
// value's text is read as its field's type says (ParseCustomValue, field_text.h); crmctl learns
// the type from the field's definition (GetCustomField), fetched once per key.
#pragma once

#include <google/protobuf/map.h>
#include <google/protobuf/repeated_field.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/crmctl/command.h"
#include "clients/gateway/customfield_client.h"
#include "crm/v1/customfield.pb.h"

namespace crm::crmctl {

// One `<flag>=<key>=<value>` argument.
struct CustomArgument {
  // As typed on the command line, for messages: "--custom-filter".
  std::string flag;
  std::string key;
  std::string text;
};

// The `<key>=<value>` values given to argument `flag` (its name as the command sees it:
// "custom_filter"), each split at its first '='. INVALID_ARGUMENT naming the flag for a value
// without '=' or without a key.
absl::StatusOr<std::vector<CustomArgument>> ParseCustomArguments(
    absl::string_view flag, const std::vector<std::string>& values);
// Takes every `flag` argument out of `context` and parses it as above.
absl::StatusOr<std::vector<CustomArgument>> TakeCustomArguments(CommandContext& context,
                                                                const std::string& flag);

// A list's conditions: --custom-filter (equals), --custom-min and --custom-max.
struct CustomFilterArguments {
  std::vector<CustomArgument> equals;
  std::vector<CustomArgument> min;
  std::vector<CustomArgument> max;
};
absl::StatusOr<CustomFilterArguments> TakeCustomFilterArguments(CommandContext& context);

// The custom fields of one entity type, each looked up the first time its key is named.
class CustomFieldCatalog {
 public:
  CustomFieldCatalog(client::CustomFieldClient client, v1::CustomFieldEntity entity)
      : client_(std::move(client)), entity_(entity) {}

  // The typed value of `argument`. INVALID_ARGUMENT naming the flag when the entity type has no
  // such field or the text does not read as the field's type; the lookup's own error when it
  // fails otherwise (UNAVAILABLE, PERMISSION_DENIED).
  absl::StatusOr<v1::CustomValue> ValueOf(const CustomArgument& argument);
  // The definition of the field `argument` names; errors as ValueOf.
  absl::StatusOr<const v1::CustomField*> FieldOf(const CustomArgument& argument);

 private:
  client::CustomFieldClient client_;
  v1::CustomFieldEntity entity_;
  std::map<std::string, v1::CustomField> fields_;
};

// Puts each argument's value into `values` under its key. With `mask_paths` (an update) each
// key also becomes the path "custom_fields.<key>", and an empty value (`--custom=<key>=`)
// clears the record's value instead (the key must still name a field).
absl::Status SetCustomValues(CustomFieldCatalog& catalog,
                             const std::vector<CustomArgument>& arguments,
                             google::protobuf::Map<std::string, v1::CustomValue>& values,
                             std::vector<std::string>* mask_paths);

// Adds one filter per key named, holding every bound given for that key.
absl::Status AddCustomFilters(CustomFieldCatalog& catalog, const CustomFilterArguments& arguments,
                              google::protobuf::RepeatedPtrField<v1::CustomFieldFilter>& filters);

// The exit for an error of the above: a usage error for INVALID_ARGUMENT (the command line's
// mistake), else the failed call's.
int FailCustomFields(CommandContext& context, const absl::Status& status);

// SetCustomValues with the keys looked up among the fields of `entity`: kExitOk, or the exit of
// FailCustomFields.
int ApplyCustomValues(CommandContext& context, v1::CustomFieldEntity entity,
                      const std::vector<CustomArgument>& arguments,
                      google::protobuf::Map<std::string, v1::CustomValue>& values,
                      std::vector<std::string>* mask_paths);

// The FinishRequest of a create or update that puts `arguments` into the custom_fields of
// `entity(request)` (fields of `type`); on an update each key also becomes the mask path
// custom_fields.<key>, so `--custom=<key>=` clears that value and the others stay.
template <typename Request, typename Entity>
FinishRequest<Request> CustomValuesStep(CommandContext& context, v1::CustomFieldEntity type,
                                        Entity entity, std::vector<CustomArgument> arguments) {
  return [&context, type, entity, arguments = std::move(arguments)](
             Request& request, std::vector<std::string>* changed) {
    return ApplyCustomValues(context, type, arguments, *entity(request)->mutable_custom_fields(),
                             changed);
  };
}

// RunCreate plus `--custom=<key>=<value> ...` for the entity's custom fields (of type `type`).
template <typename Request, typename Entity, typename Call>
int RunCreateWithCustom(CommandContext& context, v1::CustomFieldEntity type, Entity entity,
                        Call call, const std::map<std::string, std::string>& aliases = {}) {
  absl::StatusOr<std::vector<CustomArgument>> custom = TakeCustomArguments(context, "custom");
  if (!custom.ok()) return context.Usage(custom.status());
  return RunCreate<Request>(context, entity, call, aliases,
                            CustomValuesStep<Request>(context, type, entity, *std::move(custom)));
}

// RunUpdate plus `--custom=<key>=<value> ...`, as RunCreateWithCustom.
template <typename Request, typename Entity, typename Call>
int RunUpdateWithCustom(CommandContext& context, v1::CustomFieldEntity type, Entity entity,
                        Call call) {
  absl::StatusOr<std::vector<CustomArgument>> custom = TakeCustomArguments(context, "custom");
  if (!custom.ok()) return context.Usage(custom.status());
  return RunUpdate<Request>(context, entity, call, {},
                            CustomValuesStep<Request>(context, type, entity, *std::move(custom)));
}

// A list command's arguments (CommandContext::ReadListArguments), with its --custom-filter,
// --custom-min and --custom-max conditions on fields of `type` added to `filters`. Whether --all
// was given; an error is for FailCustomFields.
absl::StatusOr<bool> ReadListArgumentsWithCustom(
    CommandContext& context, v1::CustomFieldEntity type, const std::vector<ArgumentTarget>& targets,
    google::protobuf::RepeatedPtrField<v1::CustomFieldFilter>& filters,
    const std::map<std::string, std::string>& aliases = {});

}  // namespace crm::crmctl
