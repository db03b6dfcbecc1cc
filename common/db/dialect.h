// Every difference between the SQLite and MySQL/MariaDB dialects is answered here, so stores
// and migrations are written once for both backends.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace crm::db {

enum class Backend { kSqlite, kMysql };

class Dialect {
 public:
  explicit Dialect(Backend backend) : backend_(backend) {}

  Backend backend() const { return backend_; }
  absl::string_view name() const { return backend_ == Backend::kSqlite ? "sqlite" : "mysql"; }

  // Expands the portable DDL tokens used by migrations:
  //   {{AUTO_PK}}        an auto-increment 64-bit primary key column type
  //   {{LONG_TEXT}}      text up to a few MB
  //   {{TABLE_OPTIONS}}  engine / charset / collation suffix of CREATE TABLE
  //   {{INSERT_IGNORE}}  INSERT that skips rows whose key exists
  // Indexes use CREATE INDEX IF NOT EXISTS (SQLite and MariaDB).
  // Strings compare byte-wise (binary collation) on both backends so sorting and uniqueness agree.
  std::string ExpandDdl(absl::string_view ddl) const;

  // Starts a transaction that will write. SQLite takes the write lock up front so two writers
  // never deadlock on a read→write upgrade.
  const char* BeginWrite() const;
  const char* BeginRead() const;

  // "INSERT OR IGNORE" / "INSERT IGNORE": insert unless a unique key already holds the row.
  const char* InsertIgnore() const;

  // Suffix locking selected rows for the rest of the transaction ("" where the whole database
  // is already locked by the write transaction).
  const char* ForUpdate() const;

  // A LIKE pattern matching `text` as a case-insensitive substring, with `!` as escape
  // character; pair with ContainsPredicate.
  static std::string ContainsPattern(absl::string_view text);
  // "LOWER(<column>) LIKE ? ESCAPE '!'" — bind ContainsPattern(text).
  static std::string ContainsPredicate(absl::string_view column);

 private:
  Backend backend_;
};

}  // namespace crm::db
