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

// The records --merged=<id>[@<etag>] names, in order.
template <typename Request>
absl::Status TakeMerged(CommandContext& context, Request& request) {
  for (const std::string& value : context.TakeArguments("merged")) {
    const size_t at = value.find('@');
    v1::MergedRecord* merged = request.add_merged();
    merged->set_id(value.substr(0, at));
    if (at != std::string::npos) merged->set_etag(value.substr(at + 1));
  }
  if (request.merged().empty()) {
    return absl::InvalidArgumentError("name the records to merge: --merged=<id>[@<etag>] ...");
  }
  return absl::OkStatus();
}

// `merge-accounts <survivor-id> --merged=<id>[@<etag>] ... [survivor_etag=...]` and the same
// for contacts: the merge record and the survivor.
template <typename Request, typename Merge>
int RunMerge(CommandContext& context, Merge merge) {
  absl::StatusOr<std::vector<std::string>> survivor = context.Positional({"<survivor-id>"});
  if (!survivor.ok()) return context.Usage(survivor.status());
  Request request;
  request.set_survivor_id(survivor->front());
  if (absl::Status s = TakeMerged(context, request); !s.ok()) return context.Usage(s);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(merge(request));
}

int MergeAccounts(CommandContext& context) {
  return RunMerge<v1::MergeAccountsRequest>(
      context, [&](const v1::MergeAccountsRequest& r) { return context.duplicates().MergeAccounts(r); });
}

int MergeContacts(CommandContext& context) {
  return RunMerge<v1::MergeContactsRequest>(
      context, [&](const v1::MergeContactsRequest& r) { return context.duplicates().MergeContacts(r); });
}

// `merges [<merge-id>] [--survivor=<id>] [--merged=<id>] [entity=account|contact]`.
int Merges(CommandContext& context) {
  if (context.Positional({"<merge-id>"}).ok()) {
    v1::GetMergeRequest request;
    request.set_id(context.Positional({"<merge-id>"})->front());
    return context.PrintResult(context.duplicates().GetMerge(request));
  }
  v1::ListMergesRequest request;
  if (absl::optional<std::string> survivor = context.TakeArgument("survivor")) request.set_survivor_id(*survivor);
  if (absl::optional<std::string> merged = context.TakeArgument("merged")) request.set_merged_id(*merged);
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return context.PrintPage(context.duplicates().ListMerges(request), &v1::ListMergesResponse::merges,
                           MergeColumns());
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
      {"duplicates", "merge-accounts", "<survivor-id> --merged=<id>[@<etag>] ... [survivor_etag=...]",
       "Merge accounts into the survivor in one step: it takes their contacts, interactions, "
       "activities, leads, opportunities, orders, payments, tickets and plans, and their values "
       "where it has none; each merged account stays as a tombstone pointing to it (sales managers)",
       MergeAccounts},
      {"duplicates", "merge-contacts", "<survivor-id> --merged=<id>[@<etag>] ... [survivor_etag=...]",
       "Merge contacts of one account into the survivor: it takes their interactions, activities, "
       "tickets and converted leads, and their values where it has none; the merged contacts go",
       MergeContacts},
      {"duplicates", "merges", "[<merge-id>] [--survivor=<id>] [--merged=<id>] [entity=account|contact]",
       "One merge as recorded (what was merged, as it was, and what moved), or a list of them",
       Merges},
  };
}

}  // namespace crm::crmctl
