// The rules of churn risk and lifetime value. No gRPC and no SQL here.
//
// GetChurnRisk: AssessChurnRisk (risk.h) of the account's facts read live as of the runtime
//   clock's now under the scoring model in force. NOT_FOUND naming account_id for an unknown or
//   deleted account.
//
// ListAccountsAtRisk: the accounts the last reclassification scored at min_score or more
//   (min_score 0 means the default 50; to list every account ask for a tiny positive score),
//   optionally of one tier (the classification's tier) and one owner (the account's manager now),
//   highest risk first, ties by account id; keyset-paged on (score, account id), so a page token
//   stays valid while the next run has not replaced the classifications. Deleted accounts are
//   left out. Each entry's score and as_of are the stored classification's, so the list order
//   and the numbers agree with each other. A dashboard user wants to see *why* an account is at
//   risk, and the stored row keeps only the score, so the factors of the page's accounts are
//   recomputed: facts read now for the classification's as_of under the classification's model
//   version (a handful of indexed queries per account; a page is at most 1,000 accounts). They
//   add up to the stored score unless orders, payments, tickets or surveys of the account changed
//   since the run; the next reclassification brings the score up to date.
//
// GetLifetimeValue, as of now under the model in force, money in the sales base currency:
//   average_order_value     = lifetime revenue / lifetime orders (every order not cancelled),
//                             rounded half away from zero to whole micros;
//   purchases_per_year      = orders in the model's window × 365 / window_days;
//   expected_lifetime_years = the model's lifetime_value.default_lifetime_years (there is no
//                             per-account churn history to derive a lifetime from);
//   margin                  = the model's lifetime_value.margin;
//   value                   = average_order_value × purchases_per_year × expected_lifetime_years
//                             × margin, rounded to whole micros.
//   An account with no orders (or none in the window) has value 0. NOT_FOUND naming account_id.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

inline constexpr double kDefaultMinChurnRisk = 50;

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
