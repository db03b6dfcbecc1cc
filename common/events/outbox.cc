#include "common/events/outbox.h"

#include <soci/soci.h>

#include "absl/strings/match.h"
#include "common/audit/audit_log.h"
#include "common/core/current_call.h"
#include "common/core/time_util.h"
#include "common/db/bulk_insert.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "nlohmann/json.hpp"

namespace crm::events {
namespace {

constexpr char kNextSequence[] = "UPDATE event_counter SET last_sequence = last_sequence + 1 WHERE id = 1";
constexpr char kReserveSequences[] = "UPDATE event_counter SET last_sequence = last_sequence + :n WHERE id = 1";
constexpr char kReadSequence[] = "SELECT last_sequence FROM event_counter WHERE id = 1";
constexpr char kInsertEvent[] =
    "INSERT INTO events (sequence, type, entity, entity_id, change_kind, changes, user_id, actor,"
    " request_id, event_time)";
constexpr char kSelectEvents[] =
    "SELECT sequence, type, entity, entity_id, change_kind, changes, user_id, actor, request_id,"
    " event_time FROM events";

std::string ChangesToJson(const crm::v1::Event& event) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : event.changes()) {
    changes.push_back({{"field", c.field()}, {"before", c.before()}, {"after", c.after()}});
  }
  return changes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void ChangesFromJson(const std::string& text, crm::v1::Event* event) {
  nlohmann::json changes = nlohmann::json::parse(text, nullptr, false);
  if (!changes.is_array()) return;
  for (const auto& c : changes) {
    auto* out = event->add_changes();
    out->set_field(c.value("field", ""));
    out->set_before(c.value("before", ""));
    out->set_after(c.value("after", ""));
  }
}

// A string field's value from its JSON text in a FieldChange ("" when unset or not a string).
std::string JsonString(const std::string& text) {
  const nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_string() ? value.get<std::string>() : "";
}

// Whether the current call may make the change `event` records. Every change to an account, lead
// or opportunity passes through here inside its own transaction, so the ownership rule holds for
// every path that changes one (updates, conversions, imports, side effects) and is checked against
// the rows as they are written, not as they were read before. For these records the event's user
// is the record's owner.
absl::Status CheckOwnership(const crm::v1::Event& event) {
  const CurrentCall* call = ThisThreadCall();
  if (call == nullptr || !call->owners.restricted() || !IsOwnedEntity(event.entity())) return absl::OkStatus();
  std::optional<std::string> before;
  std::string after = event.user();
  if (event.change() != crm::v1::CHANGE_KIND_CREATED) before = event.user();
  for (const auto& c : event.changes()) {
    if (c.field() != "owner") continue;
    if (before) before = JsonString(c.before());
    after = JsonString(c.after());
  }
  if (event.change() == crm::v1::CHANGE_KIND_DELETED) after = before.value_or(after);
  return call->owners.CheckChange(event.entity(), event.entity_id(), before, after);
}

}  // namespace

bool TypeMatches(const std::string& type, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (f == type) return true;
    if (!f.empty() && f.back() == '.' && absl::StartsWith(type, f)) return true;
  }
  return false;
}

absl::Status Outbox::Append(db::Tx& tx, crm::v1::Event& event) {
  if (absl::Status allowed = CheckOwnership(event); !allowed.ok()) return allowed;
  long long sequence = 0;
  absl::Status status = db::Guard("append event", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    db::Execute(sql, db::SqlQuery(kNextSequence));
    sequence = db::QueryInt64(sql, db::SqlQuery(kReadSequence));
    db::SqlQuery insert(kInsertEvent);
    insert.Append(" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sequence, event.type(), event.entity(), event.entity_id(),
                  static_cast<long long>(event.change()), ChangesToJson(event), event.user(), event.actor(),
                  event.request_id(), static_cast<long long>(TimestampToMicros(event.time())));
    db::Execute(sql, insert);
    return absl::OkStatus();
  });
  if (status.ok()) status = audit::RecordAudit(tx, audit::EntryForEvent(event));
  if (!status.ok()) return status;
  event.set_sequence(sequence);
  EventHub* hub = hub_;
  tx.OnCommit([hub, sequence] {
    if (hub != nullptr) hub->Announce(sequence);
  });
  return absl::OkStatus();
}

