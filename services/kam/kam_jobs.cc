#include "services/kam/kam_jobs.h"

#include <algorithm>
#include <cstdio>

namespace crm::kam {

KamJobs::KamJobs(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans)
    : rt_(runtime), reclassify_(reclassify), plans_(plans), job_(runtime.settings.job_period, [this] { RunRound(); }) {}

void KamJobs::RunRound() {
  // Each job is retried next period after a failure; neither leaves anything half-done.
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> run = reclassify_.RunScheduledIfDue();
  if (!run.ok()) std::fprintf(stderr, "kam: scheduled reclassification failed: %s\n", run.status().ToString().c_str());
  absl::StatusOr<int> reviews = plans_.EmitDueReviews(rt_.clock->Now());
  if (!reviews.ok()) std::fprintf(stderr, "kam: plan review reminders failed: %s\n", reviews.status().ToString().c_str());
}

}  // namespace crm::kam
