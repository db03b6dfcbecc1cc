// Compiled SQLite statements kept per pooled connection. SOCI compiles a statement
// (sqlite3_prepare_v2) on every call and describes its columns again; for a read by key that
// compiling costs more than running it. A connection Database pools keeps each statement it
// compiled, keyed by its text, and runs it again after a reset. Other connections (and MySQL)
// compile per call as before.
#pragma once

#include <optional>
#include <string>

#include <soci/soci.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// SOCI's header declares SQLite's API inside this namespace.
namespace sqlite_api {
struct sqlite3;
struct sqlite3_stmt;
}

namespace crm::db {

class NamedParameters;
class SqlQuery;

// Starts keeping compiled statements for `session`'s SQLite connection (nothing on MySQL).
void KeepStatements(soci::session& session);
// Finalizes them. Must come before the connection closes: SQLite does not close a connection
// that still has statements.
void DropStatements(soci::session& session);
// Statements kept for `session`'s connection (for tests and figures).
size_t KeptStatementCount(soci::session& session);

// One compiled statement on a SQLite connection, lent for one execution: on destruction it is
// reset and its parameters cleared (a statement left mid-result would hold its read snapshot
// open), and finalized when it is not kept.
class SqliteStatement {
 public:
  // `query` compiled on `session`'s connection, or the kept one, with its parameters bound. A
  // statement already lent out (a nested use of the same text) gets a fresh one that is not kept.
  static absl::StatusOr<SqliteStatement> Prepare(soci::session& session, const SqlQuery& query,
                                                 absl::string_view context);
  // The same for callers inside Guard: nullopt when `session` is not SQLite, and a failure
  // thrown as the soci_error SOCI would have thrown. The second form is for text without
  // parameters.
  static std::optional<SqliteStatement> PrepareOrThrow(soci::session& session, const SqlQuery& query);
  static std::optional<SqliteStatement> PrepareOrThrow(soci::session& session, const std::string& sql);
  // The same for text naming its parameters (":name"), each bound from `parameters`, which must
  // outlive the statement's use (text is bound without a copy). Throws soci_error for a parameter
  // with no value.
  static std::optional<SqliteStatement> PrepareOrThrow(soci::session& session, const std::string& sql,
                                                       const NamedParameters& parameters);
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  sqlite_api::sqlite3_stmt* get() const { return statement_; }
  // Steps through every row (an INSERT, UPDATE, DELETE or BEGIN has none); throws on failure.
  void RunToEnd();
  // The status for `result_code` from this statement's connection, classified like SOCI's errors
  // (busy → retryable, constraint → ALREADY_EXISTS / FAILED_PRECONDITION, ...).
  absl::Status Failure(int result_code, absl::string_view context) const;
  // The same as the exception SOCI would have thrown, for callers inside Guard.
  [[noreturn]] void Throw(int result_code) const;

  // Bookkeeping of a kept statement (public for the registry in the .cc).
  struct Slot;

 private:
  SqliteStatement(sqlite_api::sqlite3_stmt* statement, Slot* slot) : statement_(statement), slot_(slot) {}
  // The statement for `sql` into `lent`, with `parameters` (may be null) bound; SQLITE_OK, or the
  // result code compiling or binding failed with.
  static int Lend(sqlite_api::sqlite3* connection, const std::string& sql, const SqlQuery* parameters,
                  std::optional<SqliteStatement>* lent);
  // The same without binding: the kept statement for `sql`, or a fresh one.
  static int Compile(sqlite_api::sqlite3* connection, const std::string& sql, std::optional<SqliteStatement>* lent);
  static std::optional<SqliteStatement> LendOrThrow(soci::session& session, const std::string& sql,
                                                    const SqlQuery* parameters);
  // Binds `query`'s parameters in placeholder order; SQLITE_OK or the first failure's code.
  int Bind(const SqlQuery& query);
  // Binds each parameter by its name; throws on a parameter with no value or a failed bind.
  void BindNamed(const NamedParameters& parameters);

  sqlite_api::sqlite3_stmt* statement_;
  Slot* slot_;  // the kept statement's bookkeeping; null when not kept
};

// Runs `sql`, a statement without parameters or results (BEGIN, COMMIT, SAVEPOINT x, ...), like
// `session << sql`: compiled once per pooled SQLite connection, and throwing soci_error on failure.
void RunStatement(soci::session& session, const std::string& sql);

}  // namespace crm::db
