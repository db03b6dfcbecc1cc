#include "common/audit/audit_log.h"

#include <soci/soci.h>

#include "common/core/current_call.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "nlohmann/json.hpp"

namespace crm::audit {
namespace {

constexpr char kIdPrefix[] = "aud";
constexpr char kInsert[] =
    "INSERT INTO audit_records (id, record_time, actor, method, entity, entity_id, change_kind, changed_fields,"
    " request_id, correlation_id)";
constexpr char kColumns[] =
    "SELECT id, record_time, actor, method, entity, entity_id, change_kind, changed_fields, request_id,"
    " correlation_id FROM audit_records";

std::string FieldsToJson(const std::vector<std::string>& fields) {
  return nlohmann::json(fields).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

crm::v1::AuditRecord RecordFromRow(const db::ScannedRow& r) {
  crm::v1::AuditRecord record;
  record.set_id(std::string(r.Text(0)));
  *record.mutable_time() = MicrosToTimestamp(r.Int(1));
  record.set_actor(std::string(r.Text(2)));
  record.set_method(std::string(r.Text(3)));
  record.set_entity(std::string(r.Text(4)));
  record.set_entity_id(std::string(r.Text(5)));
  record.set_change(static_cast<crm::v1::ChangeKind>(r.Int(6)));
  const nlohmann::json fields = nlohmann::json::parse(r.Text(7), nullptr, false);
  if (fields.is_array()) {
    for (const auto& f : fields) {
      if (f.is_string()) record.add_changed_fields(f.get<std::string>());
    }
  }
  record.set_request_id(std::string(r.Text(8)));
  record.set_correlation_id(std::string(r.Text(9)));
  return record;
}

}  // namespace

AuditEntry EntryForEvent(const crm::v1::Event& event) {
  AuditEntry entry;
  entry.entity = event.entity();
  entry.entity_id = event.entity_id();
  entry.change = event.change();
  entry.changed_fields.reserve(event.changes_size());
  for (const auto& c : event.changes()) entry.changed_fields.push_back(c.field());
  entry.request_id = event.request_id();
  entry.actor = event.actor();
  entry.time = TimestampToTime(event.time());
  return entry;
}

absl::Status RecordAudit(db::Tx& tx, const AuditEntry& entry) {
  const CurrentCall* call = ThisThreadCall();
  const std::string id = NewIdAt(kIdPrefix, entry.time);
  const long long time = ToMicros(entry.time);
  const long long change = entry.change;
  const std::string actor = !entry.actor.empty() ? entry.actor : call != nullptr ? call->actor : "system";
  const std::string method = call != nullptr ? call->method : "";
  const std::string correlation_id = call != nullptr ? call->correlation_id : "";
  const std::string request_id = entry.request_id.empty() ? correlation_id : entry.request_id;
  const std::string fields = FieldsToJson(entry.changed_fields);
  db::SqlQuery insert(kInsert);
  insert.Append(" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, time, actor, method, entry.entity, entry.entity_id,
                change, fields, request_id, correlation_id);
  return db::Guard("record audit", [&]() -> absl::Status {
    db::Execute(tx.session(), insert);
    return absl::OkStatus();
  });
}

std::vector<std::string> ChangedFieldNames(const std::vector<FieldDelta>& deltas) {
  std::vector<std::string> names;
  names.reserve(deltas.size());
  for (const FieldDelta& d : deltas) names.push_back(d.field);
  return names;
}

absl::Status RecordChange(db::Tx& tx, std::string entity, std::string entity_id, crm::v1::ChangeKind change,
                          std::vector<std::string> fields, absl::Time time, std::string actor) {
  AuditEntry entry;
  entry.entity = std::move(entity);
  entry.entity_id = std::move(entity_id);
  entry.change = change;
  entry.changed_fields = std::move(fields);
  entry.actor = std::move(actor);
  entry.time = time;
  return RecordAudit(tx, entry);
}

absl::StatusOr<std::vector<crm::v1::AuditRecord>> ListAuditRecords(soci::session& sql, const AuditQuery& query) {
  db::SqlQuery q(kColumns);
  if (!query.actor.empty()) q.Where("actor = ?", query.actor);
  if (!query.method.empty()) q.Where("method = ?", query.method);
  if (!query.entity.empty()) q.Where("entity = ?", query.entity);
  if (!query.entity_id.empty()) q.Where("entity_id = ?", query.entity_id);
  if (!query.request_id.empty()) q.Where("request_id = ?", query.request_id);
  if (query.from_micros) q.Where("record_time >= ?", static_cast<long long>(*query.from_micros));
  if (query.until_micros) q.Where("record_time < ?", static_cast<long long>(*query.until_micros));
  if (query.before_micros) {
    const long long before = *query.before_micros;
    q.Where("(record_time < ? OR (record_time = ? AND id < ?))", before, before, query.before_id);
  }
  q.Append(" ORDER BY record_time DESC, id DESC LIMIT ?", query.limit);
  return db::ScanAll<crm::v1::AuditRecord>(sql, q, "list audit records", RecordFromRow);
}

}  // namespace crm::audit
