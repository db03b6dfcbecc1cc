#include "clients/crmctl/duplicates_commands.h"

#include <map>
#include <string>
#include <utility>

#include "clients/crmctl/columns.h"
#include "clients/crmctl/field_text.h"
#include "crm/v1/duplicate_service.pb.h"

namespace crm::crmctl {
namespace {

const std::map<std::string, std::string>& FindAliases() {
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"max", "max_candidates"}};
  return *kAliases;
}

// The stored record named by exactly one of --account=, --contact= and --lead=.
absl::Status TakeRecord(CommandContext& context, v1::DuplicateRecordRef& record) {
  static constexpr std::pair<const char*, v1::DuplicateEntity> kKinds[] = {
      {"account", v1::DUPLICATE_ENTITY_ACCOUNT},
      {"contact", v1::DUPLICATE_ENTITY_CONTACT},
      {"lead", v1::DUPLICATE_ENTITY_LEAD}};
  int named = 0;
  for (const auto& [flag, entity] : kKinds) {
    absl::optional<std::string> id = context.TakeArgument(flag);
    if (!id.has_value()) continue;
    ++named;
    record.set_entity(entity);
    record.set_id(*std::move(id));
  }
  if (named == 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "name one record (--account=<id>, --contact=<id> or --lead=<id>) or give a draft "
      "(account|contact|lead <field>=<value> ...)");
}

// The draft of `entity` inside `request` (its subject); null for no kind.
google::protobuf::Message* DraftOf(v1::FindDuplicatesRequest& request, int entity) {
  switch (entity) {
    case v1::DUPLICATE_ENTITY_ACCOUNT:
      return request.mutable_account();
    case v1::DUPLICATE_ENTITY_CONTACT:
      return request.mutable_contact();
    case v1::DUPLICATE_ENTITY_LEAD:
      return request.mutable_lead();
    default:
      return nullptr;
  }
}

// `find --account=<id> | --contact=<id> | --lead=<id>` for a stored record, or `find <entity>
// <field>=<value> ...` for a draft (what a form being filled in would create).
int Find(CommandContext& context) {
  v1::FindDuplicatesRequest request;
  std::vector<ArgumentTarget> targets = {{&request}};
  if (context.Positional({}).ok()) {
    if (absl::Status s = TakeRecord(context, *request.mutable_record()); !s.ok()) {
      return context.Usage(s);
    }
  } else {
    absl::StatusOr<std::vector<std::string>> kind = context.Positional({"<entity>"});
    if (!kind.ok()) return context.Usage(kind.status());
    absl::StatusOr<int> entity = ParseEnumValue(*v1::DuplicateEntity_descriptor(), kind->front());
    if (!entity.ok()) return context.Usage(entity.status());
    google::protobuf::Message* draft = DraftOf(request, *entity);
    if (draft == nullptr) {
      return context.Usage(absl::InvalidArgumentError("the draft is an account, contact or lead"));
    }
    // The draft's fields first, so that a contact's account= is its account_id.
    targets.insert(targets.begin(), {draft});
  }
  if (absl::Status s = context.ApplyArguments(targets, FindAliases()); !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintPage(context.duplicates().FindDuplicates(request),
                           &v1::FindDuplicatesResponse::candidates, DuplicateCandidateColumns());
}

// `settings` shows them; `settings accounts=refuse ...` changes the actions named (the update
// mask), with etag= only if unchanged since.
int Settings(CommandContext& context) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::UpdateDuplicateSettingsRequest request;
  std::vector<std::string> changed;
  if (absl::Status s = context.ApplyArguments({{&request}, {request.mutable_settings(), &changed}});
      !s.ok()) {
    return context.Usage(s);
  }
  if (changed.empty() && !request.has_update_mask()) {
    if (!request.etag().empty()) {
      return context.Usage(absl::InvalidArgumentError("nothing to change"));
    }
    return context.PrintResult(
        context.duplicates().GetDuplicateSettings(v1::GetDuplicateSettingsRequest()));
  }
  if (!request.has_update_mask()) {
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  return context.PrintResult(context.duplicates().UpdateDuplicateSettings(request));
}

}  // namespace

std::vector<Command> DuplicateCommands() {
  return {
      {"duplicates", "find",
       "--account=<id> | --contact=<id> | --lead=<id> | <account|contact|lead> <field>=<value> "
       "... [--among=account,contact,lead] [--max=<n>]",
       "Records that may be the same customer as a stored record or a draft (account: name= "
       "website= phone=; contact: account= full_name= email= phone=; lead: full_name= "
       "company_name= email= phone=), more shared keys first; --among says which kinds to "
       "search (default the subject's own)",
       Find},
      {"duplicates", "settings",
       "[accounts=warn|refuse|off] [contacts=warn|refuse|off] [leads=warn|refuse|off] "
       "[etag=...]",
       "Show what a create does when the new record matches existing ones of its kind; with "
       "arguments change the actions named (administrators; refuse: a create needs "
       "--confirm-duplicate)",
       Settings},
  };
}

}  // namespace crm::crmctl
