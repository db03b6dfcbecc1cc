// Key-account management's background work, every job period: the scheduled re-evaluation
// (ReclassifyLogic::RunScheduledIfDue, once across processes by its lease) and the account plan
// review reminders (PlanLogic::EmitDueReviews).
#pragma once

#include "common/server/periodic_job.h"
#include "common/server/runtime.h"
#include "services/kam/plan_logic.h"
#include "services/kam/reclassify_logic.h"

namespace crm::kam {

class KamJobs {
 public:
  KamJobs(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans);
  KamJobs(const KamJobs&) = delete;
  KamJobs& operator=(const KamJobs&) = delete;

  // The first round comes one period after the start.
  void Start() { job_.Start(); }
  // Waits for a round in progress. Idempotent.
  void Stop() { job_.Stop(); }

 private:
  void RunRound();

  const server::Runtime& rt_;
  ReclassifyLogic& reclassify_;
  PlanLogic& plans_;
  server::PeriodicJob job_;
};

}  // namespace crm::kam
