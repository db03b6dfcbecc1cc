// The rules of churn risk and lifetime value. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

class RiskLogic {
 public:
  explicit RiskLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::ChurnRisk> GetChurnRisk(const server::CallContext& call, const crm::v1::GetChurnRiskRequest& request);
  absl::StatusOr<crm::v1::ListAccountsAtRiskResponse> ListAccountsAtRisk(const server::CallContext& call, const crm::v1::ListAccountsAtRiskRequest& request);
  absl::StatusOr<crm::v1::LifetimeValue> GetLifetimeValue(const server::CallContext& call, const crm::v1::GetLifetimeValueRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
