// The transactional outbox: every mutation appends its event inside its own transaction, so an
// event exists exactly when its change committed. Each event is audited in the same transaction
// (common/audit/audit_log.h), and a change to an owned record (account, lead, opportunity) by a
// caller whose owner scope does not cover it is refused there, rolling the transaction back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/field_mask.h"
#include "common/db/database.h"
#include "common/events/event_hub.h"
#include "crm/v1/event.pb.h"

namespace crm::events {

class Outbox {
 public:
  explicit Outbox(EventHub* hub) : hub_(hub) {}

  // Assigns the next sequence to `event` (its sequence field is set on return), stores it, and
  // wakes subscribers after commit. `event.time` must be set by the caller (its clock).
  // PERMISSION_DENIED when the current call may not change the record (see CheckOwnership).
  absl::Status Append(db::Tx& tx, crm::v1::Event& event);

  // Appends many events in order with consecutive sequences: one counter update and multi-row
  // inserts instead of three statements per event, for a writer of thousands of events in one
  // transaction (reclassification). Sequences are set on return. Neither audited nor checked for
  // ownership per event: the caller audits the run as a whole.
  absl::Status AppendBatch(db::Tx& tx, std::vector<crm::v1::Event>& events);

  // Convenience: an entity change with field deltas.
  absl::Status AppendChange(db::Tx& tx, const std::string& type, const std::string& entity,
                            const std::string& entity_id, crm::v1::ChangeKind change,
                            const std::vector<FieldDelta>& deltas, const std::string& user,
                            const std::string& actor, const std::string& request_id, absl::Time time);

  // The event AppendChange stores, for writers that collect changes for AppendBatch.
  static crm::v1::Event MakeChange(const std::string& type, const std::string& entity, const std::string& entity_id,
                                   crm::v1::ChangeKind change, const std::vector<FieldDelta>& deltas,
                                   const std::string& user, const std::string& actor, const std::string& request_id,
                                   absl::Time time);

 private:
  EventHub* hub_;
};

// Reads stored events: the sequence range (after, up_to], optionally filtered, in order.
struct EventQuery {
  int64_t after = 0;
  int64_t up_to = INT64_MAX;
  std::vector<std::string> types;  // exact names or prefixes ending in '.'
  // Only events concerning one of these users (Event.user); nullopt: every user's.
  std::optional<std::vector<std::string>> users;
  int limit = 500;
};
struct EventPage {
  std::vector<crm::v1::Event> events;
  // Highest sequence examined (matching or not); resume after it.
  int64_t last_scanned = 0;
  // True when the limit was reached: more rows may follow right away.
  bool more = false;
};
absl::StatusOr<EventPage> ReadEvents(db::Database& db, const EventQuery& query,
                                                       absl::Time deadline = absl::InfiniteFuture());
// The same read on a session the caller already holds, e.g. inside a write transaction so that
// what it does with the events commits together with its record of having read them.
absl::StatusOr<EventPage> ReadEvents(soci::session& sql, const EventQuery& query);

// True when `type` matches one of `filters` (exact, or prefix ending in '.'); empty matches all.
bool TypeMatches(const std::string& type, const std::vector<std::string>& filters);

}  // namespace crm::events
