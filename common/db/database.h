// The one door to the database: a pool of SOCI sessions over SQLite or MySQL/MariaDB chosen by
// a URL, write transactions with retry of busy/deadlock errors, and after-commit hooks.
//
//   sqlite://<path>                          e.g. sqlite:///var/lib/crm/crm.db, sqlite://data/crm.db
//   mysql://user:password@host:port/database[?unix_socket=/path]
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>  // std::mutex, std::timed_mutex
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/dialect.h"
#include "common/db/sqlite_checkpointer.h"

namespace soci {
class session;
}

namespace crm::db {

struct DatabaseOptions {
  std::string url;
  int pool_size = 8;
  // How long a statement waits for a lock before failing (SQLite busy_timeout).
  absl::Duration busy_timeout = absl::Seconds(5);
  // How many times a transaction hit by busy / deadlock is run again.
  int max_attempts = 8;
};

// Parsed connection settings; exposed for tools and tests.
struct ConnectionSpec {
  Backend backend = Backend::kSqlite;
  std::string sqlite_path;
  std::string user, password, host = "127.0.0.1", database, unix_socket;
  int port = 3306;
  // The URL with the password hidden, for logs.
  std::string display;
};
absl::StatusOr<ConnectionSpec> ParseDatabaseUrl(const std::string& url);

class Database;

// One write transaction. Work functions receive it; they read and write through session().
class Tx {
 public:
  soci::session& session() { return session_; }
  const Dialect& dialect() const { return dialect_; }
  // Runs after a successful commit (never after a rollback), e.g. to wake event subscribers.
  void OnCommit(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

 private:
  friend class Database;
  Tx(soci::session& session, const Dialect& dialect) : session_(session), dialect_(dialect) {}
  soci::session& session_;
  const Dialect& dialect_;
  std::vector<std::function<void()>> hooks_;
};

class Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const Dialect& dialect() const { return dialect_; }
  Backend backend() const { return dialect_.backend(); }
  const ConnectionSpec& spec() const { return spec_; }
  int pool_size() const { return static_cast<int>(sessions_.size()); }

  // Runs `work` in one write transaction and commits when it returns OK; any error rolls back
  // everything it did. Busy / deadlock errors run it again (it must be safe to repeat).
  // Fails with DEADLINE_EXCEEDED once `deadline` passes without starting.
  absl::Status Write(absl::FunctionRef<absl::Status(Tx&)> work,
                     absl::Time deadline = absl::InfiniteFuture());

  // Runs `work` with a pooled session for reads (a consistent snapshot on both backends).
  absl::Status Read(absl::FunctionRef<absl::Status(soci::session&)> work,
                    absl::Time deadline = absl::InfiniteFuture());

  // Runs `work` with a pooled session and no transaction (DDL, maintenance).
  absl::Status WithSession(absl::FunctionRef<absl::Status(soci::session&)> work,
                           absl::Time deadline = absl::InfiniteFuture());

  // Background WAL checkpoints completed so far (SQLite files; 0 otherwise).
  int64_t sqlite_checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }

  // OK when a trivial query succeeds.
  absl::Status Ping(absl::Time deadline = absl::Now() + absl::Seconds(2));

 private:
  class Lease;
  Database(ConnectionSpec spec, DatabaseOptions options);
  absl::Status Connect(soci::session& session);
  absl::Status Configure(soci::session& session);
  absl::StatusOr<size_t> Acquire(absl::Time deadline);
  void Release(size_t index, bool broken);

  ConnectionSpec spec_;
  DatabaseOptions options_;
  Dialect dialect_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  std::vector<uint8_t> connected_;  // bytes, not bits: each is touched by its lessee only
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<size_t> free_;
  // SQLite admits one writer at a time; writers of this process queue here instead of in
  // SQLite's busy handler, which sleeps up to 100 ms between tries and lets a waiter lose again
  // and again. Other processes on the same file still meet the busy timeout.
  std::timed_mutex sqlite_writer_;
  // SQLite files only; declared after the sessions so that it stops before they close.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
};

// Widens the SQLite page cache of the transaction's connection while it lives (nothing on MySQL,
// whose buffer pool is the server's). A transaction that touches more pages than the cache holds
// (2 MiB by default) spills dirty pages to the WAL and reads them back: a batch writing a million
// rows runs several times slower than with room for its working set. The cache fills only as far
// as the transaction needs, and shrinks back when this goes.
class ScopedPageCache {
 public:
  ScopedPageCache(Tx& tx, int mib);
  ~ScopedPageCache();
  ScopedPageCache(const ScopedPageCache&) = delete;
  ScopedPageCache& operator=(const ScopedPageCache&) = delete;

 private:
  Tx& tx_;
  long long previous_ = 0;
  bool widened_ = false;
};

}  // namespace crm::db
