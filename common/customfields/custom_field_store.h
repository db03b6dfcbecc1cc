// SQL for custom fields: the definitions with every version kept, and the value index every
// entity with custom fields keeps in step with its rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"

namespace soci {
class session;
}

namespace crm::customfields {

// The tables: custom_fields, custom_field_versions, custom_field_values.
db::MigrationSet CustomFieldMigrations();

struct FieldListQuery {
  // UNSPECIFIED: every entity type.
  crm::v1::CustomFieldEntity entity = crm::v1::CUSTOM_FIELD_ENTITY_UNSPECIFIED;
  bool show_deleted = false;
  // Keyset position: strictly after (after_entity, after_key) in (entity, key) order.
  std::optional<std::pair<int, std::string>> after;
  int limit = 50;
};

class CustomFieldStore {
 public:
  // One entity type's definitions, removed ones included.
  static absl::StatusOr<FieldCatalog> LoadCatalog(soci::session& sql, crm::v1::CustomFieldEntity entity);
  // By FieldId ("account.contract_end"); nullopt when there is none.
  static absl::StatusOr<std::optional<crm::v1::CustomField>> Find(soci::session& sql, const std::string& field_id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::CustomField>> FindForUpdate(db::Tx& tx, const std::string& field_id);
  // Inserts version 1 and records it. A key the entity type already has (removed fields
  // included) → ALREADY_EXISTS naming field.key.
  static absl::Status Insert(db::Tx& tx, const crm::v1::CustomField& field);
  // Stores `field` as version expected_revision + 1 and records it, only if the stored version
  // still is `expected_revision`; false when it is not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::CustomField& field, int64_t expected_revision);
  static absl::StatusOr<int64_t> CountFields(soci::session& sql, crm::v1::CustomFieldEntity entity);
  static absl::StatusOr<std::vector<crm::v1::CustomField>> List(soci::session& sql, const FieldListQuery& query);
  // Versions of one field, newest first, below `before_version` (0: from the newest).
  static absl::StatusOr<std::vector<crm::v1::CustomField>> ListVersions(soci::session& sql, const std::string& field_id,
                                                                        int64_t before_version, int limit);
};

// Drops removed fields' values from `records` (messages with custom_fields) on their way out
// of a read. Loads the catalog only when one of them has values.
template <typename T>
absl::Status HideRemovedValues(soci::session& sql, crm::v1::CustomFieldEntity entity, std::vector<T*> records) {
  bool any = false;
  for (const T* record : records) any = any || !record->custom_fields().empty();
  if (!any) return absl::OkStatus();
  absl::StatusOr<FieldCatalog> catalog = CustomFieldStore::LoadCatalog(sql, entity);
  if (!catalog.ok()) return catalog.status();
  for (T* record : records) catalog->HideRemoved(record->mutable_custom_fields());
  return absl::OkStatus();
}

// The value index: one row per value (per option of a multiple choice) of every record.
class CustomValueIndex {
 public:
  // Makes record `entity_id`'s index rows match `values` (all of them, removed fields' too, so
  // an undelete needs no rebuild). Call in the transaction that writes the record.
  static absl::Status Replace(db::Tx& tx, absl::string_view entity, const std::string& entity_id,
                              const ValueMap& values);
  // Same, skipping the work when the values did not change (an update that left them alone).
  static absl::Status ReplaceIfChanged(db::Tx& tx, absl::string_view entity, const std::string& entity_id,
                                       const ValueMap& before, const ValueMap& after);
  // Adds `conditions` to a list query over the records' table, whose id column is `id_column`.
  // Each is answered from the index ((entity, key, text, number, entity id) order), never by a
  // scan of the records.
  static void AddConditions(db::SqlQuery& query, absl::string_view entity, absl::string_view id_column,
                            const std::vector<IndexCondition>& conditions);
};

// A list in id order with an equality on a custom value, driven from that value's index entries:
// they come in record-id order, so a page reads about as many rows as it returns however many
// records match (walking the records instead reads every one before the page is full when few
// match, and building the IN list first reads every match when many do).
class ValueDrivenList {
 public:
  // The list driven by the first equality of `conditions`, which is taken out of them (the
  // store adds the others as usual); nullopt, and `conditions` left alone, when there is none.
  static std::optional<ValueDrivenList> Take(absl::string_view entity, absl::string_view table,
                                             absl::string_view id_column, std::vector<IndexCondition>& conditions);

