// The rules of key account plans. No gRPC and no SQL here.
//
// - A plan belongs to a live account (NOT_FOUND / FAILED_PRECONDITION naming plan.account_id).
// - objectives: 1..50, each non-empty (trimmed) and at most 500 characters.
// - actions: at most 200; each needs a description; owner, due_date and done are optional. The
//   server assigns action ids. On update an action that keeps its id is the same action; an
//   action without an id is new; an id the plan does not have is INVALID_ARGUMENT.
// - owner defaults to the account's owner (the caller when the account has none); it cannot be
//   cleared.
// - next_review_date: when not given at creation, today (UTC) + the account tier's
//   review_every_days, or none when the tier has no review cadence. An update may clear it.
// - Events "account_plan.created" / "account_plan.updated", and "account_plan.review_due" (a
//   notice for the plan owner) once per plan and review date: EmitDueReviews claims each owed
//   reminder with one conditional UPDATE in the transaction that writes the event, so two
//   processes (or two overlapping rounds) never both send it. Setting or moving the review date
//   owes a reminder for the new date.
// - Lists are in id (creation) order, filtered by account, owner and review_due_by.
#pragma once

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

inline constexpr char kAccountPlanEntity[] = "account_plan";
inline constexpr int kMaxPlanObjectives = 50;
inline constexpr size_t kMaxObjectiveLength = 500;
inline constexpr int kMaxPlanActions = 200;
inline constexpr size_t kMaxActionDescriptionLength = 2000;

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
