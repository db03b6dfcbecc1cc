#include "common/duplicates/candidate_details.h"

#include <string>

#include "absl/strings/cord.h"

namespace crm::duplicates {

void AttachCandidates(const std::vector<crm::v1::DuplicateCandidate>& candidates, absl::Status& status) {
  crm::v1::DuplicateCandidates details;
  for (const crm::v1::DuplicateCandidate& c : candidates) *details.add_candidates() = c;
  status.SetPayload(kDuplicateCandidatesTypeUrl, absl::Cord(details.SerializeAsString()));
}

std::vector<crm::v1::DuplicateCandidate> CandidatesOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kDuplicateCandidatesTypeUrl);
  crm::v1::DuplicateCandidates details;
  if (!payload.has_value() || !details.ParseFromString(std::string(*payload))) return {};
  return {details.candidates().begin(), details.candidates().end()};
}

}  // namespace crm::duplicates
