#include "common/db/database.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/core/current_call.h"
#include "common/db/sql_error.h"
#include "common/db/sqlite_statements.h"

namespace crm::db {
namespace {

// The pool hands each SQLite connection to one thread at a time, so SQLite's per-connection
// mutex (taken on every step and every column read) guards nothing, and its memory statistics
// (a global mutex on every allocation) are read by no one. Both are process-wide settings that
// SQLite accepts only before it initialises; if something initialised it first, it keeps its
// serialized default, which is slower but just as correct.
void UseSqliteWithoutItsOwnLocks() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    ::sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int value = 0;
      if (absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Values in SOCI connection strings may be quoted; quotes inside are doubled.
std::string Quote(absl::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// An unreachable server fails a connection attempt after this long instead of the OS's TCP
// timeout (minutes), so health checks and retries see the outage promptly.
constexpr int kConnectTimeoutSeconds = 5;

std::string MysqlConnectString(const ConnectionSpec& spec, bool with_database) {
  std::string s =
      absl::StrCat("user=", Quote(spec.user), " charset=utf8mb4 connect_timeout=", kConnectTimeoutSeconds);
  if (!spec.password.empty()) absl::StrAppend(&s, " password=", Quote(spec.password));
  if (!spec.unix_socket.empty()) {
    absl::StrAppend(&s, " unix_socket=", Quote(spec.unix_socket));
  } else {
    absl::StrAppend(&s, " host=", Quote(spec.host), " port=", spec.port);
  }
  if (with_database) absl::StrAppend(&s, " db=", Quote(spec.database));
  return s;
}

bool IsSafeIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ConnectionSpec> ParseDatabaseUrl(const std::string& url) {
  ConnectionSpec spec;
  if (absl::StartsWith(url, "sqlite://")) {
    spec.backend = Backend::kSqlite;
    spec.sqlite_path = url.substr(strlen("sqlite://"));
    if (spec.sqlite_path.empty()) return absl::InvalidArgumentError("--db: sqlite URL needs a file path");
    // SOCI's SQLite connection string cannot quote; refuse what it would misread.
    if (spec.sqlite_path.find_first_of(" \t'\"=") != std::string::npos) {
      return absl::InvalidArgumentError("--db: the sqlite path must not contain spaces, quotes or '='");
    }
    spec.display = url;
    return spec;
  }
  if (!absl::StartsWith(url, "mysql://") && !absl::StartsWith(url, "mariadb://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db: unsupported URL \"", url, "\" (use sqlite://<path> or mysql://user:pass@host:port/db)"));
  }
  spec.backend = Backend::kMysql;
  absl::string_view rest = absl::string_view(url).substr(url.find("://") + 3);
  std::string query;
  if (size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  absl::string_view authority = rest;
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    authority = rest.substr(0, slash);
    spec.database = PercentDecode(rest.substr(slash + 1));
  }
  if (size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (size_t colon = credentials.find(':'); colon != absl::string_view::npos) {
      spec.user = PercentDecode(credentials.substr(0, colon));
      spec.password = PercentDecode(credentials.substr(colon + 1));
    } else {
      spec.user = PercentDecode(credentials);
    }
  }
  if (size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &spec.port) || spec.port <= 0 || spec.port > 65535) {
      return absl::InvalidArgumentError("--db: bad port in mysql URL");
    }
    authority = authority.substr(0, colon);
  }
  if (!authority.empty()) spec.host = std::string(authority);
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first == "unix_socket" || kv.first == "socket") spec.unix_socket = PercentDecode(kv.second);
  }
  if (spec.database.empty()) return absl::InvalidArgumentError("--db: mysql URL needs a database name");
  if (!IsSafeIdentifier(spec.database)) {
    return absl::InvalidArgumentError("--db: database name may hold only letters, digits and _");
  }
  if (spec.user.empty()) spec.user = "root";
  spec.display = absl::StrCat("mysql://", spec.user, spec.password.empty() ? "" : ":***", "@",
                              spec.unix_socket.empty() ? absl::StrCat(spec.host, ":", spec.port) : spec.unix_socket,
                              "/", spec.database);
  return spec;
}

