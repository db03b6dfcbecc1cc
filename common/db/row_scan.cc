#include "common/db/row_scan.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/db/dialect.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "common/db/sqlite_statements.h"

namespace crm::db {
namespace {

namespace sq = ::sqlite_api;

class SqliteRow final : public ScannedRow {
 public:
  explicit SqliteRow(sq::sqlite3_stmt* statement) : statement_(statement) {}
  int64_t Int(int column) const override { return sq::sqlite3_column_int64(statement_, column); }
  absl::string_view Text(int column) const override {
    const unsigned char* text = sq::sqlite3_column_text(statement_, column);
    if (text == nullptr) return absl::string_view();
    return absl::string_view(reinterpret_cast<const char*>(text),
                             static_cast<size_t>(sq::sqlite3_column_bytes(statement_, column)));
  }
  bool IsNull(int column) const override { return sq::sqlite3_column_type(statement_, column) == SQLITE_NULL; }

 private:
  sq::sqlite3_stmt* statement_;
};

class SociRow final : public ScannedRow {
 public:
  explicit SociRow(const soci::row& row) : row_(row) {}
  int64_t Int(int column) const override { return GetInt64(row_, static_cast<size_t>(column)); }
  absl::string_view Text(int column) const override {
    text_ = GetString(row_, static_cast<size_t>(column));
    return text_;
  }
  bool IsNull(int column) const override { return row_.get_indicator(static_cast<size_t>(column)) == soci::i_null; }

 private:
  const soci::row& row_;
  mutable std::string text_;
};

absl::Status ScanSqlite(soci::session& sql, const SqlQuery& query, absl::string_view context,
                        absl::FunctionRef<bool(const ScannedRow&)> on_row) {
  absl::StatusOr<SqliteStatement> statement = SqliteStatement::Prepare(sql, query, context);
  if (!statement.ok()) return statement.status();
  const SqliteRow row(statement->get());
  for (;;) {
    const int step = sq::sqlite3_step(statement->get());
    if (step == SQLITE_DONE) return absl::OkStatus();
    if (step != SQLITE_ROW) return statement->Failure(step, context);
    if (!on_row(row)) return absl::OkStatus();
  }
}

}  // namespace

absl::Status ScanRows(soci::session& sql, const SqlQuery& query, absl::string_view context,
                      absl::FunctionRef<bool(const ScannedRow&)> on_row) {
  if (IsSqlite(sql)) return ScanSqlite(sql, query, context, on_row);
  return Guard(context, [&]() -> absl::Status {
    soci::row row;
    soci::statement statement(sql);
    statement.alloc();
    statement.prepare(query.text());
    query.BindTo(statement);
    statement.exchange(soci::into(row));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      if (!on_row(SociRow(row))) break;
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::db
