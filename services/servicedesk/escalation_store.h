// SQL of the escalation area: which tickets the sweep has work on, which tickets follow an
// account's tier, and the sweep's silent reschedule. Whole ticket rows are read and written
// through TicketStore (one row mapping).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

// A ticket the escalation sweep has work on, and its place in the sweep's order.
struct DueTicket {
  std::string id;
  absl::Time next_escalation_time;
};

class EscalationStore {
 public:
  // Open tickets (new, open, pending) whose next_escalation_time is at or before `now`, in
  // (next_escalation_time, id) order strictly after `after` (nullopt: from the start), at most
  // `limit`.
  static absl::StatusOr<std::vector<DueTicket>> DueTickets(soci::session& sql, absl::Time now,
                                                           const std::optional<DueTicket>& after, int limit);

  // Ids of the account's open tickets (new, open, pending) greater than `after_id`, in id order,
  // at most `limit`.
  static absl::StatusOr<std::vector<std::string>> OpenTicketsOfAccount(soci::session& sql,
                                                                       const std::string& account_id,
                                                                       const std::string& after_id, int limit);

  // Stores a recomputed next_escalation_time, only while the ticket is at `expected_revision`.
  // No new revision: nothing a client sees has changed. False when the revision moved on.
  static absl::StatusOr<bool> Reschedule(db::Tx& tx, const std::string& id,
                                         const std::optional<absl::Time>& next_escalation_time,
                                         int64_t expected_revision);
};

}  // namespace crm::servicedesk