Database::Database(ConnectionSpec spec, DatabaseOptions options)
    : spec_(std::move(spec)), options_(std::move(options)), dialect_(spec_.backend) {}

Database::~Database() {
  StopGroupWriter();
  // SQLite closes a connection only once its kept statements are finalized.
  for (const std::unique_ptr<soci::session>& session : sessions_) DropStatements(*session);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  absl::StatusOr<ConnectionSpec> spec = ParseDatabaseUrl(options.url);
  if (!spec.ok()) return spec.status();
  if (options.pool_size < 1) return absl::InvalidArgumentError("--db_pool_size must be at least 1");
  std::unique_ptr<Database> db(new Database(*std::move(spec), options));

  if (db->spec_.backend == Backend::kMysql) {
    // Create the database on first start, with the binary collation the schema relies on.
    absl::Status created = Guard("create database", [&]() -> absl::Status {
      soci::session admin(soci::mysql, MysqlConnectString(db->spec_, false));
      admin << "CREATE DATABASE IF NOT EXISTS `" + db->spec_.database +
                   "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
      return absl::OkStatus();
    });
    if (!created.ok()) return created;
  }
  if (db->spec_.backend == Backend::kSqlite) UseSqliteWithoutItsOwnLocks();
  if (db->spec_.backend == Backend::kSqlite && db->spec_.sqlite_path != ":memory:") {
    db->checkpointer_ = std::make_unique<SqliteCheckpointer>(db->spec_.sqlite_path, options.busy_timeout);
  }
  for (int i = 0; i < options.pool_size; ++i) {
    db->sessions_.push_back(std::make_unique<soci::session>());
    db->connected_.push_back(false);
    db->free_.push_back(i);
  }
  db->writer_session_kept_ = db->spec_.backend == Backend::kSqlite && options.pool_size > 1;
  // Connect one session now so a wrong URL fails at start; the rest connect on first use.
  absl::Status first = db->Connect(*db->sessions_[0]);
  if (!first.ok()) return first;
  db->connected_[0] = true;
  return db;
}

absl::Status Database::Connect(soci::session& session) {
  auto connect = [&] {
    return Guard("connect", [&]() -> absl::Status {
      if (spec_.backend == Backend::kSqlite) {
        session.open(soci::sqlite3, absl::StrCat("db=", spec_.sqlite_path,
                                                 " timeout=", absl::ToInt64Seconds(options_.busy_timeout)));
      } else {
        session.open(soci::mysql, MysqlConnectString(spec_, true));
      }
      absl::Status configured = Configure(session);
      if (configured.ok()) KeepStatements(session);
      return configured;
    });
  };
  absl::Status status = connect();
  // Switching a new SQLite file to WAL needs it to itself for a moment: a process starting
  // beside another that is migrating the same new file can get SQLITE_BUSY there at once,
  // without the busy handler. Such a connect is tried again within the busy timeout.
  const absl::Time give_up = absl::Now() + options_.busy_timeout;
  while (spec_.backend == Backend::kSqlite && IsRetryable(status) && absl::Now() < give_up) {
    DropStatements(session);
    session.close();
    absl::SleepFor(absl::Milliseconds(20));
    status = connect();
  }
  return status;
}

absl::Status Database::Configure(soci::session& session) {
  if (spec_.backend == Backend::kSqlite) {
    // WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged commit
    // survive a crash or power loss.
    std::string mode;
    session << "PRAGMA journal_mode=WAL", soci::into(mode);
    session << "PRAGMA synchronous=FULL";
    session << "PRAGMA foreign_keys=ON";
    session << "PRAGMA busy_timeout=" << absl::ToInt64Milliseconds(options_.busy_timeout);
    if (checkpointer_ != nullptr && absl::AsciiStrToLower(mode) == "wal") checkpointer_->Attach(session);
  } else {
    session << "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
               "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
    // Row locks taken by conditional updates are enough; READ COMMITTED avoids gap-lock deadlocks.
    session << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
    session << "SET SESSION innodb_lock_wait_timeout=" << absl::ToInt64Seconds(options_.busy_timeout);
  }
  return absl::OkStatus();
}