absl::Status Outbox::AppendBatch(db::Tx& tx, std::vector<crm::v1::Event>& events) {
  // Batches are whole-book runs (reclassification), not changes of chosen records: no ownership
  // check (the run's policy decides who may start it), and no audit record per event — the caller
  // audits the run, whose own history lists each record it changed.
  if (events.empty()) return absl::OkStatus();
  // Rows per INSERT: large enough to amortise the statement, small enough for MySQL's packet.
  constexpr int kRowsPerStatement = 200;
  db::BulkInsert insert(tx.dialect().backend(), "events",
                        {{"sequence", db::BulkInsert::kInt},
                         {"type", db::BulkInsert::kText},
                         {"entity", db::BulkInsert::kText},
                         {"entity_id", db::BulkInsert::kText},
                         {"change_kind", db::BulkInsert::kInt},
                         {"changes", db::BulkInsert::kText},
                         {"user_id", db::BulkInsert::kText},
                         {"actor", db::BulkInsert::kText},
                         {"request_id", db::BulkInsert::kText},
                         {"event_time", db::BulkInsert::kInt}},
                        kRowsPerStatement);
  long long last = 0;
  absl::Status status = db::Guard("append events", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    long long n = static_cast<long long>(events.size());
    sql << kReserveSequences, soci::use(n, "n");
    sql << kReadSequence, soci::into(last);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  long long sequence = last - static_cast<long long>(events.size());
  status = insert.Run(tx.session(), [&] {
    for (crm::v1::Event& event : events) {
      event.set_sequence(++sequence);
      insert.Row()
          .Int(event.sequence())
          .Text(event.type())
          .Text(event.entity())
          .Text(event.entity_id())
          .Int(event.change())
          .Text(ChangesToJson(event))
          .Text(event.user())
          .Text(event.actor())
          .Text(event.request_id())
          .Int(TimestampToMicros(event.time()));
    }
  });
  if (!status.ok()) return status;
  EventHub* hub = hub_;
  tx.OnCommit([hub, last] {
    if (hub != nullptr) hub->Announce(last);
  });
  return absl::OkStatus();
}

crm::v1::Event Outbox::MakeChange(const std::string& type, const std::string& entity, const std::string& entity_id,
                                  crm::v1::ChangeKind change, const std::vector<FieldDelta>& deltas,
                                  const std::string& user, const std::string& actor, const std::string& request_id,
                                  absl::Time time) {
  crm::v1::Event event;
  event.set_type(type);
  event.set_entity(entity);
  event.set_entity_id(entity_id);
  event.set_change(change);
  for (const FieldDelta& d : deltas) {
    auto* c = event.add_changes();
    c->set_field(d.field);
    c->set_before(d.before);
    c->set_after(d.after);
  }
  event.set_user(user);
  event.set_actor(actor);
  event.set_request_id(request_id);
  *event.mutable_time() = TimeToTimestamp(time);
  return event;
}

absl::Status Outbox::AppendChange(db::Tx& tx, const std::string& type, const std::string& entity,
                                  const std::string& entity_id, crm::v1::ChangeKind change,
                                  const std::vector<FieldDelta>& deltas, const std::string& user,
                                  const std::string& actor, const std::string& request_id,
                                  absl::Time time) {
  crm::v1::Event event = MakeChange(type, entity, entity_id, change, deltas, user, actor, request_id, time);
  return Append(tx, event);
}

absl::StatusOr<EventPage> ReadEvents(soci::session& sql, const EventQuery& query) {
  EventPage page;
  page.last_scanned = query.after;
  int scanned = 0;
  db::SqlQuery q(kSelectEvents);
  q.Where("sequence > ?", static_cast<long long>(query.after))
      .Where("sequence <= ?", static_cast<long long>(query.up_to));
  if (query.users) q.WhereIn("user_id", *query.users);
  q.Append(" ORDER BY sequence LIMIT ?", query.limit);
  // Type filters are applied here rather than in SQL: prefixes and lists stay simple and the scan
  // is bounded by the sequence range anyway.
  absl::Status status = db::ScanRows(sql, q, "read events", [&](const db::ScannedRow& row) {
    crm::v1::Event event;
    event.set_sequence(row.Int(0));
    event.set_type(std::string(row.Text(1)));
    page.last_scanned = event.sequence();
    ++scanned;
    if (!TypeMatches(event.type(), query.types)) return true;
    event.set_entity(std::string(row.Text(2)));
    event.set_entity_id(std::string(row.Text(3)));
    event.set_change(static_cast<crm::v1::ChangeKind>(row.Int(4)));
    ChangesFromJson(std::string(row.Text(5)), &event);
    event.set_user(std::string(row.Text(6)));
    event.set_actor(std::string(row.Text(7)));
    event.set_request_id(std::string(row.Text(8)));
    *event.mutable_time() = MicrosToTimestamp(row.Int(9));
    page.events.push_back(std::move(event));
    return true;
  });
  if (!status.ok()) return status;
  page.more = scanned == query.limit;
  return page;
}

absl::StatusOr<EventPage> ReadEvents(db::Database& db, const EventQuery& query, absl::Time deadline) {
  absl::StatusOr<EventPage> page;
  absl::Status status = db.Read(
      [&](soci::session& sql) -> absl::Status {
        page = ReadEvents(sql, query);
        return page.status();
      },
      deadline);
  if (!status.ok()) return status;
  return page;
}

}  // namespace crm::events
