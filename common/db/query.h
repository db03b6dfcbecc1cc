// A SELECT assembled from fixed SQL fragments with bound parameters, for list queries whose
// filters vary per request. Request text is only ever bound, never spliced into SQL.
//
//   SqlQuery q("SELECT ... FROM accounts");
//   q.Where("owner = ?", owner).Where("tier = ?", tier);
//   q.Append(" ORDER BY id LIMIT ?", limit);
//   ForEachRow<crm::v1::Account>(session, q, [&](const crm::v1::Account& a) { ... });
//
// Also the statement shapes every store runs, with SOCI errors turned into a status named by
// `context`: one row by key (QueryOne), every row of a list (QueryAll), and a write that only
// applies at an expected revision (ExecuteAtRevision). Rows map through soci::type_conversion<T>.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <soci/soci.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/db/dialect.h"
#include "common/db/named_parameters.h"
#include "common/db/sql_error.h"

namespace crm::db {

class SqlQuery {
 public:
  explicit SqlQuery(absl::string_view select) {
    // Room for the usual WHERE and LIMIT fragments without growing the text again.
    text_.reserve(select.size() + 64);
    text_.append(select.data(), select.size());
  }

  // Adds "WHERE <predicate>" or "AND <predicate>"; each '?' in it takes the next argument.
  template <typename... Args>
  SqlQuery& Where(absl::string_view predicate, const Args&... args) {
    text_ += has_where_ ? " AND " : " WHERE ";
    has_where_ = true;
    AppendFragment(predicate);
    (Bind(args), ...);
    return *this;
  }

  // Adds "<column> IN (?, ...)" over `values`; no values matches no row.
  SqlQuery& WhereIn(absl::string_view column, const std::vector<std::string>& values) {
    if (values.empty()) return Where("1 = 0");
    Where(absl::StrCat(column, " IN (?"), values.front());
    for (size_t i = 1; i < values.size(); ++i) Append(", ?", values[i]);
    return Append(")");
  }

  // Appends a fragment (ORDER BY, LIMIT, ...) with its arguments.
  template <typename... Args>
  SqlQuery& Append(absl::string_view fragment, const Args&... args) {
    AppendFragment(fragment);
    (Bind(args), ...);
    return *this;
  }

  const std::string& text() const { return text_; }
  // Prepares the statement with every parameter bound, ready for into() and execute(). The
  // statement refers to the query's values: the query must outlive it and not grow meanwhile.
  void BindTo(soci::statement& statement) const;
  // Calls one of the visitors per parameter, in placeholder order (for binding outside SOCI).
  template <typename OnText, typename OnInt, typename OnDouble>
  void VisitParameters(OnText&& on_text, OnInt&& on_int, OnDouble&& on_double) const {
    for (const auto& [kind, index] : order_) {
      switch (kind) {
        case Kind::kString: on_text(strings_[index]); break;
        case Kind::kInt: on_int(ints_[index]); break;
        case Kind::kDouble: on_double(doubles_[index]); break;
      }
    }
  }

 private:
  void AppendFragment(absl::string_view fragment);
  void Bind(const std::string& value);
  void Bind(const char* value) { Bind(std::string(value)); }
  void Bind(absl::string_view value) { Bind(std::string(value)); }
  void Bind(long long value);
  void Bind(int value) { Bind(static_cast<long long>(value)); }
  void Bind(long value) { Bind(static_cast<long long>(value)); }
  void Bind(double value);

