// The audit trail: who changed what, through which method, and when. Every change that appends an
// event (common/events/outbox.h) is audited by the outbox in the same transaction, so an audit
// record exists exactly when its change committed; changes without an event of their own (users,
// access tokens, tier overrides, reclassification runs) record themselves through RecordAudit.
//
// Who acted and through which method come from the thread's current call
// (common/core/current_call.h); a change without one is the server's own (background jobs), recorded
// with an empty method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/core/field_mask.h"
#include "common/db/database.h"
#include "crm/v1/admin.pb.h"
#include "crm/v1/event.pb.h"

namespace crm::audit {

// One changed record.
struct AuditEntry {
  std::string entity;
  std::string entity_id;
  crm::v1::ChangeKind change = crm::v1::CHANGE_KIND_UNSPECIFIED;
  std::vector<std::string> changed_fields;
  // The request's request_id, else the call's correlation id.
  std::string request_id;
  // Who made the change; the current call's actor (else "system") when empty.
  std::string actor;
  absl::Time time;
};

// The entry an event's change stands for.
AuditEntry EntryForEvent(const crm::v1::Event& event);

// Writes `entry` inside `tx`, stamped with the current call's method and correlation id.
absl::Status RecordAudit(db::Tx& tx, const AuditEntry& entry);

// The field paths of `deltas`, for AuditEntry::changed_fields.
std::vector<std::string> ChangedFieldNames(const std::vector<FieldDelta>& deltas);

// RecordAudit for a change without an event: `fields` of `entity` `entity_id` changed at `time`
// by `actor` (the current call's when empty).
absl::Status RecordChange(db::Tx& tx, std::string entity, std::string entity_id, crm::v1::ChangeKind change,
                          std::vector<std::string> fields, absl::Time time, std::string actor = "");

// A filtered page of the trail, newest first. Unset fields do not filter.
struct AuditQuery {
  std::string actor;
  std::string method;
  std::string entity;
  std::string entity_id;
  std::string request_id;
  std::optional<int64_t> from_micros;   // inclusive
  std::optional<int64_t> until_micros;  // exclusive
  // Keyset position: records strictly older than (before_micros, before_id).
  std::optional<int64_t> before_micros;
  std::string before_id;
  int limit = 100;
};
absl::StatusOr<std::vector<crm::v1::AuditRecord>> ListAuditRecords(soci::session& sql, const AuditQuery& query);

}  // namespace crm::audit
