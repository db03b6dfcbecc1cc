#include "services/kam/risk_logic.h"

#include "absl/status/status.h"

namespace crm::kam {

absl::StatusOr<crm::v1::ChurnRisk> RiskLogic::GetChurnRisk(const server::CallContext&, const crm::v1::GetChurnRiskRequest&) {
  return absl::UnimplementedError("GetChurnRisk is not served yet");
}

absl::StatusOr<crm::v1::ListAccountsAtRiskResponse> RiskLogic::ListAccountsAtRisk(const server::CallContext&, const crm::v1::ListAccountsAtRiskRequest&) {
  return absl::UnimplementedError("ListAccountsAtRisk is not served yet");
}

absl::StatusOr<crm::v1::LifetimeValue> RiskLogic::GetLifetimeValue(const server::CallContext&, const crm::v1::GetLifetimeValueRequest&) {
  return absl::UnimplementedError("GetLifetimeValue is not served yet");
}

}  // namespace crm::kam
