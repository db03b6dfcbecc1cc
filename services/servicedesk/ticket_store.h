// SQL for tickets, their pauses, comments and history: every statement named once here, rows
// mapped once (soci::type_conversion in ticket_store.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "common/db/query.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/ticket_sla.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

// A tickets row. `ticket` carries the stored SLA columns in its timers: target_minutes, due_time,
// warning_time and breached as stored, met_time from first_response_time / resolve_time
// (remaining and paused are not stored: they depend on the instant asked about).
struct TicketRecord {
  crm::v1::Ticket ticket;
  int warning_percent = 0;
  std::optional<absl::Time> next_escalation_time;

  // What the shared entity operations (common/db/entity_ops.h) expect of an entity.
  const std::string& id() const { return ticket.id(); }
  const std::string& etag() const { return ticket.etag(); }
  void set_etag(std::string etag) { ticket.set_etag(std::move(etag)); }
};

// Newest first (id descending). Every set filter narrows the result (AND).
struct TicketListQuery {
  std::vector<crm::v1::TicketStatus> statuses;  // any of them; empty = all
  crm::v1::TicketPriority priority = crm::v1::TICKET_PRIORITY_UNSPECIFIED;
  std::string assignee;
  std::string assignee_group;
  std::string account_id;
  std::string category;
  std::optional<int> escalation_level;
  // true: a stored breach flag is set or an unmet target's stored due time is before `now`;
  // false: neither.
  std::optional<bool> breached;
  absl::Time now;
  // Conditions on custom fields (filter.custom_fields, resolved against the definitions).
  std::vector<customfields::IndexCondition> custom_conditions;
  // Keyset position: tickets with an id strictly smaller ("" = from the newest).
  std::string before_id;
  int limit = 50;
};

// Oldest first (id ascending).
struct CommentListQuery {
  std::string ticket_id;
  bool public_only = false;
  std::string after_id;
  int limit = 50;
};

// New, open and pending tickets: work still to do (escalation, tier follow-up, the backlog).
bool IsOpenTicketStatus(crm::v1::TicketStatus status);
// Narrows `q` to open tickets; `table` qualifies the column ("t" gives t.status, "" none).
void WhereTicketOpen(db::SqlQuery& q, absl::string_view table = "");
// Either target breached at a `now` bound twice (microseconds): a stored flag, or an unmet target
// whose due time has passed (a met or paused target stores no due time).
std::string TicketBreachedPredicate(absl::string_view table = "");

struct HistoryEntry {
  int64_t seq = 0;
  crm::v1::TicketChange change;
};

class TicketStore {
 public:
  // nullopt when no ticket has this id.
  static absl::StatusOr<std::optional<TicketRecord>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<TicketRecord>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1, and the ticket's custom values into the value index.
  static absl::Status Insert(db::Tx& tx, const TicketRecord& record);
  // Writes every mutable column (custom values included, the value index with them) and bumps
  // the revision, only if the stored revision is still `expected_revision`. False when it was not.
  // `stored` is the ticket as read at that revision: the value index is rewritten only when the
  // custom values differ from its.
  static absl::StatusOr<bool> Update(db::Tx& tx, const TicketRecord& stored, const TicketRecord& record,
                                     int64_t expected_revision);
  static absl::StatusOr<std::vector<TicketRecord>> List(soci::session& sql, const TicketListQuery& query);

  // The ticket's pauses in start order.
  static absl::StatusOr<std::vector<TicketPause>> Pauses(soci::session& sql, const std::string& ticket_id);
  // Pauses of several tickets at once, by ticket id.
  static absl::StatusOr<std::map<std::string, std::vector<TicketPause>>> PausesOf(
      soci::session& sql, const std::vector<std::string>& ticket_ids);
  // Opens a pause of `kind` at `start`. A pause of the same kind that ended exactly at `start`
  // is continued instead, so a quick pending → open → pending keeps one stretch (and the key
  // (ticket, start, kind) stays unique under a clock that has not moved).
  static absl::Status StartPause(db::Tx& tx, const std::string& ticket_id, PauseKind kind, absl::Time start);
  // Ends the running pause of `kind`, if any.
  static absl::Status EndPause(db::Tx& tx, const std::string& ticket_id, PauseKind kind, absl::Time end);

  static absl::Status AppendHistory(db::Tx& tx, const crm::v1::TicketChange& change);
  // The ticket's history in order, after `after_seq` (0 = from the start).
  static absl::StatusOr<std::vector<HistoryEntry>> History(soci::session& sql, const std::string& ticket_id,
                                                          int64_t after_seq, int limit);

  static absl::Status InsertComment(db::Tx& tx, const crm::v1::TicketComment& comment);
  static absl::StatusOr<std::optional<crm::v1::TicketComment>> FindComment(soci::session& sql, const std::string& id);
  static absl::StatusOr<std::vector<crm::v1::TicketComment>> ListComments(soci::session& sql,
                                                                         const CommentListQuery& query);
};

}  // namespace crm::servicedesk
