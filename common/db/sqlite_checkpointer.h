// Moves SQLite's WAL checkpoints off the committing thread.
//
// By default SQLite checkpoints inside the commit that grows the WAL past 1000 pages: that
// caller waits while the whole WAL is copied into the database file and the file is synced.
// After a large transaction (a reclassification rewrites hundreds of MB) this adds seconds to
// one request, and a small write that happens to cross the threshold pays for the writes of
// others. Here each pooled connection's WAL hook only wakes a background thread, which runs a
// PASSIVE checkpoint (it never waits for readers or the writer) on a connection of its own.
//
// Durability is unchanged: a commit still syncs the WAL before it returns (synchronous=FULL);
// a checkpoint only copies committed pages into the database file. The last connection to close
// checkpoints what is left, as before.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"

namespace soci {
class session;
}

namespace crm::db {

class SqliteCheckpointer {
 public:
  // WAL pages after a commit that wake the checkpoint (SQLite's own default threshold).
  static constexpr int kWalPagesThreshold = 1000;

  SqliteCheckpointer(std::string path, absl::Duration busy_timeout);
  ~SqliteCheckpointer();  // stops the thread and closes its connection
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Hands `session`'s checkpoints to this object (replaces its automatic checkpoint). The
  // checkpointer must outlive the session's commits.
  void Attach(soci::session& session);

  // Checkpoints completed by the background thread (for tests and diagnostics).
  int64_t checkpoints() const;

 private:
  static int OnWalCommit(void* self, void* connection, const char* database, int wal_pages);
  void Wake();
  void Loop();

  const std::string path_;
  const absl::Duration busy_timeout_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace crm::db
