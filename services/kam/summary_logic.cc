#include "services/kam/summary_logic.h"

#include "absl/status/status.h"

namespace crm::kam {

absl::StatusOr<crm::v1::TierSummary> SummaryLogic::GetTierSummary(const server::CallContext&, const crm::v1::GetTierSummaryRequest&) {
  return absl::UnimplementedError("GetTierSummary is not served yet");
}

}  // namespace crm::kam
