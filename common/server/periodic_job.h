// A background thread that runs one round of a job every period until stopped: the loop the
// services' jobs (activity reminders, the escalation sweep, KAM's scheduled work) share.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace crm::server {

class PeriodicJob {
 public:
  // `round` runs on the job's thread, the first time one period after Start. The period is
  // floored at 10 ms so that a zero or negative setting cannot spin the thread.
  PeriodicJob(absl::Duration period, std::function<void()> round);
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  // Starts the thread; nothing when it runs already.
  void Start();
  // Wakes the thread and joins it after the round in progress, if any. Idempotent.
  void Stop();
  // True from Stop until the next Start: a long round checks it between steps and returns early.
  bool stop_requested() const { return stop_requested_.load(); }

  absl::Duration period() const { return period_; }

 private:
  void Loop();

  const absl::Duration period_;
  const std::function<void()> round_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_; wakes the sleeping thread
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace crm::server
