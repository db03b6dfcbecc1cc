// The background job that turns each due activity reminder into exactly one
// "activity.reminder_due" event, even when several server processes share the database.
//
// Every job period the job takes the lease "accounts.reminders" (one process works at a time;
// a crashed holder is replaced once the lease expires), then claims due reminders in bounded
// batches. Each claim is one transaction: a conditional UPDATE that sets the sent marker only
// while it is still unset, and the event, written only when that UPDATE changed the row. So a
// second process that slips past the lease (an expired lease, a slow run) finds nothing to claim.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "common/server/runtime.h"

namespace crm::accounts {

class ReminderJob {
 public:
  explicit ReminderJob(const server::Runtime& runtime) : rt_(runtime) {}
  ~ReminderJob();
  ReminderJob(const ReminderJob&) = delete;
  ReminderJob& operator=(const ReminderJob&) = delete;

  // Starts the periodic thread (the first run comes one period after the start).
  void Start();
  // Wakes and joins the thread; a run in progress stops after the reminder it is claiming.
  // Idempotent.
  void Stop();

  // One round, on the caller's thread, at the runtime clock's now: the number of reminder
  // events this call emitted (0 when another process holds the lease).
  absl::StatusOr<int> RunOnce();

 private:
  void Loop();

  const server::Runtime& rt_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_; wakes the sleeping thread
  std::atomic<bool> stop_requested_{false};  // read between claims, without the lock
  std::thread thread_;
};

}  // namespace crm::accounts
