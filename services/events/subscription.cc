#include "services/events/subscription.h"

#include <algorithm>

#include "common/events/outbox.h"
#include "common/server/grpc_status.h"

namespace crm::events {
namespace {
constexpr int kBatchSize = 500;
}

Subscription::Subscription(const server::Runtime& runtime, SubscriptionRegistry* registry,
                           const crm::v1::SubscribeRequest& request,
                           std::optional<std::vector<std::string>> users)
    : rt_(runtime),
      registry_(registry),
      request_(request),
      users_(std::move(users)),
      cursor_(request.after_sequence()) {
  const bool accepted = registry_->Add(this);
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepted) {
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
    return;
  }
  fetching_ = true;
  ScheduleFetchLocked();
}

void Subscription::ScheduleFetchLocked() {
  ++pending_;
  rt_.workers->Submit([this] { Fetch(); });
}

bool Subscription::ReleaseLocked() {
  --pending_;
  return done_ && pending_ == 0;
}

void Subscription::Fetch() {
  int64_t after;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (finished_) {
      fetching_ = false;
      const bool last = ReleaseLocked();
      lock.unlock();
      if (last) delete this;
      return;
    }
    after = cursor_;
  }
  // Everything up to `visible` is committed and visible now (sequences commit in order), so
  // when the query comes back short the cursor may move past non-matching events up to it.
  const int64_t visible = rt_.hub->latest();
  EventQuery query;
  query.after = after;
  query.types.assign(request_.types().begin(), request_.types().end());
  query.users = users_;
  query.limit = kBatchSize;
  absl::StatusOr<EventPage> page = ReadEvents(*rt_.db, query);

  bool last = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fetching_ = false;
    if (!finished_) {
      if (!page.ok()) {
        FinishLocked(server::ToGrpcStatus(page.status()));
      } else {
        for (crm::v1::Event& e : page->events) buffer_.push_back(std::move(e));
        cursor_ = std::max(cursor_, page->last_scanned);
        more_ = page->more;
        if (!more_) cursor_ = std::max(cursor_, visible);
        Pump();
      }
    }
    last = ReleaseLocked();
  }
  if (last) delete this;
}

void Subscription::Pump() {
  if (finished_ || writing_ || fetching_) return;
  if (!buffer_.empty()) {
    in_flight_ = std::move(buffer_.front());
    buffer_.pop_front();
    writing_ = true;
    StartWrite(&in_flight_);
    return;
  }
  fetching_ = true;
  if (more_) {
    ScheduleFetchLocked();
    return;
  }
  // Caught up: sleep until an event beyond the cursor commits (here or in another process).
  // The waiter only queues work, so it may run inline here without taking mu_.
  ++pending_;
  wait_ticket_ = rt_.hub->WaitBeyond(cursor_, [this] { rt_.workers->Submit([this] { OnWake(); }); });
}

void Subscription::OnWake() {
  bool last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait_ticket_ = 0;
    if (!finished_) {
      ScheduleFetchLocked();
    } else {
      fetching_ = false;
    }
    last = ReleaseLocked();
  }
  if (last) delete this;
}

void Subscription::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
    return;
  }
  Pump();
}

void Subscription::OnCancel() {
  std::lock_guard<std::mutex> lock(mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void Subscription::End(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  FinishLocked(status);
}

void Subscription::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  if (wait_ticket_ != 0 && rt_.hub->Cancel(wait_ticket_)) {
    // The waiter will never run: its hold on `this` ends here.
    --pending_;
  }
  wait_ticket_ = 0;
  Finish(status);
}

void Subscription::OnDone() {
  registry_->Remove(this);
  bool last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    last = pending_ == 0;
  }
  if (last) delete this;
}

bool SubscriptionRegistry::Add(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.push_back(s);
  return !closed_;
}

void SubscriptionRegistry::Remove(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(std::remove(live_.begin(), live_.end(), s), live_.end());
}

void SubscriptionRegistry::EndAll(const grpc::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  // Ending under the registry lock keeps each Subscription alive: its OnDone (which deletes it)
  // first takes this lock to remove itself.
  for (Subscription* s : live_) s->End(status);
}

}  // namespace crm::events
