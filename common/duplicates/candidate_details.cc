#include "common/duplicates/candidate_details.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"

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

absl::Status MergedAway(absl::string_view field, absl::string_view entity_name, const crm::v1::MergedInto& merged) {
  absl::Status status = NotFoundField(field, absl::StrCat(entity_name, " \"", merged.id(), "\" was merged into \"",
                                                          merged.survivor_id(), "\" (merge ", merged.merge_id(), ")"));
  status.SetPayload(kMergedIntoTypeUrl, absl::Cord(merged.SerializeAsString()));
  return status;
}

std::optional<crm::v1::MergedInto> MergedIntoOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kMergedIntoTypeUrl);
  crm::v1::MergedInto merged;
  if (!payload.has_value() || !merged.ParseFromString(std::string(*payload))) return std::nullopt;
  return merged;
}

}  // namespace crm::duplicates
