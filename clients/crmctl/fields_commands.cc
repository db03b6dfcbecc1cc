#include "clients/crmctl/fields_commands.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/crmctl/field_text.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;

// The CustomFieldValidation fields, each set by the argument of the same name (max_length=).
constexpr const char* kValidationArguments[] = {"pattern", "max_length", "min",
                                                "max",     "min_date",   "max_date"};

// `option=` names one option (repeatable) of the field's `options`; other arguments are named
// as the field they set (label=, --required, --filterable).
const std::map<std::string, std::string>& FieldAliases() {
  static const auto* const kAliases = new std::map<std::string, std::string>{{"option", "options"}};
  return *kAliases;
}

std::vector<Column> FieldColumns() {
  return {FieldColumn("ENTITY", "entity"),
          FieldColumn("KEY", "key"),
          FieldColumn("LABEL", "label", kTextWidth),
          FieldColumn("TYPE", "type"),
          FieldColumn("REQUIRED", "required"),
          FieldColumn("DEFAULT", "default_value", kTextWidth),
          FieldColumn("OPTIONS", "options", kTextWidth),
          FieldColumn("FILTERABLE", "filterable"),
          FieldColumn("VERSION", "version"),
          FieldColumn("DELETED", "delete_time")};
}

std::vector<Column> VersionColumns() {
  return {FieldColumn("VERSION", "version"),
          FieldColumn("UPDATED", "update_time"),
          FieldColumn("BY", "update_actor"),
          FieldColumn("LABEL", "label", kTextWidth),
          FieldColumn("REQUIRED", "required"),
          FieldColumn("DEFAULT", "default_value", kTextWidth),
          FieldColumn("OPTIONS", "options", kTextWidth),
          FieldColumn("FILTERABLE", "filterable"),
          FieldColumn("DELETED", "delete_time")};
}

// Sets entity and key of `target` (a request, or the field in one) from the positional
// `<entity> <key>`: the entity by short name (account, ticket, ...).
template <typename Target>
absl::Status ReadFieldName(CommandContext& context, Target& target) {
  absl::StatusOr<std::vector<std::string>> words = context.Positional({"<entity>", "<key>"});
  if (!words.ok()) return words.status();
  absl::StatusOr<int> entity = ParseEnumValue(*v1::CustomFieldEntity_descriptor(), (*words)[0]);
  if (!entity.ok()) return entity.status();
  target.set_entity(static_cast<v1::CustomFieldEntity>(*entity));
  target.set_key((*words)[1]);
  return absl::OkStatus();
}

// `<verb> <entity> <key> [key=value ...]` for requests that name one field (get, delete, ...).
template <typename Request, typename Call>
int RunWithField(CommandContext& context, Call call) {
  Request request;
  if (absl::Status s = ReadFieldName(context, request); !s.ok()) return context.Usage(s);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(call(request));
}

// The validation arguments given, as (CustomFieldValidation field, text), taken out of the
// context so that ApplyArguments does not see them.
std::vector<std::pair<std::string, std::string>> TakeValidationArguments(CommandContext& context) {
  std::vector<std::pair<std::string, std::string>> given;
  for (const char* name : kValidationArguments) {
    if (absl::optional<std::string> text = context.TakeArgument(name); text.has_value()) {
      given.emplace_back(name, *std::move(text));
    }
  }
  return given;
}

