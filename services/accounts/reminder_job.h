// The background job that turns each due activity reminder into exactly one
// "activity.reminder_due" event, even when several server processes share the database.
//
// Every job period the job takes the lease "accounts.reminders" (one process works at a time;
// a crashed holder is replaced once the lease expires), then claims due reminders in bounded
// batches. Each claim is one transaction: a conditional UPDATE that sets the sent marker only
// while it is still unset, and the event, written only when that UPDATE changed the row. So a
// second process that slips past the lease (an expired lease, a slow run) finds nothing to claim.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/periodic_job.h"
#include "common/server/runtime.h"

namespace crm::accounts {

class ReminderJob {
 public:
  explicit ReminderJob(const server::Runtime& runtime);
  ReminderJob(const ReminderJob&) = delete;
  ReminderJob& operator=(const ReminderJob&) = delete;

  // Starts the periodic thread (the first run comes one period after the start).
  void Start() { job_.Start(); }
  // Wakes and joins the thread; a run in progress stops after the reminder it is claiming.
  // Idempotent.
  void Stop() { job_.Stop(); }

  // One round, on the caller's thread, at the runtime clock's now: the number of reminder
  // events this call emitted (0 when another process holds the lease).
  absl::StatusOr<int> RunOnce();

 private:
  const server::Runtime& rt_;
  server::PeriodicJob job_;
};

}  // namespace crm::accounts
