// Reclassification: every live account's ABC class, RFM scores and segment, lifecycle stage,
// dimensions, composite score, churn risk and tier as of an instant, under one scoring model
// version, and the tier changes that follow.
//
//  - One run at a time across processes: the database lease "kam.reclassify", renewed while the
//    run lasts. A second caller gets FAILED_PRECONDITION naming the run in progress.
//  - Phases (streamed as progress): READING the facts (FactsStore), SCORING (the engine and churn
//    risk), WRITING in one transaction: the classifications (replacing the previous run's), the
//    run record, and for each account whose tier changes: a tier-change record (old, new, the
//    reason with the dimensions that moved the score, model version, run id), the account's new
//    tier (its revision moves, so its etag changes) and an "account.updated" event with a "tier"
//    field change — the service desk re-targets the account's open tickets from it.
//  - Overrides: an override in force decides the tier (source OVERRIDE when that changes it). An
//    override that has expired by as_of is removed by the run and the tier falls back to the
//    computed one (source OVERRIDE_EXPIRED when that changes it).
//  - Deterministic: the same data, model version and as_of give the same classifications; a
//    second run at the same as_of changes no tier.
//  - dry_run computes and reports (tier_changes counts what would change) but writes nothing
//    except its run record.
//  - Scheduled: every job period, a process that takes the lease runs a reclassification at now
//    under the model in force when reevaluate_every_days have passed since the last finished run
//    that was not a dry run (0 = never scheduled).
#pragma once

#include <atomic>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

using ProgressSink = std::function<void(const crm::v1::ReclassifyProgress&)>;

class ReclassifyLogic {
 public:
  explicit ReclassifyLogic(const server::Runtime& runtime) : rt_(runtime) {}

  // INVALID_ARGUMENT naming the field for a bad request (checked before the stream starts).
  absl::Status Validate(const crm::v1::ReclassifyRequest& request) const;

  // Runs one reclassification on the caller's thread. `progress` receives READING / SCORING /
  // WRITING updates (not PHASE_DONE: the summary is the result). Stops with CANCELLED, having
  // written nothing, when `cancelled` becomes true before the write phase.
  absl::StatusOr<crm::v1::ReclassifySummary> Run(const server::CallContext& call,
                                                 const crm::v1::ReclassifyRequest& request,
                                                 const ProgressSink& progress,
                                                 const std::atomic<bool>* cancelled = nullptr);

  // The scheduled re-evaluation at the runtime clock's now: the summary of the run it made, or
  // nullopt when none was due (or another process is running one).
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> RunScheduledIfDue();

 private:
  // Run, or, when `only_if_due`, nothing (nullopt) unless the schedule is still due once the
  // lease is held: another process may have finished a run between our look and our lease.
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> RunUnderLease(const server::CallContext& call,
                                                                          const crm::v1::ReclassifyRequest& request,
                                                                          const ProgressSink& progress,
                                                                          const std::atomic<bool>* cancelled,
                                                                          bool only_if_due);

  const server::Runtime& rt_;
};

}  // namespace crm::kam
