// The duplicate candidates a refused create carries as an error detail: written by the server's
// create-time check, read by callers (the gateway client, crmctl). In crm_core, so that the
// client library reads them without the database layer.
#pragma once

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

}  // namespace crm::duplicates
