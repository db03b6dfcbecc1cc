#include "clients/gateway/duplicate_client.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"

namespace crm::client {

std::vector<v1::DuplicateCandidate> DuplicateCandidatesOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload =
      status.GetPayload("type.googleapis.com/crm.v1.DuplicateCandidates");
  v1::DuplicateCandidates details;
  if (!payload.has_value() || !details.ParseFromString(std::string(*payload))) return {};
  return {details.candidates().begin(), details.candidates().end()};
}

}  // namespace crm::client
