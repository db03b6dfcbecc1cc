// The database side every benchmark shares: opening it as the server would, its schema (every
// migration crm-server applies), starting over, and its size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// The database a benchmark loads its data set into, migrated: the one at `url` as it is when
// `holds_data_set` finds that data set there (and `regenerate` is false), else a new empty one.
// On SQLite the loader's connection gets a `sqlite_cache_mib` page cache (also the sorter's memory
// when indexes are built), `sqlite_threads` sorter threads and no fsync per commit: a load cut
// short is loaded again anyway, as loaders record their data set last.
struct LoaderDatabase {
  std::unique_ptr<db::Database> db;
  bool reused = false;
  double migrate_seconds = 0;
};
absl::StatusOr<LoaderDatabase> OpenLoaderDatabase(const std::string& url, bool regenerate, int sqlite_cache_mib,
                                                  int sqlite_threads,
                                                  const std::function<absl::StatusOr<bool>(db::Database&)>& holds_data_set);

// What a loader records last, so that a database is reused only when it holds the whole data
// set its options describe (a load cut short records nothing): one row per benchmark in
// bench_data_sets.
struct DataSetRecord {
  int64_t generator_version = 0;
  uint64_t seed = 0;
  int64_t accounts = 0;
  std::string last_id;  // the last loaded account's id, for a benchmark that removes what it adds
};
absl::Status RecordDataSet(db::Database& db, const std::string& bench, const DataSetRecord& record);
// The record of `bench`; nullopt when there is none.
absl::StatusOr<std::optional<DataSetRecord>> FindDataSet(db::Database& db, const std::string& bench);
// Whether the record of `bench` is for this generator version, seed and number of accounts.
absl::StatusOr<bool> HoldsDataSet(db::Database& db, const std::string& bench, const DataSetRecord& wanted);
// FAILED_PRECONDITION unless the database holds no accounts: a loader starts on an empty one.
absl::Status RequireNoAccounts(db::Database& db);

// SQLite: folds the WAL into the file, so that the file's size is the data's and a server opening
// it next has no WAL of a few GiB to read through. Nothing on MySQL.
void CheckpointWal(db::Database& db);

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
