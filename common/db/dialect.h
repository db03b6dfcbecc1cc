// Every difference between the SQLite and MySQL/MariaDB dialects is answered here, so stores
// and migrations are written once for both backends.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace soci {
class session;
}

namespace crm::db {

enum class Backend { kSqlite, kMysql };

// True when `session` is connected to SQLite (false when it is not connected at all).
bool IsSqlite(soci::session& session);

class Dialect {
 public:
  explicit Dialect(Backend backend) : backend_(backend) {}

  // The dialect of the backend `session` is connected to.
  static Dialect Of(soci::session& session);

  Backend backend() const { return backend_; }
  absl::string_view name() const { return backend_ == Backend::kSqlite ? "sqlite" : "mysql"; }

  // Expands the portable DDL tokens used by migrations:
  //   {{AUTO_PK}}        an auto-increment 64-bit primary key column type
  //   {{LONG_TEXT}}      text up to a few MB
  //   {{TABLE_OPTIONS}}  engine / charset / collation suffix of CREATE TABLE
  //   {{KEYED_TABLE_OPTIONS}}  the same for a table stored in primary-key order (SQLite:
  //                      WITHOUT ROWID), so range scans over the key read adjacent rows
  //   {{INSERT_IGNORE}}  INSERT that skips rows whose key exists
  // Indexes use CREATE INDEX IF NOT EXISTS (SQLite and MariaDB).
  // Strings compare byte-wise (binary collation) on both backends so sorting and uniqueness agree.
  std::string ExpandDdl(absl::string_view ddl) const;

  // DROP INDEX of `index` on `table`, if it exists (MySQL names the table, SQLite does not).
  std::string DropIndex(absl::string_view table, absl::string_view index) const;

  // Starts a transaction that will write. SQLite takes the write lock up front so two writers
  // never deadlock on a read→write upgrade.
  const char* BeginWrite() const;
  const char* BeginRead() const;

  // "INSERT OR IGNORE" / "INSERT IGNORE": insert unless a unique key already holds the row.
  const char* InsertIgnore() const;

  // Suffix for "INSERT INTO t (...) VALUES ..." that, where a row with the same key exists, adds
  // the new values of `added_columns` to the stored ones instead (counters, running sums).
  // `key_columns` must be the table's primary key.
  std::string OnConflictAdd(const std::vector<std::string>& key_columns,
                            const std::vector<std::string>& added_columns) const;

  // Suffix locking selected rows for the rest of the transaction ("" where the whole database
  // is already locked by the write transaction).
  const char* ForUpdate() const;
  // Suffix taking a shared lock on the selected rows: others may read and share-lock them, a
  // writer waits (a record created under an account keeps a merge of that account waiting).
  const char* ForShare() const;

  // A LIKE pattern matching `text` as a case-insensitive substring, with `!` as escape
  // character; pair with ContainsPredicate.
  static std::string ContainsPattern(absl::string_view text);
  // "LOWER(<column>) LIKE ? ESCAPE '!'" — bind ContainsPattern(text).
  static std::string ContainsPredicate(absl::string_view column);

 private:
  Backend backend_;
};

}  // namespace crm::db
