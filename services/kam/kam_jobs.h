// Key-account management's background work, every job period: the scheduled re-evaluation
// (ReclassifyLogic::RunScheduledIfDue, once across processes by its lease) and the account plan
// review reminders (PlanLogic::EmitDueReviews).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/server/runtime.h"
#include "services/kam/plan_logic.h"
#include "services/kam/reclassify_logic.h"

namespace crm::kam {

class KamJobs {
 public:
  KamJobs(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans);
  ~KamJobs();
  KamJobs(const KamJobs&) = delete;
  KamJobs& operator=(const KamJobs&) = delete;

  // The first round comes one period after the start.
  void Start();
  // Waits for a round in progress. Idempotent.
  void Stop();

 private:
  void Loop();
  void RunRound();

  const server::Runtime& rt_;
  ReclassifyLogic& reclassify_;
  PlanLogic& plans_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace crm::kam