std::optional<size_t> Database::TakeFreeSession(Lessee lessee) {
  auto taken = free_.end();
  if (!writer_session_kept_) {
    if (!free_.empty()) taken = free_.end() - 1;
  } else if (lessee != Lessee::kAny) {
    taken = std::find(free_.begin(), free_.end(), kWriterSession);
  } else {
    // The most recently released session other than the writers'.
    for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
      if (*it != kWriterSession) {
        taken = std::next(it).base();
        break;
      }
    }
  }
  if (taken == free_.end()) return std::nullopt;
  const size_t index = *taken;
  free_.erase(taken);
  return index;
}

absl::StatusOr<size_t> Database::Acquire(absl::Time deadline, bool* connected_now, Lessee lessee) {
  size_t index;
  {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<size_t> taken = TakeFreeSession(lessee);
    while (!taken) {
      bool timed_out = false;
      if (deadline == absl::InfiniteFuture()) {
        available_.wait(lock);
      } else {
        timed_out = available_.wait_until(lock, absl::ToChronoTime(deadline)) == std::cv_status::timeout;
      }
      taken = TakeFreeSession(lessee);
      if (!taken && timed_out) {
        return absl::DeadlineExceededError("deadline passed while waiting for a database connection");
      }
    }
    index = *taken;
  }
  if (!connected_[index]) {
    absl::Status status = Connect(*sessions_[index]);
    if (!status.ok()) {
      Release(index, true);
      return absl::UnavailableError(absl::StrCat("database unavailable: ", status.message()));
    }
    connected_[index] = true;
    if (connected_now != nullptr) *connected_now = true;
  }
  return index;
}

absl::StatusOr<size_t> Database::AcquireAndBegin(absl::Time deadline, const char* first_statement, Lessee lessee) {
  // Every pooled session may have gone stale in the same outage: one try per session, and one
  // more that connects afresh.
  for (int tries = 0;; ++tries) {
    bool connected_now = false;
    absl::StatusOr<size_t> index = Acquire(deadline, &connected_now, lessee);
    if (!index.ok()) return index.status();
    absl::Status begun = Guard("begin", [&]() -> absl::Status {
      // A SQLite write runs in savepoints (group commit) or statements that may be undone alone;
      // SQLite writes their undo copies of pages to a temporary file past 64 KiB unless
      // temp_store is MEMORY. An account create passes that, and those writes were a tenth of the
      // group writer's time. Short writes keep them in memory; a bulk transaction, whose one
      // statement may change more pages than memory should hold, keeps the file. SQLite reads
      // the setting at BEGIN.
      if (lessee != Lessee::kAny) {
        const bool in_memory = lessee == Lessee::kSqliteWriter;
        if (connected_now || writer_journal_in_memory_ != in_memory) {
          RunStatement(*sessions_[*index], in_memory ? "PRAGMA temp_store=MEMORY" : "PRAGMA temp_store=DEFAULT");
          writer_journal_in_memory_ = in_memory;
        }
      }
      RunStatement(*sessions_[*index], first_statement);
      return absl::OkStatus();
    });
    if (begun.ok()) return *index;
    Release(*index, IsConnectionLoss(begun));
    if (connected_now || !IsConnectionLoss(begun) || tries >= pool_size()) return begun;
  }
}

void Database::Release(size_t index, bool broken) {
  if (broken) {
    try {
      DropStatements(*sessions_[index]);
      sessions_[index]->close();
    } catch (...) {
    }
    connected_[index] = false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(index);
  }
  // Only a writer takes the writers' session; any waiter may take another one. Writers take
  // turns under the writer lock and find their session free, so a waiter for another session is
  // never a writer, and one wake-up per release is enough (waking every waiter on each release
  // made each read's release wake the whole queue of readers).
  if (writer_session_kept_ && index == kWriterSession) {
    available_.notify_all();
  } else {
    available_.notify_one();
  }
}