  // "SELECT <columns> FROM <index> drv <join that keeps this order> <table> ON ... WHERE <the
  // driver>". Then the store's other conditions and AddIdOrder.
  db::SqlQuery Select(const db::Dialect& dialect, absl::string_view columns) const;

  // The end of a list in id order, driven (`driven`) or not: the records strictly after
  // `after_id` ("": from the start; before it when descending), then the ORDER BY.
  static void AddIdOrder(db::SqlQuery& query, const std::optional<ValueDrivenList>& driven,
                         absl::string_view id_column, const std::string& after_id, bool descending);

 private:
  ValueDrivenList(absl::string_view entity, absl::string_view table, absl::string_view id_column,
                  IndexCondition driver)
      : entity_(entity), table_(table), id_column_(id_column), driver_(std::move(driver)) {}

  std::string entity_;
  std::string table_;
  std::string id_column_;
  IndexCondition driver_;
};

// A list ordered by a custom field, in two runs: the records with a value, in the value's index
// order and then by id, and after them the records without one, by id. A store builds each run
// from its own SELECT and conditions, then asks for the rows it still needs.
class CustomOrderQuery {
 public:
  CustomOrderQuery(absl::string_view entity, absl::string_view id_column, IndexOrder order)
      : entity_(entity), id_column_(id_column), order_(std::move(order)) {}

  // The join that puts the field's index row (alias cfv) beside each record; goes right after
  // the FROM table, before any condition.
  void AddValueJoin(db::SqlQuery& query) const;
  // The first run, after `position` (nullopt: from the start) or nothing at all when the
  // position is already in the second run: false.
  bool AddValueRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position) const;
  // ORDER BY of the first run.
  std::string ValueRunOrder() const;
  // The second run's condition and order, after `position` when it is in the second run.
  void AddMissingRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position) const;
  std::string MissingRunOrder() const;

 private:
  std::string entity_;
  std::string id_column_;
  IndexOrder order_;
};

// The statements of a list in custom order, written once for every entity: `select` is the
// SELECT of the entity's columns FROM its table, `add_filters(query)` adds the list's other
// conditions. The value run (none when `position` is already past it), then the missing run,
// each at most `limit` rows; ScanInTurn reads them into a page.
template <typename AddFilters>
std::vector<db::SqlQuery> CustomOrderStatements(absl::string_view select, const CustomOrderQuery& order,
                                                const std::optional<CustomOrderPosition>& position, int limit,
                                                AddFilters&& add_filters) {
  std::vector<db::SqlQuery> statements;
  db::SqlQuery with_value(select);
  order.AddValueJoin(with_value);
  if (order.AddValueRun(with_value, position)) {
    add_filters(with_value);
    with_value.Append(order.ValueRunOrder());
    with_value.Append(" LIMIT ?", static_cast<long long>(limit));
    statements.push_back(std::move(with_value));
  }
  db::SqlQuery without_value(select);
  order.AddMissingRun(without_value, position);
  add_filters(without_value);
  without_value.Append(order.MissingRunOrder());
  without_value.Append(" LIMIT ?", static_cast<long long>(limit));
  statements.push_back(std::move(without_value));
  return statements;
}

// The rows of `statements` in turn, each made a T by `map(row)`, until there are `limit`: a
// statement after that is not run.
template <typename T, typename Map>
absl::StatusOr<std::vector<T>> ScanInTurn(soci::session& sql, const std::vector<db::SqlQuery>& statements, int limit,
                                          Map&& map, absl::string_view context) {
  std::vector<T> rows;
  for (const db::SqlQuery& statement : statements) {
    if (static_cast<int>(rows.size()) >= limit) break;
    absl::Status status = db::ScanRows(sql, statement, context, [&](const db::ScannedRow& row) {
      rows.push_back(map(row));
      return static_cast<int>(rows.size()) < limit;
    });
    if (!status.ok()) return status;
  }
  return rows;
}

}  // namespace crm::customfields
