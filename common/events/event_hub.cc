#include "common/events/event_hub.h"

#include <soci/soci.h>

#include <vector>

#include "common/db/database.h"
#include "common/db/row.h"

namespace crm::events {

EventHub::~EventHub() { Stop(); }

int64_t EventHub::latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

void EventHub::Announce(int64_t sequence) {
  std::vector<Waiter> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sequence <= latest_) return;
    latest_ = sequence;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (latest_ > it->second.after) {
        ready.push_back(std::move(it->second.waiter));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Waiter& waiter : ready) waiter();
}

uint64_t EventHub::WaitBeyond(int64_t after, Waiter waiter) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (latest_ <= after) {
      const uint64_t ticket = next_ticket_++;
      pending_.emplace(ticket, Pending{after, std::move(waiter)});
      return ticket;
    }
  }
  waiter();
  return 0;
}

bool EventHub::Cancel(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.erase(ticket) > 0;
}

void EventHub::StartPolling(db::Database* db, absl::Duration period) {
  poller_ = std::thread([this, db, period] {
    std::unique_lock<std::mutex> lock(poll_mu_);
    while (!stopping_) {
      lock.unlock();
      long long last = 0;
      absl::Status status = db->Read([&](soci::session& sql) -> absl::Status {
        sql << "SELECT last_sequence FROM event_counter WHERE id = 1", soci::into(last);
        return absl::OkStatus();
      });
      if (status.ok()) Announce(last);
      lock.lock();
      poll_cv_.wait_for(lock, absl::ToChronoMilliseconds(period), [this] { return stopping_; });
    }
  });
}

void EventHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

}  // namespace crm::events