// A write waiting for the group writer, on its caller's stack. The caller waits on `done` until
// `state` is kDone; the group writer runs `work` in a savepoint of a transaction shared with the
// writes queued beside it, and tells the outcome only once that transaction committed (or the
// write failed alone).
struct Database::QueuedWrite {
  enum class State { kQueued, kRunning, kDone };
  QueuedWrite(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline)
      : work(work), deadline(deadline), call(ThisThreadCall()) {}

  absl::FunctionRef<absl::Status(Tx&)> work;
  const absl::Time deadline;
  const CurrentCall* const call;  // the outbox and the audit log read who acts from it
  // Guarded by queue_mu_.
  State state = State::kQueued;
  absl::Status status;
  // The work's after-commit hooks: set by the group writer before it finishes the write, run by
  // the caller once it sees kDone.
  std::vector<std::function<void()>> hooks;
  std::condition_variable done;
};

namespace {

// A group commits at most this many writes, so that its first member's wait stays short.
constexpr int kMaxGroupMembers = 64;

// Takes `writer` (SQLite's one writer of this process) unless `deadline` passes first.
bool LockWriter(std::unique_lock<std::timed_mutex>& writer, absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) {
    writer.lock();
    return true;
  }
  return writer.try_lock_until(absl::ToChronoTime(deadline));
}

absl::Status WriterLockTimeout() {
  return absl::DeadlineExceededError("deadline passed while waiting for the database write lock");
}

// Ends the transaction open on `session`: COMMIT when `outcome` is OK, ROLLBACK when it is not or
// when the COMMIT fails. Returns the transaction's outcome.
absl::Status EndTransaction(soci::session& session, absl::Status outcome, absl::string_view context) {
  if (outcome.ok()) {
    outcome = Guard(context, [&]() -> absl::Status {
      RunStatement(session, "COMMIT");
      return absl::OkStatus();
    });
  }
  if (!outcome.ok()) {
    try {
      RunStatement(session, "ROLLBACK");
    } catch (...) {
      // The connection is broken; Release drops it, and the database rolls back on its own.
    }
  }
  return outcome;
}

}  // namespace

absl::Status Database::Write(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline) {
  return WriteWithRetries(work, deadline, /*bulk=*/false);
}

absl::Status Database::WriteBulk(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline) {
  return WriteWithRetries(work, deadline, /*bulk=*/true);
}

absl::Status Database::WriteWithRetries(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline, bool bulk) {
  thread_local std::mt19937 jitter(std::random_device{}());
  const bool grouped = !bulk && options_.sqlite_group_commit && dialect_.backend() == Backend::kSqlite;
  absl::Status last;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (absl::Now() > deadline) {
      return last.ok() ? absl::DeadlineExceededError("deadline passed before the write started") : last;
    }
    absl::Status status = grouped ? WriteInGroup(work, deadline) : WriteAlone(work, deadline, bulk);
    if (status.ok() || !IsRetryable(status)) return status;
    last = status;
    // Back off a little, with jitter, before running the transaction again.
    std::uniform_int_distribution<int> pause(1, 5 << std::min(attempt, 5));
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(jitter)));
  }
  return last;
}

absl::Status Database::WriteAlone(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline, bool bulk) {
  std::unique_lock<std::timed_mutex> writer(sqlite_writer_, std::defer_lock);
  const bool sqlite = dialect_.backend() == Backend::kSqlite;
  if (sqlite && !LockWriter(writer, deadline)) return WriterLockTimeout();
  const Lessee lessee = !sqlite ? Lessee::kAny : bulk ? Lessee::kSqliteBulkWriter : Lessee::kSqliteWriter;
  absl::StatusOr<size_t> index = AcquireAndBegin(deadline, dialect_.BeginWrite(), lessee);
  if (!index.ok()) return index.status();
  soci::session& session = *sessions_[*index];
  Tx tx(session, dialect_);
  const absl::Status status = EndTransaction(session, Guard("write", [&] { return work(tx); }), "write");
  Release(*index, IsConnectionLoss(status));
  if (writer.owns_lock()) writer.unlock();
  if (!status.ok()) return status;
  ++transactions_committed_;
  ++commits_;
  for (auto& hook : tx.hooks_) hook();
  return status;
}

