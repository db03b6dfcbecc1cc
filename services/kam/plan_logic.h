// The rules of key account plans. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

class PlanLogic {
 public:
  explicit PlanLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::AccountPlan> Create(const server::CallContext& call, const crm::v1::CreateAccountPlanRequest& request);
  absl::StatusOr<crm::v1::AccountPlan> Get(const server::CallContext& call, const crm::v1::GetAccountPlanRequest& request);
  absl::StatusOr<crm::v1::AccountPlan> Update(const server::CallContext& call, const crm::v1::UpdateAccountPlanRequest& request);
  absl::StatusOr<crm::v1::ListAccountPlansResponse> List(const server::CallContext& call, const crm::v1::ListAccountPlansRequest& request);

  // Emits "account_plan.review_due" for every plan whose next review date has come and that has
  // not had its reminder for that date yet (once per plan and date, across processes); returns
  // how many. Called by the module's background job every period.
  absl::StatusOr<int> EmitDueReviews(absl::Time now);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
