#include "bench/bench_database.h"

#include <algorithm>

#include <soci/soci.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/sql_error.h"
#include "common/server/host_migrations.h"
#include "services/server/all_modules.h"

namespace crm::bench {

std::vector<db::MigrationSet> ServerMigrations() { return server::HostMigrations(AllModules()); }

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

absl::StatusOr<LoaderDatabase> OpenLoaderDatabase(const std::string& url, bool regenerate, int sqlite_cache_mib,
                                                  int sqlite_threads,
                                                  const std::function<absl::StatusOr<bool>(db::Database&)>& holds_data_set) {
  LoaderDatabase loader;
  if (!regenerate) {
    absl::StatusOr<std::unique_ptr<db::Database>> existing = OpenDatabase(url);
    if (existing.ok()) {
      absl::StatusOr<bool> found = holds_data_set(**existing);
      loader.reused = found.ok() && *found;
    }
  }
  if (!loader.reused) {
    if (absl::Status s = Replace(url); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("replace the database: ", s.message()));
    }
  }
  absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenDatabase(url);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(), absl::StrCat("open the database: ", opened.status().message()));
  }
  loader.db = *std::move(opened);
  if (loader.db->backend() == db::Backend::kSqlite) {
    (void)loader.db->WithSession([&](soci::session& sql) {
      return db::Guard("loader settings", [&]() -> absl::Status {
        sql << "PRAGMA cache_size=-" + std::to_string(sqlite_cache_mib * 1024);
        sql << "PRAGMA threads=" + std::to_string(sqlite_threads);
        sql << "PRAGMA synchronous=OFF";
        return absl::OkStatus();
      });
    });
  }
  const absl::Time start = absl::Now();
  if (absl::Status s = db::ApplyMigrations(*loader.db, ServerMigrations()); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("migrations: ", s.message()));
  }
  loader.migrate_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return loader;
}

absl::Status RecordDataSet(db::Database& db, const std::string& bench, const DataSetRecord& record) {
  return db.Write([&](db::Tx& tx) {
    return db::Guard("record the data set", [&]() -> absl::Status {
      soci::session& sql = tx.session();
      sql << "CREATE TABLE IF NOT EXISTS bench_data_sets (bench VARCHAR(40) NOT NULL PRIMARY KEY,"
             " generator_version BIGINT NOT NULL, seed BIGINT NOT NULL, accounts BIGINT NOT NULL,"
             " last_id VARCHAR(64) NOT NULL)";
      long long version = record.generator_version, seed = static_cast<long long>(record.seed),
                accounts = record.accounts;
      sql << "DELETE FROM bench_data_sets WHERE bench = :b", soci::use(bench);
      sql << "INSERT INTO bench_data_sets (bench, generator_version, seed, accounts, last_id)"
             " VALUES (:b, :v, :s, :a, :l)",
          soci::use(bench), soci::use(version), soci::use(seed), soci::use(accounts), soci::use(record.last_id);
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<std::optional<DataSetRecord>> FindDataSet(db::Database& db, const std::string& bench) {
  std::optional<DataSetRecord> found;
  absl::Status status = db.Read([&](soci::session& sql) -> absl::Status {
    absl::StatusOr<bool> table = db::TableExists(sql, "bench_data_sets");
    if (!table.ok()) return table.status();
    if (!*table) return absl::OkStatus();
    return db::Guard("read the data set", [&]() -> absl::Status {
      DataSetRecord record;
      long long version = 0, seed = 0, accounts = 0;
      sql << "SELECT generator_version, seed, accounts, last_id FROM bench_data_sets WHERE bench = :b",
          soci::use(bench), soci::into(version), soci::into(seed), soci::into(accounts), soci::into(record.last_id);
      if (!sql.got_data()) return absl::OkStatus();
      record.generator_version = version;
      record.seed = static_cast<uint64_t>(seed);
      record.accounts = accounts;
      found = std::move(record);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<bool> HoldsDataSet(db::Database& db, const std::string& bench, const DataSetRecord& wanted) {
  absl::StatusOr<std::optional<DataSetRecord>> found = FindDataSet(db, bench);
  if (!found.ok()) return found.status();
  return found->has_value() && (*found)->generator_version == wanted.generator_version &&
         (*found)->seed == wanted.seed && (*found)->accounts == wanted.accounts;
}

absl::Status RequireNoAccounts(db::Database& db) {
  long long existing = 0;
  absl::Status status = db.Read([&](soci::session& sql) {
    return db::Guard("count accounts", [&]() -> absl::Status {
      sql << "SELECT COUNT(*) FROM accounts", soci::into(existing);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (existing > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database already holds ", existing, " accounts; start from an empty one"));
  }
  return absl::OkStatus();
}

void CheckpointWal(db::Database& db) {
  if (db.backend() != db::Backend::kSqlite) return;
  (void)db.WithSession([&](soci::session& sql) {
    return db::Guard("checkpoint", [&]() -> absl::Status {
      sql << "PRAGMA wal_checkpoint(TRUNCATE)";
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

absl::Status WriteInTransactions(db::Database& db, db::BulkInsert& insert, int64_t count, int64_t per_transaction,
                                 const std::function<void(int64_t)>& add_row) {
  for (int64_t begin = 0; begin < count; begin += per_transaction) {
    const int64_t end = std::min(count, begin + per_transaction);
    absl::Status status = db.Write([&](db::Tx& tx) {
      return insert.Run(tx.session(), [&] {
        for (int64_t i = begin; i < end; ++i) add_row(i);
      });
    });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::vector<db::BulkInsert::Column> AccountColumns() {
  using B = db::BulkInsert;
  return {{"id", B::kText},           {"name", B::kText},          {"kind", B::kInt},
          {"industry", B::kText},     {"region", B::kText},        {"size_band", B::kInt},
          {"revenue_currency", B::kText}, {"revenue_units", B::kInt}, {"revenue_nanos", B::kInt},
          {"owner", B::kText},        {"lifecycle_stage", B::kInt}, {"tier", B::kInt},
          {"tags", B::kText},         {"profession", B::kText},    {"age_band", B::kInt},
          {"external_key", B::kText}, {"create_time", B::kInt},    {"update_time", B::kInt},
          {"delete_time", B::kInt},   {"revision", B::kInt},        {"custom_fields", B::kText}};
}

std::vector<db::BulkInsert::Column> TicketColumns() {
  using B = db::BulkInsert;
  return {{"id", B::kText},
          {"account_id", B::kText},
          {"contact_id", B::kText},
          {"channel", B::kInt},
          {"category", B::kText},
          {"priority", B::kInt},
          {"subject", B::kText},
          {"description", B::kText},
          {"status", B::kInt},
          {"assignee", B::kText},
          {"assignee_group", B::kText},
          {"escalation_level", B::kInt},
          {"account_tier", B::kInt},
          {"sla_policy_id", B::kText},
          {"calendar_id", B::kText},
          {"warning_percent", B::kInt},
          {"first_response_minutes", B::kInt},
          {"resolution_minutes", B::kInt},
          {"first_response_due", B::kInt},
          {"first_response_warning", B::kInt},
          {"resolution_due", B::kInt},
          {"resolution_warning", B::kInt},
          {"first_response_breached", B::kInt},
          {"resolution_breached", B::kInt},
          {"next_escalation_time", B::kInt},
          {"reporter", B::kText},
          {"create_time", B::kInt},
          {"update_time", B::kInt},
          {"first_response_time", B::kInt},
          {"resolve_time", B::kInt},
          {"close_time", B::kInt},
          {"revision", B::kInt}};
}

}  // namespace crm::bench