absl::Status Database::WriteInGroup(absl::FunctionRef<absl::Status(Tx&)> work, absl::Time deadline) {
  QueuedWrite write(work, deadline);
  std::unique_lock<std::mutex> lock(queue_mu_);
  if (stopping_) return absl::UnavailableError("the database is closing");
  if (!group_writer_.joinable()) group_writer_ = std::thread([this] { GroupWriterLoop(); });
  write_queue_.push_back(&write);
  if (write_queue_.size() == 1) queue_filled_.notify_one();
  while (write.state != QueuedWrite::State::kDone) {
    if (deadline == absl::InfiniteFuture() || write.state != QueuedWrite::State::kQueued) {
      write.done.wait(lock);
    } else if (write.done.wait_until(lock, absl::ToChronoTime(deadline)) == std::cv_status::timeout &&
               write.state == QueuedWrite::State::kQueued) {
      // Not begun: withdrawn. Once begun, it is acknowledged only with its group's commit,
      // whatever the deadline says.
      write_queue_.erase(std::find(write_queue_.begin(), write_queue_.end(), &write));
      return WriterLockTimeout();
    }
  }
  lock.unlock();
  if (!write.status.ok()) return write.status;
  for (auto& hook : write.hooks) hook();
  return absl::OkStatus();
}

void Database::GroupWriterLoop() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  for (;;) {
    queue_filled_.wait(lock, [&] { return stopping_ || !write_queue_.empty(); });
    if (write_queue_.empty()) return;  // stopping, and every queued write has its outcome
    lock.unlock();
    RunGroup();
    lock.lock();
  }
}

Database::QueuedWrite* Database::NextQueuedWrite() {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (write_queue_.empty()) return nullptr;
  QueuedWrite* write = write_queue_.front();
  write_queue_.pop_front();
  write->state = QueuedWrite::State::kRunning;
  return write;
}

void Database::MarkDone(QueuedWrite& write, absl::Status status) {
  write.status = std::move(status);
  write.state = QueuedWrite::State::kDone;
  // Under the lock: the caller may return, and destroy `write`, as soon as it sees kDone.
  write.done.notify_one();
}

void Database::Finish(QueuedWrite& write, absl::Status status) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  MarkDone(write, std::move(status));
}

void Database::FinishAll(const std::vector<QueuedWrite*>& writes, const absl::Status& status) {
  // One hold of the lock for the whole group: each caller woken tries to take it at once, and
  // finishing them one lock at a time made every other one wait for the group writer again.
  std::lock_guard<std::mutex> lock(queue_mu_);
  for (QueuedWrite* write : writes) MarkDone(*write, status);
}

