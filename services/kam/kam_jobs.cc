#include "services/kam/kam_jobs.h"

#include <algorithm>
#include <cstdio>

namespace crm::kam {

KamJobs::KamJobs(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans)
    : rt_(runtime), reclassify_(reclassify), plans_(plans) {}

KamJobs::~KamJobs() { Stop(); }

void KamJobs::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void KamJobs::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KamJobs::Loop() {
  // Floored so that a zero or negative setting cannot spin the thread.
  const absl::Duration period = std::max(rt_.settings.job_period, absl::Milliseconds(10));
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(period), [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    RunRound();
    lock.lock();
  }
}

void KamJobs::RunRound() {
  // Each job is retried next period after a failure; neither leaves anything half-done.
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> run = reclassify_.RunScheduledIfDue();
  if (!run.ok()) std::fprintf(stderr, "kam: scheduled reclassification failed: %s\n", run.status().ToString().c_str());
  absl::StatusOr<int> reviews = plans_.EmitDueReviews(rt_.clock->Now());
  if (!reviews.ok()) std::fprintf(stderr, "kam: plan review reminders failed: %s\n", reviews.status().ToString().c_str());
}

}  // namespace crm::kam
