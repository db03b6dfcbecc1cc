#include "bench/bench_database.h"

#include <soci/soci.h>

#include <filesystem>
#include <system_error>

#include "common/db/sql_error.h"
#include "services/server/all_modules.h"

namespace crm::bench {

std::vector<db::MigrationSet> ServerMigrations() {
  std::vector<db::MigrationSet> sets = {db::CommonMigrations()};
  for (const server::ModuleSpec& spec : AllModules()) {
    if (!spec.migrations) continue;
    for (db::MigrationSet& set : spec.migrations()) sets.push_back(std::move(set));
  }
  return sets;
}

absl::StatusOr<std::unique_ptr<db::Database>> OpenDatabase(const std::string& url) {
  db::DatabaseOptions options;
  options.url = url;
  options.pool_size = 1;
  return db::Database::Open(options);
}

// Removes the SQLite files, or drops the MySQL database (Open creates it again).
absl::Status Replace(const std::string& url) {
  absl::StatusOr<db::ConnectionSpec> spec = db::ParseDatabaseUrl(url);
  if (!spec.ok()) return spec.status();
  if (spec->backend == db::Backend::kSqlite) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(spec->sqlite_path + suffix, ignored);
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<db::Database>> db = OpenDatabase(url);
  if (!db.ok()) return db.status();
  // The name passed ParseDatabaseUrl's identifier check (letters, digits, _).
  return (*db)->WithSession([&](soci::session& sql) {
    return db::Guard("drop database", [&]() -> absl::Status {
      sql << "DROP DATABASE `" + spec->database + "`";
      return absl::OkStatus();
    });
  });
}

int64_t DatabaseBytes(db::Database& db) {
  if (db.backend() == db::Backend::kSqlite) {
    int64_t bytes = 0;
    std::error_code error;
    for (const char* suffix : {"", "-wal"}) {
      const auto size = std::filesystem::file_size(db.spec().sqlite_path + suffix, error);
      if (!error) bytes += static_cast<int64_t>(size);
    }
    return bytes;
  }
  long long bytes = 0;
  absl::Status status = db.WithSession([&](soci::session& sql) {
    return db::Guard("database size", [&]() -> absl::Status {
      soci::indicator ind = soci::i_ok;
      sql << "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = DATABASE()",
          soci::into(bytes, ind);
      if (ind != soci::i_ok) bytes = 0;
      return absl::OkStatus();
    });
  });
  return status.ok() ? bytes : 0;
}

}  // namespace crm::bench
