// SQL for custom fields: the definitions with every version kept, and the value index every
// entity with custom fields keeps in step with its rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
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
  // The same conditions tested per record, on the value's primary key: for a list that walks
  // the records in its own order and stops at its LIMIT, when the condition matches many
  // (kFewMatches or more) so that a page is read early.
  static void AddConditionsPerRow(db::SqlQuery& query, absl::string_view entity, absl::string_view id_column,
                                  const std::vector<IndexCondition>& conditions);
  // How many index rows `condition` selects (about the records it matches), counting at most
  // `bound`: a read of at most `bound` index entries, to choose between plans.
  static absl::StatusOr<int64_t> CountUpTo(soci::session& sql, absl::string_view entity,
                                           const IndexCondition& condition, int64_t bound);
};

// A list reading the records a condition matches can read them all and sort them, or walk the
// records (or another index) in the list's order testing the condition per row until the page
// is full: the first costs about the matches, the second about page size × records / matches.
// They cost the same near sqrt(page size × records), some 7,000 at a million records; below this
// many matches the first is chosen, and its sort is a few milliseconds.
inline constexpr int64_t kFewMatches = 5000;

// Each engine's way of making the left table of a join the outer loop, whatever it estimates.
inline const char* KeepOrderJoin(const db::Dialect& dialect) {
  return dialect.backend() == db::Backend::kSqlite ? "CROSS JOIN" : "STRAIGHT_JOIN";
}

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
  // Select's FROM (the index entries, then the records) and its WHERE, for a query that joins
  // more tables in between.
  std::string From(const db::Dialect& dialect) const;
  void AddDriver(db::SqlQuery& query) const;
  // The equality tested per row instead, joined on the value's primary key beside the index row
  // `entity_id_column` (the driver's alias stays drv).
  void AddJoinOn(db::SqlQuery& query, const db::Dialect& dialect, absl::string_view entity_id_column) const;
  const IndexCondition& driver() const { return driver_; }

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
//
// With an equality on another custom value as well (`equality`, taken out of the conditions by
// ValueDrivenList::Take), neither run reads every value of the order's field:
//   - the records without a value are read off the equality's index entries in id order;
//   - the records with one, when the equality matches few records (`drive_value_run`: fewer than
//     kFewMatches, CountUpTo tells), are read off the equality's entries too and sorted; when it
//     matches many, the order's entries are walked and the equality tested per row on the
//     value's primary key (a few hundred rows fill a page of a value one record in ten has).
class CustomOrderQuery {
 public:

  CustomOrderQuery(absl::string_view entity, absl::string_view id_column, IndexOrder order)
      : entity_(entity), id_column_(id_column), order_(std::move(order)) {}
  void SetEquality(ValueDrivenList equality, bool drive_value_run) {
    equality_ = std::move(equality);
    drive_value_run_ = drive_value_run;
  }
  const std::optional<ValueDrivenList>& equality() const { return equality_; }
  bool drive_value_run() const { return drive_value_run_; }

  // The join that puts the field's index row (alias cfv) beside each record; goes right after
  // the FROM table, before any condition.
  void AddValueJoin(db::SqlQuery& query, absl::string_view join = "JOIN") const;
  // The FROM of a value run that walks the field's index rows (alias cfv) in order and joins
  // `table`'s record to each, the engine kept to that order; AddValueWalkCondition then names
  // the field (first condition).
  void AddValueWalk(db::SqlQuery& query, const db::Dialect& dialect, absl::string_view table) const;
  void AddValueWalkCondition(db::SqlQuery& query) const;
  // The first run, after `position` (nullopt: from the start) or nothing at all when the
  // position is already in the second run: false.
  bool AddValueRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position) const;
  // ORDER BY of the first run.
  std::string ValueRunOrder() const;
  // The second run's condition and order, after `position` when it is in the second run;
  // `driven`: the query is a ValueDrivenList's, whose index entries give the id order.
  void AddMissingRun(db::SqlQuery& query, const std::optional<CustomOrderPosition>& position, bool driven) const;
  std::string MissingRunOrder(bool driven) const;

 private:
  std::string entity_;
  std::string id_column_;
  IndexOrder order_;
  std::optional<ValueDrivenList> equality_;
  bool drive_value_run_ = false;
};

// The statements of a list in custom order, written once for every entity: `columns` and `table`
// make its SELECT, `add_filters(query)` adds the list's other conditions. The value run (none
// when `position` is already past it), then the missing run, each at most `limit` rows;
// ScanInTurn reads them into a page.
template <typename AddFilters>
std::vector<db::SqlQuery> CustomOrderStatements(const db::Dialect& dialect, absl::string_view columns,
                                                absl::string_view table, const CustomOrderQuery& order,
                                                const std::optional<CustomOrderPosition>& position, int limit,
                                                AddFilters&& add_filters) {
  const std::optional<ValueDrivenList>& equality = order.equality();
  std::vector<db::SqlQuery> statements;
  db::SqlQuery with_value("");
  if (equality && order.drive_value_run()) {
    with_value.Append(absl::StrCat("SELECT ", columns, " FROM ", equality->From(dialect)));
    order.AddValueJoin(with_value, KeepOrderJoin(dialect));
    equality->AddDriver(with_value);
  } else if (equality) {
    // The order's entries first, in index order (no sort), then the record, then the equality.
    with_value.Append(absl::StrCat("SELECT ", columns, " FROM "));
    order.AddValueWalk(with_value, dialect, table);
    equality->AddJoinOn(with_value, dialect, "cfv.entity_id");
    order.AddValueWalkCondition(with_value);
  } else {
    with_value.Append(absl::StrCat("SELECT ", columns, " FROM ", table));
    order.AddValueJoin(with_value);
  }
  if (order.AddValueRun(with_value, position)) {
    add_filters(with_value);
    with_value.Append(order.ValueRunOrder());
    with_value.Append(" LIMIT ?", static_cast<long long>(limit));
    statements.push_back(std::move(with_value));
  }
  db::SqlQuery without_value = equality ? equality->Select(dialect, columns)
                                        : db::SqlQuery(absl::StrCat("SELECT ", columns, " FROM ", table));
  order.AddMissingRun(without_value, position, equality.has_value());
  add_filters(without_value);
  without_value.Append(order.MissingRunOrder(equality.has_value()));
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
