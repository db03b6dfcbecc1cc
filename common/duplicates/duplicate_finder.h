// Finding duplicate candidates in the match-key index, and the check a create makes under the
// duplicate settings. Written once for accounts, contacts, leads and lead conversion.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/database.h"
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

}  // namespace crm::duplicates
