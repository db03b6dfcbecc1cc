#include "services/duplicates/duplicate_logic.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "common/duplicates/duplicate_finder.h"
#include "common/duplicates/duplicate_store.h"
#include "services/accounts/account_store.h"
#include "services/accounts/contact_store.h"
#include "services/pipeline/lead_store.h"

namespace crm::duplicates {
namespace {

using crm::v1::DuplicateEntity;
using crm::v1::DuplicateSettings;

constexpr char kSettingsEntity[] = "duplicate_settings";
constexpr char kSettingsId[] = "1";

const absl::flat_hash_set<std::string>& UpdatableSettingsFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"accounts", "contacts", "leads"};
  return *fields;
}

const absl::flat_hash_set<std::string>& SettingsBookkeeping() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"etag", "update_time"};
  return *fields;
}

bool IsSearchable(int value) {
  return value == crm::v1::DUPLICATE_ENTITY_ACCOUNT || value == crm::v1::DUPLICATE_ENTITY_CONTACT ||
         value == crm::v1::DUPLICATE_ENTITY_LEAD;
}

// The keys of the stored record `ref` as it is now; NOT_FOUND naming record.id when there is none.
absl::StatusOr<RecordKeys> StoredKeys(soci::session& sql, const crm::v1::DuplicateRecordRef& ref) {
  const auto keys_of = [&](auto found) -> absl::StatusOr<RecordKeys> {
    if (!found.ok()) return found.status();
    if (!found->has_value()) return NoSuchEntity("record.id", EntityName(ref.entity()), ref.id());
    return KeysOf(**found);
  };
  switch (ref.entity()) {
    case crm::v1::DUPLICATE_ENTITY_ACCOUNT: return keys_of(accounts::AccountStore::Find(sql, ref.id()));
    case crm::v1::DUPLICATE_ENTITY_CONTACT: return keys_of(accounts::ContactStore::Find(sql, ref.id()));
    case crm::v1::DUPLICATE_ENTITY_LEAD: return keys_of(pipeline::LeadStore::Find(sql, ref.id()));
    default: return InvalidField("record.entity", "must be ACCOUNT, CONTACT or LEAD");
  }
}

}  // namespace

absl::StatusOr<crm::v1::FindDuplicatesResponse> DuplicateLogic::Find(const server::CallContext& call,
                                                                     const crm::v1::FindDuplicatesRequest& request) {
  Validator checks;
  checks.Check(request.subject_case() != crm::v1::FindDuplicatesRequest::SUBJECT_NOT_SET, "subject",
               "give a stored record (record) or a record to check (account, contact or lead)");
  if (request.has_record()) {
    checks.Check(IsSearchable(request.record().entity()), "record.entity", "must be ACCOUNT, CONTACT or LEAD");
    checks.RequiredId(request.record().id(), "record.id");
  }
  for (int i = 0; i < request.among_size(); ++i) {
    checks.Check(IsSearchable(request.among(i)), absl::StrCat("among[", i, "]"), "must be ACCOUNT, CONTACT or LEAD");
  }
  checks.Check(request.max_candidates() >= 0 && request.max_candidates() <= kMaxCandidates, "max_candidates",
               absl::StrCat("must be between 0 (the default, ", kDefaultMaxCandidates, ") and ", kMaxCandidates));
  if (!checks.ok()) return checks.status();

  CandidateSearch search;
  search.max_candidates = request.max_candidates() == 0 ? kDefaultMaxCandidates : request.max_candidates();
  for (int entity : request.among()) {
    const auto kind = static_cast<DuplicateEntity>(entity);
    if (std::find(search.among.begin(), search.among.end(), kind) == search.among.end()) search.among.push_back(kind);
  }
  return db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<crm::v1::FindDuplicatesResponse> {
    switch (request.subject_case()) {
      case crm::v1::FindDuplicatesRequest::kRecord: {
        absl::StatusOr<RecordKeys> stored = StoredKeys(sql, request.record());
        if (!stored.ok()) return stored.status();
        search.subject = request.record().entity();
        search.subject_id = request.record().id();
        search.keys = std::move(stored->keys);
        break;
      }
      case crm::v1::FindDuplicatesRequest::kAccount:
        search.subject = crm::v1::DUPLICATE_ENTITY_ACCOUNT;
        search.keys = KeysOf(request.account()).keys;
        break;
      case crm::v1::FindDuplicatesRequest::kContact:
        search.subject = crm::v1::DUPLICATE_ENTITY_CONTACT;
        search.keys = KeysOf(request.contact()).keys;
        break;
      case crm::v1::FindDuplicatesRequest::kLead:
        search.subject = crm::v1::DUPLICATE_ENTITY_LEAD;
        search.keys = KeysOf(request.lead()).keys;
        break;
      case crm::v1::FindDuplicatesRequest::SUBJECT_NOT_SET:
        break;
    }
    if (search.among.empty()) search.among.push_back(search.subject);
    absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates = FindCandidates(sql, search);
    if (!candidates.ok()) return candidates.status();
    crm::v1::FindDuplicatesResponse response;
    for (crm::v1::DuplicateCandidate& c : *candidates) *response.add_candidates() = std::move(c);
    return response;
  });
}

