// The rules of service metrics by period, tier and agent. No gRPC and no SQL here.
//
// Tickets counted: created in [period_start, period_end] (UTC calendar dates, inclusive; an unset
// bound is open), of the tier and assigned to the agent when those are given. Per row (the
// totals, and one row per group of group_by):
//   - tickets created; tickets resolved (resolve_time set: resolved or closed, not reopened);
//   - first-response / resolution time: wall-clock time from creation to the first public agent
//     reply / to resolution, over the tickets that have one: mean and p90 (nearest rank, below);
//   - compliance per target: met / (met + breached) over the tickets whose target is decided;
//     met = the time is set and the breach flag is clear; breached = the flag is set, or the
//     target is unmet and its due time has passed;
//   - CSAT: mean survey score, and surveys / resolved tickets;
//   - escalations: ticket history entries of kind ESCALATED (manual and automatic).
// Backlog: tickets new, open or pending now, per priority P1..P4, for the tier and agent filters
// (the period does not apply), and how many of them have a breached target (as above).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/servicedesk.pb.h"

namespace crm::servicedesk {

// The p90 of `values` by nearest rank: with the n values sorted ascending (1-based), the value
// at rank ceil(0.9 * n), i.e. the smallest value that at least 90 % of the values do not exceed.
// Zero for no values. Sorts `values`.
absl::Duration NearestRankP90(std::vector<absl::Duration>& values);

class MetricsLogic {
 public:
  explicit MetricsLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::ServiceMetrics> GetServiceMetrics(const server::CallContext& call,
                                                            const crm::v1::GetServiceMetricsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
