// The rules of dashboard summaries. No gRPC and no SQL here.
//
// GetTierSummary reads everything in one consistent read:
//  - model_version and as_of: the last reclassification that finished and was not a dry run
//    (unset as_of and version 0 when there has been none; the figures are then empty).
//  - tiers / abc: the classifications that run wrote (kam_classifications): accounts per tier
//    (every tier of the contract, highest first, zero counts included) and per ABC class (A, B,
//    C), each with its share of the total window revenue of all classified accounts (0 when the
//    total is 0). Accounts deleted since the run still count: the figures describe that run.
//  - pareto: accounts by window revenue, largest first; a point after the first c_k accounts for
//    c_k = floor(k × n / 100), k = 0..100, repeated counts dropped, so at most 101 points from
//    (0, 0) to (1, 1): account_share = c_k / n, revenue_share = revenue of those accounts / total.
//    No classified account: no points; total revenue 0: just (0, 0) and (1, 1). The database
//    sorts the revenues (ORDER BY revenue_micros DESC: O(n log n) in the database) and the server
//    streams them in batches of 10,000 keeping a running sum, so memory does not grow with n; a
//    1,000,000-account summary costs one sort and a scan of 1,000,000 integers.
//  - periods: calendar months (granularity unset or MONTH) or quarters (QUARTER), UTC; every
//    period that overlaps [period_start, period_end] is reported whole. Defaults: period_end =
//    today (runtime clock), period_start = the start of the period 11 months (3 quarters) before
//    period_end's, i.e. the last 12 months. period_end before period_start, or more than
//    kMaxSummaryPeriods periods: INVALID_ARGUMENT naming the field.
//    - upgrades / downgrades: tier changes (any source: reclassification, override, expiry)
//      whose change_time falls in the period: to a higher tier (STRATEGIC = 1 is the highest, so
//      new < old) is an upgrade, to a lower one a downgrade. A change from UNSPECIFIED (an
//      account's first tier) or to it is neither: it is no move along the tier ladder.
//    - churn_rate: with W = the model's window_days (the churn window) and a period [s, e) of
//      days (e capped at tomorrow for the running period): active = accounts with an order (not
//      cancelled) on a day in [s - W, s); churned = active accounts with no order in [e - W, e),
//      i.e. whose last order fell out of the churn window during the period. churn_rate =
//      churned / active (0 with none active; 0 for periods starting after today). One grouped
//      aggregate query over the orders of all periods.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

inline constexpr int kMaxSummaryPeriods = 120;

class SummaryLogic {
 public:
  explicit SummaryLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::TierSummary> GetTierSummary(const server::CallContext& call, const crm::v1::GetTierSummaryRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
