// A SELECT assembled from fixed SQL fragments with bound parameters, for list queries whose
// filters vary per request. Request text is only ever bound, never spliced into SQL.
//
//   SqlQuery q("SELECT ... FROM accounts");
//   q.Where("owner = ?", owner).Where("tier = ?", tier);
//   q.Append(" ORDER BY id LIMIT ?", limit);
//   ForEachRow<crm::v1::Account>(session, q, [&](const crm::v1::Account& a) { ... });
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "absl/strings/string_view.h"

namespace crm::db {

class SqlQuery {
 public:
  explicit SqlQuery(absl::string_view select) : text_(select) {}

  // Adds "WHERE <predicate>" or "AND <predicate>"; each '?' in it takes the next argument.
  template <typename... Args>
  SqlQuery& Where(absl::string_view predicate, const Args&... args) {
    text_ += has_where_ ? " AND " : " WHERE ";
    has_where_ = true;
    AppendFragment(predicate);
    (Bind(args), ...);
    return *this;
  }

  // Appends a fragment (ORDER BY, LIMIT, ...) with its arguments.
  template <typename... Args>
  SqlQuery& Append(absl::string_view fragment, const Args&... args) {
    AppendFragment(fragment);
    (Bind(args), ...);
    return *this;
  }

  const std::string& text() const { return text_; }
  // Prepares the statement with every parameter bound, ready for into() and execute().
  void BindTo(soci::statement& statement) const;

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
  // Deques keep element addresses stable, which SOCI's bound references require.
  mutable std::deque<std::string> strings_;
  mutable std::deque<long long> ints_;
  mutable std::deque<double> doubles_;
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

// Runs `query` for one integer (COUNT(*), SUM(...)); 0 when the result is NULL.
long long QueryInt64(soci::session& session, const SqlQuery& query);

}  // namespace crm::db
