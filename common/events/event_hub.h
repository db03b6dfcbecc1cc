// Wakes live event subscribers. Local commits announce their sequence right away; a poller
// reads the database's latest sequence so events written by other processes arrive too.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <condition_variable>

#include "absl/time/time.h"

namespace crm::db {
class Database;
}

namespace crm::events {

class EventHub {
 public:
  using Waiter = std::function<void()>;

  EventHub() = default;
  ~EventHub();

  // Latest sequence known to be committed.
  int64_t latest() const;
  // Called after a local commit that wrote events up to `sequence`.
  void Announce(int64_t sequence);
  // Calls `waiter` once (on some thread) as soon as latest() > after. Returns a ticket for Cancel.
  uint64_t WaitBeyond(int64_t after, Waiter waiter);
  // Forgets a waiter that has not fired yet (e.g. its stream was cancelled). False if it fired.
  bool Cancel(uint64_t ticket);

  // Starts polling `db` for events from other processes every `period`.
  void StartPolling(db::Database* db, absl::Duration period);
  void Stop();

 private:
  struct Pending {
    int64_t after;
    Waiter waiter;
  };
  mutable std::mutex mu_;
  int64_t latest_ = 0;
  uint64_t next_ticket_ = 1;
  std::map<uint64_t, Pending> pending_;

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace crm::events
