#include "common/events/outbox.h"

#include <soci/soci.h>

#include "absl/strings/match.h"
#include "common/core/time_util.h"
#include "common/db/bulk_insert.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "nlohmann/json.hpp"

namespace crm::events {
namespace {

constexpr char kNextSequence[] = "UPDATE event_counter SET last_sequence = last_sequence + 1 WHERE id = 1";
constexpr char kReserveSequences[] = "UPDATE event_counter SET last_sequence = last_sequence + :n WHERE id = 1";
constexpr char kReadSequence[] = "SELECT last_sequence FROM event_counter WHERE id = 1";
constexpr char kInsertEvent[] =
    "INSERT INTO events (sequence, type, entity, entity_id, change_kind, changes, user_id, actor,"
    " request_id, event_time) VALUES (:seq, :type, :entity, :entity_id, :change, :changes, :user,"
    " :actor, :rid, :time)";
constexpr char kSelectEvents[] =
    "SELECT sequence, type, entity, entity_id, change_kind, changes, user_id, actor, request_id,"
    " event_time FROM events WHERE sequence > :after AND sequence <= :up_to";

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
  long long sequence = 0;
  absl::Status status = db::Guard("append event", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    sql << kNextSequence;
    sql << kReadSequence, soci::into(sequence);
    const std::string changes = ChangesToJson(event);
    long long change = event.change();
    long long time = TimestampToMicros(event.time());
    sql << kInsertEvent, soci::use(sequence), soci::use(event.type()), soci::use(event.entity()),
        soci::use(event.entity_id()), soci::use(change), soci::use(changes), soci::use(event.user()),
        soci::use(event.actor()), soci::use(event.request_id()), soci::use(time);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  event.set_sequence(sequence);
  EventHub* hub = hub_;
  tx.OnCommit([hub, sequence] {
    if (hub != nullptr) hub->Announce(sequence);
  });
  return absl::OkStatus();
}

absl::Status Outbox::AppendBatch(db::Tx& tx, std::vector<crm::v1::Event>& events) {
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
  std::string sql_text = kSelectEvents;
  if (!query.user.empty()) sql_text += " AND user_id = :user";
  sql_text += " ORDER BY sequence LIMIT :limit";
  absl::Status status = db::Guard("read events", [&]() -> absl::Status {
    long long after = query.after, up_to = query.up_to, limit = query.limit;
    // Type filters are applied here rather than in SQL: prefixes and lists stay simple and
    // the scan is bounded by the sequence range anyway.
    soci::rowset<soci::row> rows =
        query.user.empty()
            ? (sql.prepare << sql_text, soci::use(after, "after"), soci::use(up_to, "up_to"),
               soci::use(limit, "limit"))
            : (sql.prepare << sql_text, soci::use(after, "after"), soci::use(up_to, "up_to"),
               soci::use(query.user, "user"), soci::use(limit, "limit"));
    for (const soci::row& row : rows) {
      crm::v1::Event event;
      event.set_sequence(db::GetInt64(row, 0));
      event.set_type(db::GetString(row, 1));
      page.last_scanned = event.sequence();
      ++scanned;
      if (!TypeMatches(event.type(), query.types)) continue;
      event.set_entity(db::GetString(row, 2));
      event.set_entity_id(db::GetString(row, 3));
      event.set_change(static_cast<crm::v1::ChangeKind>(db::GetInt64(row, 4)));
      ChangesFromJson(db::GetString(row, 5), &event);
      event.set_user(db::GetString(row, 6));
      event.set_actor(db::GetString(row, 7));
      event.set_request_id(db::GetString(row, 8));
      *event.mutable_time() = MicrosToTimestamp(db::GetInt64(row, 9));
      page.events.push_back(std::move(event));
    }
    page.more = scanned == query.limit;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
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
