// Rules for the analytics area of PipelineService. No gRPC and no SQL here.
//
// GetFunnel reads the funnel aggregates (funnel_aggregates.h), kept up to date in the same
// transaction as every stage change: with at most one of the filter dimensions (owner or team,
// region, industry, source channel, source campaign) one key range of the summed cube per slice
// value; with several, the per-opportunity facts of the opportunities in scope. Both give the
// same figures.
//
// Filter: AnalyticsFilter as analytics_filter.h resolves it, the period on the creation date.
// Every other figure below is over the opportunities in scope only.
//
// Per stage, in the pipeline's stage order (active stages always; a retired stage only when some
// opportunity in scope entered it or is in it):
//  - entered: distinct opportunities with at least one stage-history row into the stage
//    (creation counts as entering the first stage);
//  - current_count / current_amount: opportunities now in the stage; the amount is Σ amount per
//    currency, each currency's sum converted once to the base currency (rounded half away from
//    zero); an amount whose currency has no rate → FAILED_PRECONDITION naming
//    "opportunity.amount.currency_code". Opportunities without an amount count, adding 0;
//  - conversion_to_next (open stages only; 0 for won / lost stages and when none entered): of
//    the opportunities that entered the stage, the share that entered a later stage after their
//    first entry into it. "Later": an open stage placed after it in the pipeline's order, or a
//    won stage; lost stages never count;
//  - average_days_in_stage: mean length in days of the completed visits to the stage (a visit
//    starts at a history row into the stage and ends at the opportunity's next history row,
//    whatever it is: a move, a close or a reopen); 0 when there are none. Visits to won / lost
//    stages that ended with a reopen count for those stages.
// Overall (by the opportunities' current status):
//  - won / lost: opportunities now won / lost; win_rate = won / (won + lost), 0 when none closed;
//  - average_won_amount: Σ won amounts in the base currency (per currency converted as above)
//    ÷ won, rounded half away from zero to micros; 0 when none won;
//  - average_cycle_days: mean close_time − create_time in days over won and lost opportunities
//    (a reopened opportunity counts only once closed again, with its latest close);
//  - velocity_per_day = open opportunities × average_won_amount × win_rate ÷ average_cycle_days,
//    rounded to micros; 0 when undefined (nothing won, or an average cycle of 0).
// All amounts are in base_currency (the sales settings).
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

class AnalyticsLogic {
 public:
  explicit AnalyticsLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Funnel> Funnel(const server::CallContext& call, const crm::v1::GetFunnelRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