// Sets the validation arguments on `validation`; an empty text removes that check (`min=`).
absl::Status ApplyValidationArguments(const std::vector<std::pair<std::string, std::string>>& given,
                                      v1::CustomFieldValidation& validation) {
  for (const auto& [name, text] : given) {
    if (text.empty()) {
      validation.GetReflection()->ClearField(&validation,
                                             validation.GetDescriptor()->FindFieldByName(name));
    } else if (absl::Status s = SetFieldFromText(validation, name, text); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// `default=<value>` read as a value of `type`; empty: no default.
absl::Status SetDefault(const absl::optional<std::string>& text, v1::CustomFieldType type,
                        v1::CustomField& field) {
  if (!text.has_value() || text->empty()) return absl::OkStatus();
  absl::StatusOr<v1::CustomValue> value = ParseCustomValue(type, *text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("default: ", value.status().message()));
  }
  *field.mutable_default_value() = *std::move(value);
  return absl::OkStatus();
}

int Create(CommandContext& context) {
  v1::CreateCustomFieldRequest request;
  v1::CustomField& field = *request.mutable_field();
  if (absl::Status s = ReadFieldName(context, field); !s.ok()) return context.Usage(s);
  const absl::optional<std::string> default_text = context.TakeArgument("default");
  const auto validation = TakeValidationArguments(context);
  if (absl::Status s = context.ApplyArguments({{&request}, {&field}}, FieldAliases()); !s.ok()) {
    return context.Usage(s);
  }
  if (absl::Status s = ApplyValidationArguments(validation, *field.mutable_validation()); !s.ok()) {
    return context.Usage(s);
  }
  if (absl::Status s = SetDefault(default_text, field.type(), field); !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintResult(context.customfields().CreateCustomField(request));
}

int Get(CommandContext& context) {
  return RunWithField<v1::GetCustomFieldRequest>(
      context, [&](const auto& r) { return context.customfields().GetCustomField(r); });
}

// The named fields become the update mask, as with every update. The field as stored is read
// first when a change builds on it: the default's type, the options added to, the checks of
// validation not named (the mask replaces validation whole). What was read goes back, so its
// etag goes along unless etag= is given: a change made meanwhile is ABORTED, not overwritten.
int Update(CommandContext& context) {
  v1::UpdateCustomFieldRequest request;
  v1::CustomField& field = *request.mutable_field();
  if (absl::Status s = ReadFieldName(context, field); !s.ok()) return context.Usage(s);
  const absl::optional<std::string> default_text = context.TakeArgument("default");
  const std::vector<std::string> added_options = context.TakeArguments("add_option");
  const auto validation = TakeValidationArguments(context);
  std::vector<std::string> changed;
  if (absl::Status s = context.ApplyArguments({{&request}, {&field, &changed}}, FieldAliases());
      !s.ok()) {
    return context.Usage(s);
  }
  // Checked now, so that a typo is a usage error before anything is read.
  v1::CustomFieldValidation scratch;
  if (absl::Status s = ApplyValidationArguments(validation, scratch); !s.ok()) {
    return context.Usage(s);
  }

  const bool builds_on_stored = !added_options.empty() || !validation.empty();
  const bool sets_default = default_text.has_value() && !default_text->empty();
  if (builds_on_stored || sets_default) {
    v1::GetCustomFieldRequest get;
    get.set_entity(field.entity());
    get.set_key(field.key());
    absl::StatusOr<v1::CustomField> stored = context.customfields().GetCustomField(get);
    if (!stored.ok()) return context.Fail(stored.status());
    if (!validation.empty()) {
      *field.mutable_validation() = stored->validation();
      ApplyValidationArguments(validation, *field.mutable_validation()).IgnoreError();  // checked
      changed.push_back("validation");
    }
    if (!added_options.empty()) {
      // option= given too names the whole list; else the stored one grows.
      if (std::find(changed.begin(), changed.end(), "options") == changed.end()) {
        *field.mutable_options() = stored->options();
        changed.push_back("options");
      }
      for (const std::string& option : added_options) {
        if (absl::Status s = SetFieldFromText(field, "options", option); !s.ok()) {
          return context.Usage(s);
        }
      }
    }
    if (absl::Status s = SetDefault(default_text, stored->type(), field); !s.ok()) {
      return context.Usage(s);
    }
    if (builds_on_stored && request.etag().empty()) request.set_etag(stored->etag());
  }
  // default= without a value clears the default.
  if (default_text.has_value()) changed.push_back("default_value");

  if (!request.has_update_mask()) {
    if (changed.empty()) {
      return context.Usage(absl::InvalidArgumentError("nothing to change"));
    }
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  return context.PrintResult(context.customfields().UpdateCustomField(request));
}

int Delete(CommandContext& context) {
  return RunWithField<v1::DeleteCustomFieldRequest>(
      context, [&](const auto& r) { return context.customfields().DeleteCustomField(r); });
}

int Undelete(CommandContext& context) {
  return RunWithField<v1::UndeleteCustomFieldRequest>(
      context, [&](const auto& r) { return context.customfields().UndeleteCustomField(r); });
}

int List(CommandContext& context) {
  v1::ListCustomFieldsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, context.customfields(), request,
                   &client::CustomFieldClient::ListCustomFields,
                   &client::CustomFieldClient::ListAllCustomFields,
                   &v1::ListCustomFieldsResponse::fields, FieldColumns());
}

int Versions(CommandContext& context) {
  v1::ListCustomFieldVersionsRequest request;
  if (absl::Status s = ReadFieldName(context, request); !s.ok()) return context.Usage(s);
  absl::StatusOr<bool> all = context.TakeSwitch("all");
  if (!all.ok()) return context.Usage(all.status());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintList(context, *all, context.customfields(), request,
                   &client::CustomFieldClient::ListCustomFieldVersions,
                   &client::CustomFieldClient::ListAllCustomFieldVersions,
                   &v1::ListCustomFieldVersionsResponse::versions, VersionColumns());
}

}  // namespace

std::vector<Command> CustomFieldCommands() {
  constexpr char kDefinition[] =
      "[--required] [default=<value>] [pattern=<RE2>] [max_length=<n>] [min=<x>] [max=<x>] "
      "[min_date=<date>] [max_date=<date>] [option=<option> ...] [--filterable] "
      "[description=...]";
  return {
      {"fields", "list",
       "[entity=account|contact|lead|opportunity|ticket] [show_deleted=true] "
       "[page_size=] [page_token=] [--all]",
       "Custom fields in key order, of one entity type or of all", List},
      {"fields", "get", "<entity> <key>", "Show one custom field (a deleted one too)", Get},
      {"fields", "create",
       absl::StrCat("<entity> <key> label=... "
                    "type=text|number|money|date|boolean|single-choice|multiple-choice ",
                    kDefinition),
       "Add a custom field; default= is read as the type says (\"1200.50 EUR\", 2027-01-31, "
       "a,b for multiple choice)",
       Create},
      {"fields", "update",
       absl::StrCat("<entity> <key> [label=...] ", kDefinition,
                    " [add_option=<option> ...] [etag=...]"),
       "Change the named properties (type and key are fixed; options only grow); <property>= "
       "clears one",
       Update},
      {"fields", "delete", "<entity> <key> [etag=...]",
       "Hide a field: its values stop showing and are refused, but are kept", Delete},
      {"fields", "undelete", "<entity> <key>", "Bring a deleted field back with its values",
       Undelete},
      {"fields", "versions", "<entity> <key> [page_size=] [page_token=] [--all]",
       "Every version of a field, newest first: what changed, when, who", Versions},
  };
}

}  // namespace crm::crmctl
