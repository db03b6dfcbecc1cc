// The error details of duplicate management, written by the server and read by callers (the
// gateway client, crmctl): the duplicate candidates a refused create carries, and where a merged
// record went. In crm_core, so that the client library reads them without the database layer.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "crm/v1/duplicate.pb.h"

namespace crm::duplicates {

// The type URL of the crm.v1.DuplicateCandidates detail.
inline constexpr absl::string_view kDuplicateCandidatesTypeUrl = "type.googleapis.com/crm.v1.DuplicateCandidates";

// `status` carrying `candidates` as its detail.
void AttachCandidates(const std::vector<crm::v1::DuplicateCandidate>& candidates, absl::Status& status);

// The candidates a refused create's status carries (empty for any other status).
std::vector<crm::v1::DuplicateCandidate> CandidatesOf(const absl::Status& status);

// The type URL of the crm.v1.MergedInto detail.
inline constexpr absl::string_view kMergedIntoTypeUrl = "type.googleapis.com/crm.v1.MergedInto";

// NOT_FOUND naming `field` for a record merged away, saying where it went, with the detail.
absl::Status MergedAway(absl::string_view field, absl::string_view entity_name, const crm::v1::MergedInto& merged);

// Where the record a status names went (a MergedAway status); nullopt for any other status.
std::optional<crm::v1::MergedInto> MergedIntoOf(const absl::Status& status);

}  // namespace crm::duplicates
