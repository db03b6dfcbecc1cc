// The database side every benchmark shares: opening it as the server would, its schema (every
// migration crm-server applies), starting over, and its size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/bulk_insert.h"
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

// Writes rows [0, count) through `insert`, `per_transaction` rows per write transaction;
// `add_row(i)` adds row i.
absl::Status WriteInTransactions(db::Database& db, db::BulkInsert& insert, int64_t count, int64_t per_transaction,
                                 const std::function<void(int64_t)>& add_row);

// Every column of the accounts and tickets tables in the order the loaders fill them (the
// schemas are in services/accounts/accounts_schema.cc and services/servicedesk/ticket_schema.cc).
std::vector<db::BulkInsert::Column> AccountColumns();
std::vector<db::BulkInsert::Column> TicketColumns();

}  // namespace crm::bench
