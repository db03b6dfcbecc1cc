#include "common/customfields/custom_field_store.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/dialect.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "google/protobuf/util/json_util.h"

namespace crm::customfields {
namespace {

using crm::v1::CustomField;

constexpr char kSelectField[] =
    "SELECT entity, field_key, definition, create_time, update_time, delete_time, update_actor, revision"
    " FROM custom_fields";

// The definition column: everything but what the other columns hold.
std::string DefinitionJson(const CustomField& field) {
  CustomField stored = field;
  stored.clear_entity();
  stored.clear_key();
  stored.clear_version();
  stored.clear_create_time();
  stored.clear_update_time();
  stored.clear_delete_time();
  stored.clear_etag();
  stored.clear_update_actor();
  stored.clear_id();
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(stored, &json);
  return json;
}

// The version rows keep each version whole.
std::string VersionJson(const CustomField& field) {
  CustomField stored = field;
  stored.clear_etag();
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(stored, &json);
  return json;
}

CustomField FieldFromRow(const db::ScannedRow& r) {
  CustomField field;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(std::string(r.Text(2)), &field, options);
  field.set_entity(EntityFromName(r.Text(0)));
  field.set_key(std::string(r.Text(1)));
  field.set_id(FieldId(field.entity(), field.key()));
  *field.mutable_create_time() = MicrosToTimestamp(r.Int(3));
  *field.mutable_update_time() = MicrosToTimestamp(r.Int(4));
  if (!r.IsNull(5)) *field.mutable_delete_time() = MicrosToTimestamp(r.Int(5));
  field.set_update_actor(std::string(r.Text(6)));
  field.set_version(r.Int(7));
  field.set_etag(FormatEtag(r.Int(7)));
  return field;
}

CustomField VersionFromRow(const db::ScannedRow& r) {
  CustomField field;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(std::string(r.Text(0)), &field, options);
  return field;
}

absl::Status RecordVersion(db::Tx& tx, const CustomField& field, int64_t version) {
  CustomField stored = field;
  stored.set_version(version);
  db::SqlQuery q("");
  q.Append("INSERT INTO custom_field_versions (entity, field_key, version, definition) VALUES (?, ?, ?, ?)",
           std::string(EntityName(field.entity())), field.key(), static_cast<long long>(version),
           VersionJson(stored));
  return db::Guard("record custom field version", [&]() -> absl::Status {
    db::Execute(tx.session(), q);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<CustomField>> FindById(soci::session& sql, const std::string& field_id,
                                                    const char* lock) {
  std::vector<std::string> parts = absl::StrSplit(field_id, absl::MaxSplits('.', 1));
  if (parts.size() != 2) return std::optional<CustomField>();
  db::SqlQuery q(kSelectField);
  q.Where("entity = ?", parts[0]).Where("field_key = ?", parts[1]);
  q.Append(lock);
  return db::ScanOne<CustomField>(sql, q, "read custom field", FieldFromRow);
}

}  // namespace

db::MigrationSet CustomFieldMigrations() {
  return db::MigrationSet{
      "customfields",
      {
          {1,
           "custom field definitions, versions and the value index",
           {
               // `definition` is the CustomField as JSON, less what the other columns hold.
               // `revision` is the field's version.
               "CREATE TABLE IF NOT EXISTS custom_fields ("
               " entity VARCHAR(16) NOT NULL,"
               " field_key VARCHAR(40) NOT NULL,"
               " definition {{LONG_TEXT}} NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " delete_time BIGINT NULL,"
               " update_actor VARCHAR(200) NOT NULL,"
               " revision BIGINT NOT NULL,"
               " PRIMARY KEY (entity, field_key)){{KEYED_TABLE_OPTIONS}}",
               // Every version of every field, whole.
               "CREATE TABLE IF NOT EXISTS custom_field_versions ("
               " entity VARCHAR(16) NOT NULL,"
               " field_key VARCHAR(40) NOT NULL,"
               " version BIGINT NOT NULL,"
               " definition {{LONG_TEXT}} NOT NULL,"
               " PRIMARY KEY (entity, field_key, version)){{KEYED_TABLE_OPTIONS}}",
               // One row per value (per option of a multiple choice), written with the record.
               // text_value / number_value as IndexKeysOf makes them: never NULL, so that one
               // index orders every type and keyset positions compare plainly.
               "CREATE TABLE IF NOT EXISTS custom_field_values ("
               " entity_type VARCHAR(16) NOT NULL,"
               " entity_id VARCHAR(64) NOT NULL,"
               " field_key VARCHAR(40) NOT NULL,"
               " text_value VARCHAR(200) NOT NULL,"
               " number_value DOUBLE NOT NULL,"
               " PRIMARY KEY (entity_type, entity_id, field_key, text_value)){{KEYED_TABLE_OPTIONS}}",
               // Equality, ranges and order on one field, each ending in the record id.
               "CREATE INDEX IF NOT EXISTS custom_field_values_by_value ON custom_field_values"
               " (entity_type, field_key, text_value, number_value, entity_id)",
           }},
      }};
}

absl::StatusOr<FieldCatalog> CustomFieldStore::LoadCatalog(soci::session& sql, crm::v1::CustomFieldEntity entity) {
  db::SqlQuery q(kSelectField);
  q.Where("entity = ?", std::string(EntityName(entity)));
  absl::StatusOr<std::vector<CustomField>> fields = db::ScanAll<CustomField>(sql, q, "read custom fields", FieldFromRow);
  if (!fields.ok()) return fields.status();
  return FieldCatalog(*std::move(fields));
}

absl::StatusOr<std::optional<CustomField>> CustomFieldStore::Find(soci::session& sql, const std::string& field_id) {
  return FindById(sql, field_id, "");
}

absl::StatusOr<std::optional<CustomField>> CustomFieldStore::FindForUpdate(db::Tx& tx, const std::string& field_id) {
  return FindById(tx.session(), field_id, tx.dialect().ForUpdate());
}

absl::Status CustomFieldStore::Insert(db::Tx& tx, const CustomField& field) {
  db::SqlQuery q("");
  q.Append("INSERT INTO custom_fields (entity, field_key, definition, create_time, update_time, delete_time,"
           " update_actor, revision) VALUES (?, ?, ?, ?, ?, NULL, ?, 1)",
           std::string(EntityName(field.entity())), field.key(), DefinitionJson(field),
           static_cast<long long>(TimestampToMicros(field.create_time())),
           static_cast<long long>(TimestampToMicros(field.update_time())), field.update_actor());
  absl::Status status = db::Guard("insert custom field", [&]() -> absl::Status {
    db::Execute(tx.session(), q);
    return absl::OkStatus();
  });
  if (absl::IsAlreadyExists(status)) {
    return AlreadyExistsField("field.key", "another field of this entity type (perhaps a removed one) has this key");
  }
  if (!status.ok()) return status;
  return RecordVersion(tx, field, 1);
}

absl::StatusOr<bool> CustomFieldStore::Update(db::Tx& tx, const CustomField& field, int64_t expected_revision) {
  // SqlQuery binds no NULL, so a cleared delete_time is written as a literal.
  db::SqlQuery q("");
  q.Append("UPDATE custom_fields SET definition = ?, update_time = ?, update_actor = ?, revision = revision + 1,",
           DefinitionJson(field), static_cast<long long>(TimestampToMicros(field.update_time())),
           field.update_actor());
  if (field.has_delete_time()) {
    q.Append(" delete_time = ?", static_cast<long long>(TimestampToMicros(field.delete_time())));
  } else {
    q.Append(" delete_time = NULL");
  }
  q.Where("entity = ?", std::string(EntityName(field.entity())));
  q.Where("field_key = ?", field.key());
  q.Where("revision = ?", static_cast<long long>(expected_revision));
  long long changed = 0;
  absl::Status status = db::Guard("update custom field", [&]() -> absl::Status {
    changed = db::Execute(tx.session(), q);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (changed != 1) return false;
  if (absl::Status s = RecordVersion(tx, field, expected_revision + 1); !s.ok()) return s;
  return true;
}

absl::StatusOr<int64_t> CustomFieldStore::CountFields(soci::session& sql, crm::v1::CustomFieldEntity entity) {
  db::SqlQuery q("SELECT COUNT(*) FROM custom_fields");
  q.Where("entity = ?", std::string(EntityName(entity)));
  int64_t count = 0;
  absl::Status status = db::Guard("count custom fields", [&]() -> absl::Status {
    count = db::QueryInt64(sql, q);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

absl::StatusOr<std::vector<CustomField>> CustomFieldStore::List(soci::session& sql, const FieldListQuery& query) {
  // The entity's number orders the list, so that a page token's position is plain integers and
  // text; the names sort the same way as the numbers they stand for only by accident.
  std::string order_case = "CASE entity";
  for (int e = crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT; e <= crm::v1::CUSTOM_FIELD_ENTITY_TICKET; ++e) {
    absl::StrAppend(&order_case, " WHEN '", EntityName(static_cast<crm::v1::CustomFieldEntity>(e)), "' THEN ", e);
  }
  absl::StrAppend(&order_case, " END");
  db::SqlQuery q(kSelectField);
  if (query.entity != crm::v1::CUSTOM_FIELD_ENTITY_UNSPECIFIED) {
    q.Where("entity = ?", std::string(EntityName(query.entity)));
  }
  if (!query.show_deleted) q.Where("delete_time IS NULL");
  if (query.after) {
    q.Where(absl::StrCat("(", order_case, " > ? OR (", order_case, " = ? AND field_key > ?))"),
            static_cast<long long>(query.after->first), static_cast<long long>(query.after->first),
            query.after->second);
  }
  q.Append(absl::StrCat(" ORDER BY ", order_case, ", field_key LIMIT ?"), static_cast<long long>(query.limit));
  return db::ScanAll<CustomField>(sql, q, "list custom fields", FieldFromRow);
}

absl::StatusOr<std::vector<CustomField>> CustomFieldStore::ListVersions(soci::session& sql, const std::string& field_id,
                                                                        int64_t before_version, int limit) {
  std::vector<std::string> parts = absl::StrSplit(field_id, absl::MaxSplits('.', 1));
  if (parts.size() != 2) return std::vector<CustomField>();
  db::SqlQuery q("SELECT definition FROM custom_field_versions");
  q.Where("entity = ?", parts[0]).Where("field_key = ?", parts[1]);
  if (before_version > 0) q.Where("version < ?", static_cast<long long>(before_version));
  q.Append(" ORDER BY version DESC LIMIT ?", static_cast<long long>(limit));
  return db::ScanAll<CustomField>(sql, q, "list custom field versions", VersionFromRow);
}

absl::Status CustomValueIndex::Replace(db::Tx& tx, absl::string_view entity, const std::string& entity_id,
                                       const ValueMap& values) {
  return db::Guard("index custom field values", [&]() -> absl::Status {
    db::SqlQuery remove("DELETE FROM custom_field_values");
    remove.Where("entity_type = ?", entity).Where("entity_id = ?", entity_id);
    db::Execute(tx.session(), remove);
    if (values.empty()) return absl::OkStatus();
    db::SqlQuery insert(
        "INSERT INTO custom_field_values (entity_type, entity_id, field_key, text_value, number_value) VALUES");
    const char* separator = " ";
    for (const auto& [key, value] : values) {
      for (const IndexKey& index_key : IndexKeysOf(value)) {
        insert.Append(absl::StrCat(separator, "(?, ?, ?, ?, ?)"), entity, entity_id, key, index_key.text,
                      index_key.number);
        separator = ", ";
      }
    }
    db::Execute(tx.session(), insert);
    return absl::OkStatus();
  });
}

absl::Status CustomValueIndex::ReplaceIfChanged(db::Tx& tx, absl::string_view entity, const std::string& entity_id,
                                                const ValueMap& before, const ValueMap& after) {
  if (EncodeValues(before) == EncodeValues(after)) return absl::OkStatus();
  return Replace(tx, entity, entity_id, after);
}

namespace {

// " <alias>entity_type = ? AND ..." for the index rows `c` selects (no leading AND).
void AppendValueTest(db::SqlQuery& query, absl::string_view alias, absl::string_view entity,
                     const IndexCondition& c) {
  query.Append(absl::StrCat(" ", alias, "entity_type = ? AND ", alias, "field_key = ?"), std::string(entity),
               c.field_key);
  const auto column = [&](absl::string_view name) { return absl::StrCat(alias, name); };
  switch (c.kind) {
    case IndexCondition::Kind::kEquals:
      query.Append(absl::StrCat(" AND ", column("text_value"), " = ? AND ", column("number_value"), " = ?"),
                   c.equals.text, c.equals.number);
      break;
    case IndexCondition::Kind::kNumberRange:
      query.Append(absl::StrCat(" AND ", column("text_value"), " = ?"), c.equals.text);
      if (c.min_number) query.Append(absl::StrCat(" AND ", column("number_value"), " >= ?"), *c.min_number);
      if (c.max_number) query.Append(absl::StrCat(" AND ", column("number_value"), " <= ?"), *c.max_number);
      break;
    case IndexCondition::Kind::kTextRange:
      if (c.min_text) query.Append(absl::StrCat(" AND ", column("text_value"), " >= ?"), *c.min_text);
      if (c.max_text) query.Append(absl::StrCat(" AND ", column("text_value"), " <= ?"), *c.max_text);
      break;
  }
}

}  // namespace

void CustomValueIndex::AddConditions(db::SqlQuery& query, absl::string_view entity, absl::string_view id_column,
                                     const std::vector<IndexCondition>& conditions) {
  // IN (SELECT ...) lets both engines read the matching ids off the index and look the records
  // up by primary key; a correlated EXISTS would have them walk the records instead.
  for (const IndexCondition& c : conditions) {
    query.Where(absl::StrCat(id_column, " IN (SELECT entity_id FROM custom_field_values WHERE"));
    AppendValueTest(query, "", entity, c);
    query.Append(")");
  }
}

void CustomValueIndex::AddConditionsPerRow(db::SqlQuery& query, absl::string_view entity,
                                           absl::string_view id_column, const std::vector<IndexCondition>& conditions) {
  // A correlated count, not EXISTS: MariaDB turns EXISTS into a semi-join that reads every match
  // and sorts them, the very plan this one is for avoiding.
  for (const IndexCondition& c : conditions) {
    query.Where(
        absl::StrCat("(SELECT COUNT(*) FROM custom_field_values r WHERE r.entity_id = ", id_column, " AND"));
    AppendValueTest(query, "r.", entity, c);
    query.Append(") > 0");
  }
}

absl::StatusOr<int64_t> CustomValueIndex::CountUpTo(soci::session& sql, absl::string_view entity,
                                                    const IndexCondition& condition, int64_t bound) {
  db::SqlQuery q("SELECT COUNT(*) FROM (SELECT 1 FROM custom_field_values WHERE");
  AppendValueTest(q, "", entity, condition);
  q.Append(" LIMIT ?) bounded", static_cast<long long>(bound));
  int64_t count = 0;
  absl::Status status = db::ScanRows(sql, q, "count custom values", [&](const db::ScannedRow& row) {
    count = row.Int(0);
    return false;
  });
  if (!status.ok()) return status;
  return count;
}

std::optional<ValueDrivenList> ValueDrivenList::Take(absl::string_view entity, absl::string_view table,
                                                     absl::string_view id_column,
                                                     std::vector<IndexCondition>& conditions) {
  const auto driver = std::find_if(conditions.begin(), conditions.end(), [](const IndexCondition& c) {
    return c.kind == IndexCondition::Kind::kEquals;
  });
  if (driver == conditions.end()) return std::nullopt;
  ValueDrivenList list(entity, table, id_column, std::move(*driver));
  conditions.erase(driver);
  return list;
}

db::SqlQuery ValueDrivenList::Select(const db::Dialect& dialect, absl::string_view columns) const {
  db::SqlQuery query(absl::StrCat("SELECT ", columns, " FROM ", From(dialect)));
  AddDriver(query);
  return query;
}

std::string ValueDrivenList::From(const db::Dialect& dialect) const {
  return absl::StrCat("custom_field_values drv ", KeepOrderJoin(dialect), " ", table_, " ON ", table_, ".",
                      id_column_, " = drv.entity_id");
}

void ValueDrivenList::AddDriver(db::SqlQuery& query) const {
  query.Where("drv.entity_type = ? AND drv.field_key = ? AND drv.text_value = ? AND drv.number_value = ?", entity_,
              driver_.field_key, driver_.equals.text, driver_.equals.number);
}

void ValueDrivenList::AddJoinOn(db::SqlQuery& query, const db::Dialect& dialect,
                                absl::string_view entity_id_column) const {
  query.Append(absl::StrCat(" ", KeepOrderJoin(dialect), " custom_field_values drv ON drv.entity_type = ?"
                            " AND drv.entity_id = ", entity_id_column,
                            " AND drv.field_key = ? AND drv.text_value = ? AND drv.number_value = ?"),
               entity_, driver_.field_key, driver_.equals.text, driver_.equals.number);
}

void ValueDrivenList::AddIdOrder(db::SqlQuery& query, const std::optional<ValueDrivenList>& driven,
                                 absl::string_view id_column, const std::string& after_id, bool descending) {
  // Driven, the index entry's id: the order the rows come in, so no sort.
  const std::string column = driven ? "drv.entity_id" : std::string(id_column);
  if (!after_id.empty()) query.Where(absl::StrCat(column, descending ? " < ?" : " > ?"), after_id);
  query.Append(absl::StrCat(" ORDER BY ", column, descending ? " DESC" : ""));
}

void CustomOrderQuery::AddValueJoin(db::SqlQuery& query, absl::string_view join) const {
  query.Append(absl::StrCat(" ", join, " custom_field_values cfv ON cfv.entity_id = ", id_column_,
                            " AND cfv.entity_type = ? AND cfv.field_key = ?"),
               entity_, order_.field_key);
}

void CustomOrderQuery::AddValueWalk(db::SqlQuery& query, const db::Dialect& dialect, absl::string_view table) const {
  query.Append(absl::StrCat("custom_field_values cfv ", KeepOrderJoin(dialect), " ", table, " ON ", table, ".",
                            id_column_, " = cfv.entity_id"));
}

void CustomOrderQuery::AddValueWalkCondition(db::SqlQuery& query) const {
  query.Where("cfv.entity_type = ? AND cfv.field_key = ?", entity_, order_.field_key);
}

bool CustomOrderQuery::AddValueRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position) const {
  if (!position) return true;
  if (!position->has_value) return false;
  const char* cmp = order_.descending ? "<" : ">";
  query.Where(absl::StrCat("(cfv.text_value ", cmp, " ? OR (cfv.text_value = ? AND (cfv.number_value ", cmp,
                           " ? OR (cfv.number_value = ? AND cfv.entity_id ", cmp, " ?))))"),
              position->key.text, position->key.text, position->key.number, position->key.number, position->id);
  return true;
}

std::string CustomOrderQuery::ValueRunOrder() const {
  const char* direction = order_.descending ? " DESC" : "";
  return absl::StrCat(" ORDER BY cfv.text_value", direction, ", cfv.number_value", direction, ", cfv.entity_id",
                      direction);
}

void CustomOrderQuery::AddMissingRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position,
                                     bool driven) const {
  query.Where(absl::StrCat("NOT EXISTS (SELECT 1 FROM custom_field_values m WHERE m.entity_type = ?"
                           " AND m.entity_id = ",
                           id_column_, " AND m.field_key = ?)"),
              entity_, order_.field_key);
  // Driven, the index entry's id: the order the rows come in, so no sort (as AddIdOrder).
  const std::string id = driven ? "drv.entity_id" : id_column_;
  if (position && !position->has_value) query.Where(absl::StrCat(id, order_.descending ? " < ?" : " > ?"), position->id);
}

std::string CustomOrderQuery::MissingRunOrder(bool driven) const {
  return absl::StrCat(" ORDER BY ", driven ? "drv.entity_id" : id_column_, order_.descending ? " DESC" : "");
}

}  // namespace crm::customfields
