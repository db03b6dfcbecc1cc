// The one door to the database: a pool of SOCI sessions over SQLite or MySQL/MariaDB chosen by
// a URL, write transactions with retry of busy/deadlock errors, and after-commit hooks.
//
//   sqlite://<path>                          e.g. sqlite:///var/lib/crm/crm.db, sqlite://data/crm.db
//   mysql://user:password@host:port/database[?unix_socket=/path]
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>  // std::mutex, std::timed_mutex
#include <optional>
#include <string>
#include <thread>
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
  // SQLite: concurrent write transactions of this process share one commit (one WAL sync)
  // instead of paying a sync each. Each still runs alone, in a savepoint of the shared
  // transaction: one that fails rolls back alone, and none is acknowledged before the shared
  // commit is durable. No effect on MySQL, whose InnoDB groups commits by itself.
  bool sqlite_group_commit = true;
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
  // Fails with DEADLINE_EXCEEDED once `deadline` passes without starting. With SQLite group
  // commit `work` runs on the group writer's thread, with the caller's current call
  // (ThisThreadCall) but no other thread-local state of the caller; the hooks run on the caller's.
  absl::Status Write(absl::FunctionRef<absl::Status(Tx&)> work,
                     absl::Time deadline = absl::InfiniteFuture());
  // Write for a long transaction (a whole-book run, an import batch): it commits on its own, so
  // that short writes are never held back waiting for it in a shared SQLite commit.
  absl::Status WriteBulk(absl::FunctionRef<absl::Status(Tx&)> work,
                         absl::Time deadline = absl::InfiniteFuture());

  // Runs `work` with a pooled session for reads (a consistent snapshot on both backends).
  absl::Status Read(absl::FunctionRef<absl::Status(soci::session&)> work,
                    absl::Time deadline = absl::InfiniteFuture());

  // Runs `work` with a pooled session and no transaction (DDL, maintenance).
  absl::Status WithSession(absl::FunctionRef<absl::Status(soci::session&)> work,
                           absl::Time deadline = absl::InfiniteFuture());

  // Background WAL checkpoints completed so far (SQLite files; 0 otherwise).
  int64_t sqlite_checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }

  // Write transactions committed so far, and the commits that made them durable (fewer when
  // SQLite group commit shared them).
  struct WriteCounts {
    int64_t transactions = 0;
    int64_t commits = 0;
  };
  WriteCounts write_counts() const { return {transactions_committed_.load(), commits_.load()}; }

  // OK when a trivial query succeeds.
  absl::Status Ping(absl::Time deadline = absl::Now() + absl::Seconds(2));

 private:
  class Lease;
  struct QueuedWrite;
  Database(ConnectionSpec spec, DatabaseOptions options);
  absl::Status WriteWithRetries(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline, bool bulk);
  // One attempt of Write, with a commit of its own or queued for the group writer.
  absl::Status WriteAlone(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline, bool bulk);
  absl::Status WriteInGroup(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline);
  // The group writer's thread: while writes are queued, runs them in groups (RunGroup), until
  // the database closes.
  void GroupWriterLoop();
  // Takes the writer lock, runs queued writes back to back in one transaction, each in a
  // savepoint, commits them once and tells each its outcome.
  void RunGroup();
  // Takes the next queued write off the queue, or null when none is.
  QueuedWrite* NextQueuedWrite();
  void Finish(QueuedWrite& write, absl::Status status);
  // Finish for every member of a committed (or failed) group.
  void FinishAll(const std::vector<QueuedWrite*>& writes, const absl::Status& status);
  // Records `status` and wakes the caller; queue_mu_ must be held.
  static void MarkDone(QueuedWrite& write, absl::Status status);
  void StopGroupWriter();
  absl::Status Connect(soci::session& session);
  absl::Status Configure(soci::session& session);
  // Who leases a session: a SQLite writer (holding sqlite_writer_) of short writes or of a bulk
  // transaction, or anyone else.
  enum class Lessee { kAny, kSqliteWriter, kSqliteBulkWriter };
  // Leases a pooled session, connecting it first if it is not; `connected_now` tells which.
  absl::StatusOr<size_t> Acquire(absl::Time deadline, bool* connected_now = nullptr, Lessee lessee = Lessee::kAny);
  // Leases a session and runs `first_statement` (BEGIN ...) on it. A pooled MySQL connection
  // that died while idle (the server restarted) fails right there, before anything reached the
  // database: such a session is reconnected and the statement run again, so that no call fails
  // for a connection that was dead before the call began.
  absl::StatusOr<size_t> AcquireAndBegin(absl::Time deadline, const char* first_statement,
                                         Lessee lessee = Lessee::kAny);
  // The free session `lessee` may take now, if any (under mu_).
  std::optional<size_t> TakeFreeSession(Lessee lessee);
  void Release(size_t index, bool broken);

  ConnectionSpec spec_;
  DatabaseOptions options_;
  Dialect dialect_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  std::vector<uint8_t> connected_;  // bytes, not bits: each is touched by its lessee only
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<size_t> free_;
  // On SQLite with more than one pooled session, session kWriterSession is kept for writers. They
  // take turns under sqlite_writer_, so it is always free for the next one, and its page cache
  // stays warm: SQLite empties a connection's cache whenever another connection wrote since its
  // last transaction, which, with writes landing on any pooled session, was nearly every time.
  static constexpr size_t kWriterSession = 0;
  bool writer_session_kept_ = false;
  // Whether the session writers lease keeps savepoint journals in memory (temp_store=MEMORY);
  // see AcquireAndBegin. Guarded by sqlite_writer_.
  bool writer_journal_in_memory_ = false;
  // SQLite admits one writer at a time; writers of this process queue here instead of in
  // SQLite's busy handler, which sleeps up to 100 ms between tries and lets a waiter lose again
  // and again. Other processes on the same file still meet the busy timeout.
  std::timed_mutex sqlite_writer_;
  // Group commit: callers queue their writes and wait; one thread, started on the first grouped
  // write, runs them back to back. Handing the writer lock from caller to caller instead left
  // SQLite idle while each next caller was woken, for about a tenth of every write's turn.
  std::mutex queue_mu_;
  std::condition_variable queue_filled_;  // wakes the group writer
  std::deque<QueuedWrite*> write_queue_;  // guarded by queue_mu_
  bool stopping_ = false;                 // guarded by queue_mu_
  std::thread group_writer_;
  std::atomic<int64_t> transactions_committed_{0};
  std::atomic<int64_t> commits_{0};
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
