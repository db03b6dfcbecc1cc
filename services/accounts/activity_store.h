// SQL for activities (the schedule) and for the reminder job's claim on a due reminder: every
// statement named once here, rows mapped once (soci::type_conversion in activity_store.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/account.pb.h"

namespace soci {
class session;
}

namespace crm::accounts {

// Ordered by due_time, then id. Every set filter narrows the result (AND).
struct ActivityListQuery {
  std::string account_id;
  std::string assignee;
  crm::v1::ActivityStatus status = crm::v1::ACTIVITY_STATUS_UNSPECIFIED;
  // Half-open range [due_after_micros, due_before_micros) on due_time.
  std::optional<int64_t> due_after_micros;
  std::optional<int64_t> due_before_micros;
  // Keyset position: rows strictly after (after_due_micros, after_id).
  std::optional<int64_t> after_due_micros;
  std::string after_id;
  int limit = 50;
};

class ActivityStore {
 public:
  // nullopt when no activity has this id.
  static absl::StatusOr<std::optional<crm::v1::Activity>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Activity>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Activity& activity);
  // Writes every mutable column (status and reminder marker included) and bumps the revision,
  // only if the stored revision is still `expected_revision`. False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Activity& activity, int64_t expected_revision);
  static absl::StatusOr<std::vector<crm::v1::Activity>> List(soci::session& sql, const ActivityListQuery& query);

  // Ids of up to `limit` planned activities whose reminder time is at or before `now` and whose
  // reminder has not been sent, earliest reminder first.
  static absl::StatusOr<std::vector<std::string>> DueReminders(soci::session& sql, absl::Time now, int limit);
  // Claims one due reminder: sets reminder_sent_time = now and bumps the revision, only while the
  // activity is still planned, due at `now` and unsent. True when this call made the claim; false
  // when someone else already did or the activity changed meanwhile.
  static absl::StatusOr<bool> MarkReminderSent(db::Tx& tx, const std::string& id, absl::Time now);
};

}  // namespace crm::accounts
