// SQL for business calendars and SLA policies: every statement named once here, rows mapped once
// (soci::type_conversion in sla_store.cc). Also implements sla_resolution.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/servicedesk.pb.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

class CalendarStore {
 public:
  // nullopt when no calendar has this id.
  static absl::StatusOr<std::optional<crm::v1::BusinessCalendar>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::BusinessCalendar>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1.
  static absl::Status Insert(db::Tx& tx, const crm::v1::BusinessCalendar& calendar);
  // Writes name, zone, hours, holidays and update time and bumps the revision, only if the stored
  // revision is still `expected_revision`. False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::BusinessCalendar& calendar, int64_t expected_revision);
  // In id order after `after_id` ("" = from the start), at most `limit`.
  static absl::StatusOr<std::vector<crm::v1::BusinessCalendar>> List(soci::session& sql, const std::string& after_id,
                                                                     int limit);
};

// A policy's position in precedence order.
struct PolicyPosition {
  int64_t precedence = 0;
  std::string id;
};

class SlaPolicyStore {
 public:
  // A live (not deleted) policy; nullopt otherwise.
  static absl::StatusOr<std::optional<crm::v1::SlaPolicy>> FindLive(soci::session& sql, const std::string& id);
  // Like FindLive, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::SlaPolicy>> FindLiveForUpdate(db::Tx& tx, const std::string& id);
  // Any policy, deleted ones included.
  static absl::StatusOr<std::optional<crm::v1::SlaPolicy>> FindAny(soci::session& sql, const std::string& id);
  // Inserts with revision 1.
  static absl::Status Insert(db::Tx& tx, const crm::v1::SlaPolicy& policy);
  // Writes every mutable column and bumps the revision, only if the stored revision is still
  // `expected_revision` and the policy is live. False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::SlaPolicy& policy, int64_t expected_revision);
  // Marks the policy deleted at `now` (bumping the revision) under the same condition as Update.
  static absl::StatusOr<bool> SoftDelete(db::Tx& tx, const std::string& id, absl::Time now, int64_t expected_revision);
  // Live policies in (precedence, id) order after `after` (nullopt = from the start), at most
  // `limit`.
  static absl::StatusOr<std::vector<crm::v1::SlaPolicy>> ListLive(soci::session& sql,
                                                                  const std::optional<PolicyPosition>& after,
                                                                  int limit);
};

}  // namespace crm::servicedesk
