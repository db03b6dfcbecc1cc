#include "services/accounts/reminder_job.h"

#include <soci/soci.h>

#include <algorithm>
#include <cstdio>

#include "common/core/field_mask.h"
#include "common/db/shared_state.h"
#include "services/accounts/activity_store.h"

namespace crm::accounts {
namespace {

constexpr char kLease[] = "accounts.reminders";
constexpr char kActor[] = "system";
// A run claims at most kBatchSize * kMaxBatches reminders; the rest wait for the next period,
// so one run never holds the job for long after a large backlog.
constexpr int kBatchSize = 100;
constexpr int kMaxBatches = 10;
// The lease outlives a few missed periods before another process may take over.
constexpr int kLeasePeriods = 3;
// Upper bound on waiting for the database in one run (real time, not the business clock).
constexpr absl::Duration kRunBudget = absl::Seconds(30);

}  // namespace

ReminderJob::ReminderJob(const server::Runtime& runtime)
    : rt_(runtime), job_(runtime.settings.job_period, [this] {
        absl::StatusOr<int> sent = RunOnce();
        // A failed run is retried next period; nothing was half-done (each claim is one transaction).
        if (!sent.ok()) std::fprintf(stderr, "reminders: run failed: %s\n", sent.status().ToString().c_str());
      }) {}

absl::StatusOr<int> ReminderJob::RunOnce() {
  const absl::Time now = rt_.clock->Now();
  const absl::Time deadline = absl::Now() + kRunBudget;
  absl::StatusOr<bool> held =
      db::TryAcquireLease(*rt_.db, kLease, rt_.instance_id, now, kLeasePeriods * job_.period());
  if (!held.ok()) return held.status();
  if (!*held) return 0;

  int emitted = 0;
  for (int batch = 0; batch < kMaxBatches; ++batch) {
    std::vector<std::string> due;
    absl::Status read = rt_.db->Read(
        [&](soci::session& sql) -> absl::Status {
          absl::StatusOr<std::vector<std::string>> ids = ActivityStore::DueReminders(sql, now, kBatchSize);
          if (!ids.ok()) return ids.status();
          due = *std::move(ids);
          return absl::OkStatus();
        },
        deadline);
    if (!read.ok()) return read;

    for (const std::string& id : due) {
      if (job_.stop_requested()) return emitted;
      bool claimed = false;
      absl::Status status = rt_.db->Write(
          [&](db::Tx& tx) -> absl::Status {
            claimed = false;  // the transaction may run more than once
            absl::StatusOr<bool> marked = ActivityStore::MarkReminderSent(tx, id, now);
            if (!marked.ok()) return marked.status();
            if (!*marked) return absl::OkStatus();  // someone else sent it, or it changed meanwhile
            absl::StatusOr<std::optional<crm::v1::Activity>> activity = ActivityStore::Find(tx.session(), id);
            if (!activity.ok()) return activity.status();
            if (!activity->has_value()) return absl::InternalError("claimed activity vanished");
            const crm::v1::Activity& after = **activity;
            crm::v1::Activity before = after;
            before.clear_reminder_sent_time();
            claimed = true;
            return rt_.outbox->AppendChange(tx, "activity.reminder_due", "activity", id, crm::v1::CHANGE_KIND_NOTICE,
                                            DiffMessages(&before, after, BookkeepingFields()), after.assignee(), kActor,
                                            "", now);
          },
          deadline);
      if (!status.ok()) return status;
      if (claimed) ++emitted;
    }
    if (static_cast<int>(due.size()) < kBatchSize) break;
  }
  return emitted;
}

}  // namespace crm::accounts
