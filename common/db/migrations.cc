#include "common/db/migrations.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/sql_error.h"

namespace crm::db {
namespace {

constexpr char kCreateMigrationTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module VARCHAR(64) NOT NULL,"
    " version BIGINT NOT NULL,"
    " name VARCHAR(200) NOT NULL,"
    " applied_at BIGINT NOT NULL,"
    " PRIMARY KEY (module, version)){{TABLE_OPTIONS}}";
constexpr char kSelectApplied[] = "SELECT COUNT(*) FROM schema_migrations WHERE module = :m AND version = :v";
// A MariaDB user lock is server-wide and its name at most 64 characters: the database name is
// hashed into it.
constexpr char kMigrationLockName[] = "CONCAT('crm_migrations_', MD5(DATABASE()))";
constexpr char kRecordApplied[] =
    "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (:m, :v, :n, :t)";

absl::Status ApplyOne(soci::session& sql, const Dialect& dialect, const std::string& module,
                      const Migration& migration) {
  long long applied = 0;
  long long version = migration.version;
  // SQLite runs DDL transactionally, so a failed migration leaves nothing behind, and the write
  // lock taken before the "applied?" check keeps two processes starting together from both
  // applying it. MySQL commits DDL implicitly (its statements are re-runnable, IF NOT EXISTS);
  // there the GET_LOCK in ApplyMigrations serialises processes.
  try {
    if (dialect.backend() == Backend::kSqlite) sql << "BEGIN IMMEDIATE";
    sql << kSelectApplied, soci::use(module), soci::use(version), soci::into(applied);
    if (applied > 0) {
      if (dialect.backend() == Backend::kSqlite) sql << "COMMIT";
      return absl::OkStatus();
    }
    for (const std::string& statement : migration.statements) sql << dialect.ExpandDdl(statement);
    if (migration.seed) migration.seed(sql, dialect);
    long long now = absl::ToUnixMicros(absl::Now());
    sql << kRecordApplied, soci::use(module), soci::use(version), soci::use(migration.name), soci::use(now);
    if (dialect.backend() == Backend::kSqlite) sql << "COMMIT";
  } catch (...) {
    if (dialect.backend() == Backend::kSqlite) {
      try {
        sql << "ROLLBACK";
      } catch (...) {
      }
    }
    absl::Status status = StatusFromCurrentException(
        absl::StrCat("migration ", module, "/", migration.version, " (", migration.name, ")"));
    return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> TableExists(soci::session& sql, const std::string& table) {
  long long count = 0;
  absl::Status status = Guard("look up a table", [&]() -> absl::Status {
    if (Dialect::Of(sql).backend() == Backend::kSqlite) {
      sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :t", soci::use(table),
          soci::into(count);
    } else {
      sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = :t",
          soci::use(table), soci::into(count);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return count > 0;
}

absl::Status ApplyMigrations(Database& db, const std::vector<MigrationSet>& sets) {
  return db.WithSession([&](soci::session& sql) -> absl::Status {
    const Dialect& dialect = db.dialect();
    sql << dialect.ExpandDdl(kCreateMigrationTable);
    int locked = 0;
    if (dialect.backend() == Backend::kMysql) {
      soci::indicator ind;
      // Per database: other databases on the same server migrate independently. A process
      // waits out another's migration, which may index every stored record (a million accounts
      // take about two minutes on MariaDB).
      sql << "SELECT GET_LOCK(" << kMigrationLockName << ", 900)", soci::into(locked, ind);
      if (ind != soci::i_ok || locked != 1) {
        return absl::UnavailableError("could not take the migration lock within 60 s");
      }
    }
    absl::Status status;
    for (const MigrationSet& set : sets) {
      for (const Migration& migration : set.migrations) {
        status = ApplyOne(sql, dialect, set.module, migration);
        if (!status.ok()) break;
      }
      if (!status.ok()) break;
    }
    if (dialect.backend() == Backend::kMysql) {
      int released = 0;
      soci::indicator ind;
      sql << "SELECT RELEASE_LOCK(" << kMigrationLockName << ")", soci::into(released, ind);
    }
    return status;
  });
}

MigrationSet CommonMigrations() {
  return MigrationSet{
      "common",
      {
          {1,
           "event outbox",
           {
               // Sequences come from a one-row counter updated inside each writing transaction:
               // its row lock orders commits, so an event with a higher sequence is never visible
               // before one with a lower sequence (subscribers can resume from a sequence safely).
               "CREATE TABLE IF NOT EXISTS event_counter ("
               " id BIGINT NOT NULL PRIMARY KEY,"
               " last_sequence BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "{{INSERT_IGNORE}} INTO event_counter (id, last_sequence) VALUES (1, 0)",
               "CREATE TABLE IF NOT EXISTS events ("
               " sequence BIGINT NOT NULL PRIMARY KEY,"
               " type VARCHAR(100) NOT NULL,"
               " entity VARCHAR(50) NOT NULL,"
               " entity_id VARCHAR(64) NOT NULL,"
               " change_kind BIGINT NOT NULL,"
               " changes {{LONG_TEXT}} NOT NULL,"
               " user_id VARCHAR(200) NOT NULL,"
               " actor VARCHAR(200) NOT NULL,"
               " request_id VARCHAR(200) NOT NULL,"
               " event_time BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, sequence)",
               "CREATE INDEX IF NOT EXISTS events_by_entity ON events (entity, entity_id, sequence)",
           }},
          {2,
           "request replay",
           {
               // A create with a request_id records which resource it made, so a retry returns it.
               "CREATE TABLE IF NOT EXISTS request_replays ("
               " scope VARCHAR(100) NOT NULL,"
               " request_id VARCHAR(200) NOT NULL,"
               " fingerprint VARCHAR(64) NOT NULL,"
               " resource_id VARCHAR(64) NOT NULL,"
               " created_at BIGINT NOT NULL,"
               " PRIMARY KEY (scope, request_id)){{TABLE_OPTIONS}}",
           }},
          {3,
           "server secrets",
           {
               // Shared by every process on this database (page-token signing key).
               "CREATE TABLE IF NOT EXISTS server_secrets ("
               " name VARCHAR(64) NOT NULL PRIMARY KEY,"
               " secret VARCHAR(200) NOT NULL){{TABLE_OPTIONS}}",
           }},
          {4,
           "leases",
           {
               // Background jobs take a named lease so that only one process runs them at a time.
               "CREATE TABLE IF NOT EXISTS job_leases ("
               " name VARCHAR(100) NOT NULL PRIMARY KEY,"
               " holder VARCHAR(200) NOT NULL,"
               " expires_at BIGINT NOT NULL){{TABLE_OPTIONS}}",
           }},
          {5,
           "event consumer cursors",
           {
               // Each durable event consumer (common/events/consumer.h) records here the highest
               // sequence it has moved past, in the same transaction as the work it did.
               "CREATE TABLE IF NOT EXISTS event_cursors ("
               " consumer VARCHAR(100) NOT NULL PRIMARY KEY,"
               " sequence BIGINT NOT NULL){{TABLE_OPTIONS}}",
           }},
          {6,
           "audit trail",
           {
               // One row per changed record, written in the change's transaction
               // (common/audit/audit_log.h). Newest first is the list order; each index serves
               // one filter of ListAuditRecords in that order.
               "CREATE TABLE IF NOT EXISTS audit_records ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " record_time BIGINT NOT NULL,"
               " actor VARCHAR(200) NOT NULL,"
               " method VARCHAR(200) NOT NULL,"
               " entity VARCHAR(50) NOT NULL,"
               " entity_id VARCHAR(200) NOT NULL,"
               " change_kind BIGINT NOT NULL,"
               " changed_fields {{LONG_TEXT}} NOT NULL,"
               " request_id VARCHAR(200) NOT NULL,"
               " correlation_id VARCHAR(200) NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS audit_by_time ON audit_records (record_time, id)",
               "CREATE INDEX IF NOT EXISTS audit_by_entity ON audit_records (entity, entity_id, record_time)",
               "CREATE INDEX IF NOT EXISTS audit_by_actor ON audit_records (actor, record_time)",
               "CREATE INDEX IF NOT EXISTS audit_by_method ON audit_records (method, record_time)",
               "CREATE INDEX IF NOT EXISTS audit_by_request ON audit_records (request_id)",
           }},
      }};
}

}  // namespace crm::db
