#include "common/server/periodic_job.h"

#include <algorithm>
#include <utility>

namespace crm::server {

PeriodicJob::PeriodicJob(absl::Duration period, std::function<void()> round)
    : period_(std::max(period, absl::Milliseconds(10))), round_(std::move(round)) {}

PeriodicJob::~PeriodicJob() { Stop(); }

void PeriodicJob::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  stop_requested_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicJob::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    stop_requested_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicJob::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(period_), [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    round_();
    lock.lock();
  }
}

}  // namespace crm::server
