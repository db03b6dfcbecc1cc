#include "common/db/query.h"

#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/str_cat.h"
#include "common/db/sqlite_statements.h"

namespace crm::db {

void SqlQuery::AppendFragment(absl::string_view fragment) {
  // '?' becomes a SOCI placeholder; positions follow the order of Bind calls.
  for (char c : fragment) {
    if (c == '?') {
      absl::StrAppend(&text_, ":p", next_placeholder_++);
    } else {
      text_.push_back(c);
    }
  }
}

void SqlQuery::Bind(const std::string& value) {
  strings_.push_back(value);
  order_.emplace_back(Kind::kString, strings_.size() - 1);
}

void SqlQuery::Bind(long long value) {
  ints_.push_back(value);
  order_.emplace_back(Kind::kInt, ints_.size() - 1);
}

void SqlQuery::Bind(double value) {
  doubles_.push_back(value);
  order_.emplace_back(Kind::kDouble, doubles_.size() - 1);
}

void SqlQuery::BindTo(soci::statement& statement) const {
  for (const auto& [kind, index] : order_) {
    switch (kind) {
      case Kind::kString:
        statement.exchange(soci::use(strings_[index]));
        break;
      case Kind::kInt:
        statement.exchange(soci::use(ints_[index]));
        break;
      case Kind::kDouble:
        statement.exchange(soci::use(doubles_[index]));
        break;
    }
  }
}

namespace sq = ::sqlite_api;

long long QueryInt64(soci::session& session, const SqlQuery& query) {
  if (std::optional<SqliteStatement> statement = SqliteStatement::PrepareOrThrow(session, query)) {
    const int step = sq::sqlite3_step(statement->get());
    if (step == SQLITE_DONE) return 0;
    if (step != SQLITE_ROW) statement->Throw(step);
    return sq::sqlite3_column_int64(statement->get(), 0);  // NULL reads as 0
  }
  long long value = 0;
  soci::indicator indicator = soci::i_ok;
  soci::statement statement(session);
  statement.alloc();
  statement.prepare(query.text());
  query.BindTo(statement);
  statement.exchange(soci::into(value, indicator));
  statement.define_and_bind();
  statement.execute(true);
  return indicator == soci::i_ok ? value : 0;
}

long long Execute(soci::session& session, const SqlQuery& query) {
  if (std::optional<SqliteStatement> statement = SqliteStatement::PrepareOrThrow(session, query)) {
    statement->RunToEnd();
    return sq::sqlite3_changes(sq::sqlite3_db_handle(statement->get()));
  }
  soci::statement statement(session);
  statement.alloc();
  statement.prepare(query.text());
  query.BindTo(statement);
  statement.define_and_bind();
  statement.execute(true);
  return statement.get_affected_rows();
}

}  // namespace crm::db

namespace crm::db::internal {

long long ExecuteNamedOnSqlite(soci::session& session, const std::string& sql, const NamedParameters& parameters) {
  std::optional<SqliteStatement> statement = SqliteStatement::PrepareOrThrow(session, sql, parameters);
  statement->RunToEnd();
  return sq::sqlite3_changes(sq::sqlite3_db_handle(statement->get()));
}

}  // namespace crm::db::internal