  std::string text_;
  bool has_where_ = false;
  int next_placeholder_ = 0;
  // Vectors, not deques: an empty vector allocates nothing, and a query is built per call. SOCI
  // binds references to the elements, so nothing is added after BindTo (it is const).
  std::vector<std::string> strings_;
  std::vector<long long> ints_;
  std::vector<double> doubles_;
  enum class Kind { kString, kInt, kDouble };
  std::vector<std::pair<Kind, size_t>> order_;
};

// Runs `query` and calls `on_row` for each row mapped through soci::type_conversion<T>.
template <typename T>
void ForEachRow(soci::session& session, const SqlQuery& query, const std::function<void(const T&)>& on_row) {
  T row;
  soci::statement statement(session);
  statement.alloc();
  statement.prepare(query.text());
  query.BindTo(statement);
  statement.exchange(soci::into(row));
  statement.define_and_bind();
  statement.execute(false);
  while (statement.fetch()) on_row(row);
}

// Runs `query` (an INSERT / UPDATE / DELETE) with its parameters bound; returns the rows affected.
long long Execute(soci::session& session, const SqlQuery& query);

namespace internal {
// Runs `sql` on a SQLite session with `parameters` bound by name; returns the rows affected.
long long ExecuteNamedOnSqlite(soci::session& session, const std::string& sql, const NamedParameters& parameters);

template <typename T>
NamedParameters ColumnsOf(const T& row) {
  NamedParameters columns;
  soci::indicator indicator = soci::i_ok;
  soci::type_conversion<T>::to_base(row, columns, indicator);
  return columns;
}
}  // namespace internal

// A named integer parameter that is not a column of the row (":expected_revision", ":rearm").
struct NamedInteger {
  const char* name;
  long long value;
};

// Runs `sql` (an INSERT / UPDATE naming its parameters ":column") with `row`'s columns bound by
// name through soci::type_conversion<T>::to_base (see named_parameters.h), and `extra` besides;
// returns the rows affected. On SQLite the statement is compiled once per pooled connection, not
// per call.
template <typename T>
long long ExecuteRow(soci::session& session, const std::string& sql, const T& row,
                     std::initializer_list<NamedInteger> extra = {}) {
  if (IsSqlite(session)) {
    NamedParameters parameters = internal::ColumnsOf(row);
    for (const NamedInteger& parameter : extra) parameters.set(parameter.name, parameter.value);
    return internal::ExecuteNamedOnSqlite(session, sql, parameters);
  }
  soci::statement statement(session);
  statement.exchange(soci::use(row));
  for (const NamedInteger& parameter : extra) statement.exchange(soci::use(parameter.value, parameter.name));
  statement.alloc();
  statement.prepare(sql);
  statement.define_and_bind();
  statement.execute(true);
  return statement.get_affected_rows();
}

// Runs `query` for one integer (COUNT(*), SUM(...)); 0 when the result is NULL.
long long QueryInt64(soci::session& session, const SqlQuery& query);

// The row `sql` selects with `key` bound to its one placeholder; nullopt when there is none.
template <typename T>
absl::StatusOr<std::optional<T>> QueryOne(soci::session& session, const std::string& sql, const std::string& key,
                                          absl::string_view context) {
  T row;
  bool found = false;
  absl::Status status = Guard(context, [&]() -> absl::Status {
    session << sql, soci::use(key), soci::into(row);
    found = session.got_data();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return std::optional<T>();
  return std::optional<T>(std::move(row));
}

// Every row `query` selects, in its order.
template <typename T>
absl::StatusOr<std::vector<T>> QueryAll(soci::session& session, const SqlQuery& query, absl::string_view context) {
  std::vector<T> rows;
  absl::Status status = Guard(context, [&]() -> absl::Status {
    ForEachRow<T>(session, query, [&](const T& row) { rows.push_back(row); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

// Runs `sql` (an UPDATE ending in "... AND revision = :expected_revision") with `row`'s columns
// bound by name. True when it changed the row; false when the stored revision had moved on.
template <typename T>
absl::StatusOr<bool> ExecuteAtRevision(soci::session& session, const std::string& sql, const T& row,
                                       int64_t expected_revision, absl::string_view context) {
  bool changed = false;
  absl::Status status = Guard(context, [&]() -> absl::Status {
    changed = ExecuteRow(session, sql, row, {{"expected_revision", expected_revision}}) == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

}  // namespace crm::db
