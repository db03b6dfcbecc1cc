#include "common/db/row_scan.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

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

// Finalizes the statement on every way out.
struct StatementCloser {
  sq::sqlite3_stmt* statement = nullptr;
  ~StatementCloser() {
    if (statement != nullptr) sq::sqlite3_finalize(statement);
  }
};

absl::Status ScanSqlite(soci::session& sql, const SqlQuery& query, absl::string_view context,
                        absl::FunctionRef<bool(const ScannedRow&)> on_row) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
  sq::sqlite3* connection = backend->conn_;
  StatementCloser closer;
  auto failure = [&](absl::string_view what) {
    return absl::InternalError(absl::StrCat(context, ": ", what, ": ", sq::sqlite3_errmsg(connection)));
  };
  if (sq::sqlite3_prepare_v2(connection, query.text().c_str(), -1, &closer.statement, nullptr) != SQLITE_OK) {
    return failure("prepare");
  }
  int index = 0;
  bool bound = true;
  query.VisitParameters(
      [&](const std::string& text) {
        bound &= sq::sqlite3_bind_text(closer.statement, ++index, text.data(), static_cast<int>(text.size()),
                                       reinterpret_cast<sq::sqlite3_destructor_type>(-1)) == SQLITE_OK;  // SQLITE_TRANSIENT
      },
      [&](long long number) { bound &= sq::sqlite3_bind_int64(closer.statement, ++index, number) == SQLITE_OK; },
      [&](double number) { bound &= sq::sqlite3_bind_double(closer.statement, ++index, number) == SQLITE_OK; });
  if (!bound) return failure("bind");
  const SqliteRow row(closer.statement);
  for (;;) {
    const int step = sq::sqlite3_step(closer.statement);
    if (step == SQLITE_DONE) return absl::OkStatus();
    if (step != SQLITE_ROW) return failure("step");
    if (!on_row(row)) return absl::OkStatus();
  }
}

}  // namespace

absl::Status ScanRows(soci::session& sql, const SqlQuery& query, absl::string_view context,
                      absl::FunctionRef<bool(const ScannedRow&)> on_row) {
  if (sql.get_backend_name() == "sqlite3") return ScanSqlite(sql, query, context, on_row);
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
