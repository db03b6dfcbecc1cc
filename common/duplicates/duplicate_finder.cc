#include "common/duplicates/duplicate_finder.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/core/errors.h"
#include "common/duplicates/duplicate_store.h"

namespace crm::duplicates {

using crm::v1::DuplicateCandidate;
using crm::v1::DuplicateEntity;

absl::StatusOr<std::vector<DuplicateCandidate>> FindCandidates(soci::session& sql, const CandidateSearch& search) {
  // By (kind, id): one candidate per record, however many keys it shares.
  std::map<std::pair<int, std::string>, DuplicateCandidate> found;
  for (DuplicateEntity among : search.among) {
    const std::vector<KeyKind> kinds = ComparedKinds(search.subject, among);
    for (const MatchKey& key : search.keys) {
      if (!absl::c_linear_search(kinds, key.kind)) continue;
      absl::StatusOr<std::vector<KeyHit>> hits = DuplicateIndex::Lookup(sql, key, among, search.max_candidates + 1);
      if (!hits.ok()) return hits.status();
      for (KeyHit& hit : *hits) {
        if (hit.entity == search.subject && hit.id == search.subject_id) continue;
        DuplicateCandidate& candidate = found[{hit.entity, hit.id}];
        if (candidate.id().empty()) {
          candidate.set_entity(hit.entity);
          candidate.set_id(hit.id);
          candidate.set_display_name(std::move(hit.display_name));
        }
        *candidate.add_matches() = MatchOf(hit.key);
      }
    }
  }
  std::vector<DuplicateCandidate> candidates;
  candidates.reserve(found.size());
  for (auto& [unused, candidate] : found) candidates.push_back(std::move(candidate));
  std::stable_sort(candidates.begin(), candidates.end(), [](const DuplicateCandidate& a, const DuplicateCandidate& b) {
    return a.matches_size() > b.matches_size();
  });
  if (candidates.size() > static_cast<size_t>(search.max_candidates)) candidates.resize(search.max_candidates);
  return candidates;
}

crm::v1::DuplicateAction ActionFor(const crm::v1::DuplicateSettings& settings, DuplicateEntity entity) {
  switch (entity) {
    case crm::v1::DUPLICATE_ENTITY_ACCOUNT: return settings.accounts();
    case crm::v1::DUPLICATE_ENTITY_CONTACT: return settings.contacts();
    case crm::v1::DUPLICATE_ENTITY_LEAD: return settings.leads();
    default: return crm::v1::DUPLICATE_ACTION_OFF;
  }
}

namespace {

// The search a create's check makes: records of the subject's own kind.
CandidateSearch AmongItsKind(DuplicateEntity entity, const std::string& id, const std::vector<MatchKey>& keys) {
  CandidateSearch search;
  search.subject = entity;
  search.subject_id = id;
  search.keys = keys;
  search.among = {entity};
  return search;
}

// What a check of a record with `keys` does under the current settings. A record without keys
// matches nothing, so then the settings are not read at all: OFF.
absl::StatusOr<crm::v1::DuplicateAction> CheckingAction(soci::session& sql, DuplicateEntity entity,
                                                        const std::vector<MatchKey>& keys) {
  if (keys.empty()) return crm::v1::DUPLICATE_ACTION_OFF;
  absl::StatusOr<crm::v1::DuplicateSettings> settings = DuplicateSettingsStore::Load(sql);
  if (!settings.ok()) return settings.status();
  return ActionFor(*settings, entity);
}

}  // namespace

absl::StatusOr<std::vector<DuplicateCandidate>> CurrentCandidates(soci::session& sql, DuplicateEntity entity,
                                                                  const std::string& id,
                                                                  const std::vector<MatchKey>& keys) {
  absl::StatusOr<crm::v1::DuplicateAction> action = CheckingAction(sql, entity, keys);
  if (!action.ok()) return action.status();
  if (*action == crm::v1::DUPLICATE_ACTION_OFF) return std::vector<DuplicateCandidate>();
  return FindCandidates(sql, AmongItsKind(entity, id, keys));
}

absl::StatusOr<std::vector<DuplicateCandidate>> CheckNewRecord(db::Tx& tx, DuplicateEntity entity,
                                                               const std::vector<MatchKey>& keys, bool confirmed,
                                                               absl::string_view field) {
  absl::StatusOr<crm::v1::DuplicateAction> checking = CheckingAction(tx.session(), entity, keys);
  if (!checking.ok()) return checking.status();
  const crm::v1::DuplicateAction action = *checking;
  if (action == crm::v1::DUPLICATE_ACTION_OFF) return std::vector<DuplicateCandidate>();
  // Without it, two racing creates of one duplicate would each miss the other.
  if (absl::Status locked = DuplicateIndex::LockKeys(tx, entity, keys); !locked.ok()) return locked;
  absl::StatusOr<std::vector<DuplicateCandidate>> candidates =
      FindCandidates(tx.session(), AmongItsKind(entity, /*id=*/"", keys));
  if (!candidates.ok() || candidates->empty() || action != crm::v1::DUPLICATE_ACTION_REFUSE || confirmed) {
    return candidates;
  }
  std::vector<std::string> names;
  for (const DuplicateCandidate& c : *candidates) names.push_back(absl::StrCat("\"", c.display_name(), "\" (", c.id(), ")"));
  absl::Status refused = FailedPreconditionField(
      field, absl::StrCat("matches ", candidates->size(), " existing ", EntityName(entity),
                          candidates->size() == 1 ? "" : "s", ": ", absl::StrJoin(names, ", "),
                          "; set confirm_duplicate to create it anyway"));
  AttachCandidates(*candidates, refused);
  return refused;
}

}  // namespace crm::duplicates
