// Finding duplicate candidates in the match-key index, and the check a create makes under the
// duplicate settings. Written once for accounts, contacts, leads and lead conversion.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/database.h"
#include "common/db/entity_ops.h"
#include "common/duplicates/candidate_details.h"
#include "common/duplicates/record_keys.h"
#include "crm/v1/duplicate_service.pb.h"

namespace soci {
class session;
}

namespace crm::duplicates {

inline constexpr int kDefaultMaxCandidates = 20;
inline constexpr int kMaxCandidates = 100;

struct CandidateSearch {
  crm::v1::DuplicateEntity subject = crm::v1::DUPLICATE_ENTITY_UNSPECIFIED;
  // The subject's id when it is stored (a record is never its own candidate).
  std::string subject_id;
  std::vector<MatchKey> keys;
  std::vector<crm::v1::DuplicateEntity> among;
  int max_candidates = kDefaultMaxCandidates;
};

// Records sharing one of the subject's keys of a kind ComparedKinds counts, with every key they
// share; more shared keys first, then by kind and id. Reads at most max_candidates + 1 index
// rows per key, so a key thousands of records share costs no more than a rare one.
absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> FindCandidates(soci::session& sql,
                                                                        const CandidateSearch& search);

crm::v1::DuplicateAction ActionFor(const crm::v1::DuplicateSettings& settings, crm::v1::DuplicateEntity entity);

// The check a create of `entity` makes inside its transaction, before it writes: the candidates
// among records of its kind (none when the settings turn the check off). When the settings
// refuse duplicates and the request did not confirm: FAILED_PRECONDITION naming `field` (the
// request's record), with the candidates as error details; nothing is written.
absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> CheckNewRecord(db::Tx& tx, crm::v1::DuplicateEntity entity,
                                                                        const std::vector<MatchKey>& keys,
                                                                        bool confirmed, absl::string_view field);

// The candidates of stored record `id` with `keys` among records of its kind, as a create
// would list them now; none when the settings turn the check off.
absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> CurrentCandidates(soci::session& sql,
                                                                           crm::v1::DuplicateEntity entity,
                                                                           const std::string& id,
                                                                           const std::vector<MatchKey>& keys);

// Soft-deleted: only accounts are kept when deleted; contacts and leads go for good.
inline bool SoftDeleted(const crm::v1::Account& account) { return account.has_delete_time(); }
template <typename T>
bool SoftDeleted(const T&) {
  return false;
}

// `find` for a create's request replay (db::CreateOnce): a retried create answers the record
// with its possible_duplicates as they are now, as the first answer had them then (the first
// answer's list is not stored). A deleted record has none.
template <typename T>
db::FindFn<T> WithCurrentCandidates(crm::v1::DuplicateEntity entity, db::FindFn<T> find) {
  return [entity, find = std::move(find)](soci::session& sql, const std::string& id) -> absl::StatusOr<std::optional<T>> {
    absl::StatusOr<std::optional<T>> found = find(sql, id);
    if (!found.ok() || !found->has_value() || SoftDeleted(**found)) return found;
    absl::StatusOr<std::vector<crm::v1::DuplicateCandidate>> candidates =
        CurrentCandidates(sql, entity, id, KeysOf(**found).keys);
    if (!candidates.ok()) return candidates.status();
    (*found)->mutable_possible_duplicates()->Assign(candidates->begin(), candidates->end());
    return found;
  };
}

}  // namespace crm::duplicates
