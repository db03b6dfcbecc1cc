#include "services/servicedesk/escalation_store.h"

#include <soci/soci.h>

#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/ticket_store.h"

namespace soci {

template <>
struct type_conversion<crm::servicedesk::DueTicket> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::servicedesk::DueTicket& due) {
    due.id = crm::db::GetString(v, "id");
    due.next_escalation_time = crm::FromMicros(crm::db::GetInt64(v, "next_escalation_time"));
  }

  static void to_base(const crm::servicedesk::DueTicket&, values&, indicator& ind) { ind = i_ok; }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

// Served by tickets_by_next_escalation; the few due rows are then checked for their status.
constexpr char kSelectDue[] = "SELECT id, next_escalation_time FROM tickets";
constexpr char kSelectAccountTickets[] = "SELECT id FROM tickets";
constexpr char kReschedule[] =
    "UPDATE tickets SET next_escalation_time = :next_escalation_time"
    " WHERE id = :id AND revision = :expected_revision";

}  // namespace

absl::StatusOr<std::vector<DueTicket>> EscalationStore::DueTickets(soci::session& sql, absl::Time now,
                                                                   const std::optional<DueTicket>& after, int limit) {
  db::SqlQuery q(kSelectDue);
  q.Where("next_escalation_time <= ?", static_cast<long long>(ToMicros(now)));
  if (after.has_value()) {
    const long long position = ToMicros(after->next_escalation_time);
    q.Where("(next_escalation_time > ? OR (next_escalation_time = ? AND id > ?))", position, position, after->id);
  }
  WhereTicketOpen(q);
  q.Append(" ORDER BY next_escalation_time, id LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<DueTicket>(sql, q, "read due escalations");
}

absl::StatusOr<std::vector<std::string>> EscalationStore::OpenTicketsOfAccount(soci::session& sql,
                                                                               const std::string& account_id,
                                                                               const std::string& after_id, int limit) {
  db::SqlQuery q(kSelectAccountTickets);
  q.Where("account_id = ?", account_id);
  if (!after_id.empty()) q.Where("id > ?", after_id);
  WhereTicketOpen(q);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(limit));
  // Scanned, so that SQLite runs its kept statement: the tier-change consumer asks this for
  // every account whose tier moved, inside the write transaction all writers queue behind.
  return db::ScanAll<std::string>(sql, q, "read open tickets of account", db::FirstText);
}

absl::StatusOr<bool> EscalationStore::Reschedule(db::Tx& tx, const std::string& id,
                                                 const std::optional<absl::Time>& next_escalation_time,
                                                 int64_t expected_revision) {
  long long next = next_escalation_time.has_value() ? ToMicros(*next_escalation_time) : 0;
  soci::indicator next_indicator = next_escalation_time.has_value() ? soci::i_ok : soci::i_null;
  long long expected = expected_revision;
  bool changed = false;
  absl::Status status = db::Guard("reschedule escalation", [&]() -> absl::Status {
    soci::statement statement =
        (tx.session().prepare << kReschedule, soci::use(next, next_indicator, "next_escalation_time"),
         soci::use(id, "id"), soci::use(expected, "expected_revision"));
    statement.execute(true);
    changed = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

}  // namespace crm::servicedesk