void Database::RunGroup() {
  // WriteAlone and WriteBulk hold this lock for their whole transaction: callers queue behind
  // them (withdrawing at their deadlines) while the group writer waits here.
  std::unique_lock<std::timed_mutex> writer(sqlite_writer_);
  absl::StatusOr<size_t> index =
      AcquireAndBegin(absl::InfiniteFuture(), dialect_.BeginWrite(), Lessee::kSqliteWriter);
  if (!index.ok()) {
    // Nothing ran. The writes queued now fail as they would have alone; a busy database makes
    // them run again.
    while (QueuedWrite* write = NextQueuedWrite()) Finish(*write, index.status());
    return;
  }
  soci::session& session = *sessions_[*index];
  std::vector<QueuedWrite*> members;  // their work succeeded and awaits the commit
  absl::Status group_status;
  while (members.size() < kMaxGroupMembers) {
    QueuedWrite* write = NextQueuedWrite();
    if (write == nullptr) break;
    if (absl::Now() > write->deadline) {
      Finish(*write, WriterLockTimeout());
      continue;
    }
    const ScopedBorrowedCall call(write->call);
    Tx tx(session, dialect_);
    bool in_savepoint = false;
    absl::Status status = Guard("write", [&]() -> absl::Status {
      RunStatement(session, "SAVEPOINT crm_write");
      in_savepoint = true;
      absl::Status result = write->work(tx);
      if (!result.ok()) return result;
      RunStatement(session, "RELEASE crm_write");
      in_savepoint = false;
      return absl::OkStatus();
    });
    if (status.ok()) {
      write->hooks = std::move(tx.hooks_);
      members.push_back(write);
      continue;
    }
    // This write fails alone: its savepoint is undone and the group's others stay.
    if (in_savepoint) {
      absl::Status undone = Guard("write", [&]() -> absl::Status {
        RunStatement(session, "ROLLBACK TO crm_write");
        RunStatement(session, "RELEASE crm_write");
        return absl::OkStatus();
      });
      if (!undone.ok()) {
        // SQLite may have rolled the whole transaction back (e.g. on a full disk): the group is
        // lost, and its members run again.
        group_status = RetryTransaction(absl::StrCat("the shared commit was rolled back (", undone.message(), ")"));
      }
    }
    Finish(*write, std::move(status));
    if (!group_status.ok()) break;
  }
  group_status = EndTransaction(session, std::move(group_status), "write");
  Release(*index, IsConnectionLoss(group_status));
  writer.unlock();
  if (group_status.ok()) {
    transactions_committed_ += static_cast<int64_t>(members.size());
    ++commits_;
  }
  FinishAll(members, group_status);
}

void Database::StopGroupWriter() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_filled_.notify_one();
  if (group_writer_.joinable()) group_writer_.join();
}

absl::Status Database::Read(absl::FunctionRef<absl::Status(soci::session&)> work, absl::Time deadline) {
  if (absl::Now() > deadline) return absl::DeadlineExceededError("deadline passed before the read started");
  absl::StatusOr<size_t> index = AcquireAndBegin(deadline, dialect_.BeginRead());
  if (!index.ok()) return index.status();
  soci::session& session = *sessions_[*index];
  const absl::Status status = EndTransaction(session, Guard("read", [&] { return work(session); }), "read");
  Release(*index, IsConnectionLoss(status));
  return status;
}

absl::Status Database::WithSession(absl::FunctionRef<absl::Status(soci::session&)> work,
                                   absl::Time deadline) {
  absl::StatusOr<size_t> index = Acquire(deadline);
  if (!index.ok()) return index.status();
  absl::Status status = Guard("session", [&]() { return work(*sessions_[*index]); });
  Release(*index, IsConnectionLoss(status));
  return status;
}

absl::Status Database::Ping(absl::Time deadline) {
  // Through Read, which replaces a pooled connection that died while idle: health then says
  // SERVING only when calls will find working connections too.
  return Read(
      [](soci::session& session) -> absl::Status {
        int one = 0;
        session << "SELECT 1", soci::into(one);
        return one == 1 ? absl::OkStatus() : absl::UnavailableError("database ping failed");
      },
      deadline);
}

ScopedPageCache::ScopedPageCache(Tx& tx, int mib) : tx_(tx) {
  if (tx.dialect().backend() != Backend::kSqlite) return;
  tx_.session() << "PRAGMA cache_size", soci::into(previous_);
  tx_.session() << "PRAGMA cache_size=-" + std::to_string(static_cast<long long>(mib) * 1024);
  widened_ = true;
}

ScopedPageCache::~ScopedPageCache() {
  if (!widened_) return;
  try {
    tx_.session() << "PRAGMA cache_size=" + std::to_string(previous_);
  } catch (...) {
    // The connection is going away; its cache goes with it.
  }
}

}  // namespace crm::db
