#include "common/db/sqlite_checkpointer.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdio>

namespace crm::db {
namespace {
namespace sq = ::sqlite_api;

// Opens the checkpoint's own connection; null when the file cannot be opened (the pooled
// connections report that themselves).
sq::sqlite3* OpenConnection(const std::string& path, absl::Duration busy_timeout) {
  sq::sqlite3* connection = nullptr;
  if (sq::sqlite3_open_v2(path.c_str(), &connection, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sq::sqlite3_close(connection);
    return nullptr;
  }
  sq::sqlite3_busy_timeout(connection, static_cast<int>(absl::ToInt64Milliseconds(busy_timeout)));
  // The checkpoint syncs the database file before the WAL may be reused.
  sq::sqlite3_exec(connection, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  return connection;
}

}  // namespace

SqliteCheckpointer::SqliteCheckpointer(std::string path, absl::Duration busy_timeout)
    : path_(std::move(path)), busy_timeout_(busy_timeout), thread_([this] { Loop(); }) {}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SqliteCheckpointer::Attach(soci::session& session) {
  sq::sqlite3* connection = static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
  sq::sqlite3_wal_hook(
      connection,
      [](void* self, sq::sqlite3* c, const char* database, int pages) {
        return OnWalCommit(self, c, database, pages);
      },
      this);
}

int SqliteCheckpointer::OnWalCommit(void* self, void* /*connection*/, const char* /*database*/, int wal_pages) {
  if (wal_pages >= kWalPagesThreshold) static_cast<SqliteCheckpointer*>(self)->Wake();
  return SQLITE_OK;
}

void SqliteCheckpointer::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
  }
  wake_.notify_one();
}

int64_t SqliteCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

void SqliteCheckpointer::Loop() {
  sq::sqlite3* connection = nullptr;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) break;
    pending_ = false;
    lock.unlock();
    if (connection == nullptr) connection = OpenConnection(path_, busy_timeout_);
    int rc = SQLITE_CANTOPEN;
    if (connection != nullptr) {
      rc = sq::sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    // A busy checkpoint (another process checkpointing) is retried at the next wake-up.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      std::fprintf(stderr, "db: WAL checkpoint of %s failed: %s\n", path_.c_str(),
                   connection != nullptr ? sq::sqlite3_errmsg(connection) : "cannot open the database");
    }
    lock.lock();
    if (rc == SQLITE_OK) ++checkpoints_;
  }
  lock.unlock();
  if (connection != nullptr) sq::sqlite3_close(connection);
}

}  // namespace crm::db
