// The database side every benchmark shares: opening it as the server would, its schema (every
// migration crm-server applies), starting over, and its size.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "common/db/migrations.h"

namespace crm::bench {

// Every migration crm-server applies at start, in its order.
std::vector<db::MigrationSet> ServerMigrations();

// One connection, with the server's settings (SQLite: WAL, synchronous=FULL).
absl::StatusOr<std::unique_ptr<db::Database>> OpenDatabase(const std::string& url);

// Deletes the SQLite file (and its WAL) or drops the MySQL database.
absl::Status Replace(const std::string& url);

// Bytes the database takes: the SQLite file and its WAL, or MySQL's data and index lengths.
int64_t DatabaseBytes(db::Database& db);

}  // namespace crm::bench
