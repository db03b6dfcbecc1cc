// Versioned schema migrations, applied at start and recorded in `schema_migrations`.
// Each module (common, accounts, pipeline, ...) owns an ordered list; versions only grow, and an
// applied migration is never edited — a change is a new migration.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/database.h"

namespace soci {
class session;
}

namespace crm::db {

struct Migration {
  int version;
  std::string name;
  // Portable DDL; see Dialect::ExpandDdl for the tokens.
  std::vector<std::string> statements;
  // Optional data step run after the statements (seed rows such as a default pipeline); it
  // must use only bound parameters and work on both backends.
  std::function<void(soci::session&, const Dialect&)> seed;
};

struct MigrationSet {
  std::string module;
  std::vector<Migration> migrations;
};

// Applies every migration not yet recorded, in order, holding a lock so that two processes
// starting together do not both migrate.
absl::Status ApplyMigrations(Database& db, const std::vector<MigrationSet>& sets);

// Whether `table` exists in the database: code that reaches into another module's tables (a
// merge moving every row of an account) skips those of a module this database never had.
absl::StatusOr<bool> TableExists(soci::session& sql, const std::string& table);

// The migrations of common/: the event outbox, request replay, server secrets, the audit trail.
MigrationSet CommonMigrations();

}  // namespace crm::db
