#include "services/kam/plan_logic.h"

#include "absl/status/status.h"

namespace crm::kam {

absl::StatusOr<crm::v1::AccountPlan> PlanLogic::Create(const server::CallContext&, const crm::v1::CreateAccountPlanRequest&) {
  return absl::UnimplementedError("CreateAccountPlan is not served yet");
}

absl::StatusOr<crm::v1::AccountPlan> PlanLogic::Get(const server::CallContext&, const crm::v1::GetAccountPlanRequest&) {
  return absl::UnimplementedError("GetAccountPlan is not served yet");
}

absl::StatusOr<crm::v1::AccountPlan> PlanLogic::Update(const server::CallContext&, const crm::v1::UpdateAccountPlanRequest&) {
  return absl::UnimplementedError("UpdateAccountPlan is not served yet");
}

absl::StatusOr<crm::v1::ListAccountPlansResponse> PlanLogic::List(const server::CallContext&, const crm::v1::ListAccountPlansRequest&) {
  return absl::UnimplementedError("ListAccountPlans is not served yet");
}

absl::StatusOr<int> PlanLogic::EmitDueReviews(absl::Time) { return 0; }

}  // namespace crm::kam