absl::StatusOr<DuplicateSettings> DuplicateLogic::GetSettings(const server::CallContext& call,
                                                              const crm::v1::GetDuplicateSettingsRequest&) {
  return db::ReadValue(*rt_.db, call.deadline, [](soci::session& sql) { return DuplicateSettingsStore::Load(sql); });
}

absl::StatusOr<DuplicateSettings> DuplicateLogic::UpdateSettings(const server::CallContext& call,
                                                                 const crm::v1::UpdateDuplicateSettingsRequest& request) {
  if (absl::Status s = Validator().Check(request.has_settings(), "settings", "is required").status(); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.settings(), request.update_mask(), UpdatableSettingsFields());
  if (!paths.ok()) return paths.status();
  Validator checks;
  for (const std::string& path : *paths) {
    const google::protobuf::FieldDescriptor* field = DuplicateSettings::descriptor()->FindFieldByName(path);
    const int action = request.settings().GetReflection()->GetEnumValue(request.settings(), field);
    checks.Check(action != crm::v1::DUPLICATE_ACTION_UNSPECIFIED && crm::v1::DuplicateAction_IsValid(action),
                 absl::StrCat("settings.", path), "must be WARN, REFUSE or OFF");
  }
  if (!checks.ok()) return checks.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<DuplicateSettings> op;
  op.load = [](db::Tx& tx, const std::string&) -> absl::StatusOr<std::optional<DuplicateSettings>> {
    absl::StatusOr<DuplicateSettings> settings = DuplicateSettingsStore::LoadForUpdate(tx);
    if (!settings.ok()) return settings.status();
    return std::optional<DuplicateSettings>(*std::move(settings));
  };
  op.not_found = [] { return absl::InternalError("the duplicate settings row is missing"); };
  op.change = [&](db::Tx&, const DuplicateSettings& before) -> absl::StatusOr<std::optional<DuplicateSettings>> {
    DuplicateSettings after = before;
    ApplyPaths(request.settings(), *paths, &after);
    if (DiffMessages(&before, after, SettingsBookkeeping()).empty()) return std::optional<DuplicateSettings>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<DuplicateSettings>(std::move(after));
  };
  op.store = db::StoreOf(DuplicateSettingsStore::Update);
  op.after_write = [&](db::Tx& tx, const DuplicateSettings& before, const DuplicateSettings& after) {
    return rt_.outbox->AppendChange(tx, "duplicate_settings.updated", kSettingsEntity, kSettingsId,
                                    crm::v1::CHANGE_KIND_UPDATED, DiffMessages(&before, after, SettingsBookkeeping()),
                                    "", call.actor, call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, kSettingsId, request.etag(), "etag", kSettingsEntity, op);
}

}  // namespace crm::duplicates
