// One live Subscribe stream: reads stored events after the caller's sequence in batches on the
// worker pool, writes them one by one, then waits on the event hub for newer ones.
#pragma once

#include <grpcpp/grpcpp.h>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/server/runtime.h"
#include "crm/v1/event.pb.h"

namespace crm::events {

class SubscriptionRegistry;

class Subscription final : public grpc::ServerWriteReactor<crm::v1::Event> {
 public:
  // `users`: the users whose events the caller may see (OwnerScope::ListOwners); nullopt: all.
  Subscription(const server::Runtime& runtime, SubscriptionRegistry* registry, const crm::v1::SubscribeRequest& request,
               std::optional<std::vector<std::string>> users);

  // Ends the stream with `status` (used at shutdown). Safe from any thread.
  void End(const grpc::Status& status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // With mu_ held: queue a Fetch on the worker pool (counted in pending_).
  void ScheduleFetchLocked();
  void Fetch();
  void OnWake();
  // With mu_ held: a task or waiter has ended; true when the reactor may now be deleted.
  bool ReleaseLocked();
  // With mu_ held: write the next buffered event, or go fetch / wait when none is left.
  void Pump();
  void FinishLocked(const grpc::Status& status);

  const server::Runtime& rt_;
  SubscriptionRegistry* registry_;
  const crm::v1::SubscribeRequest request_;
  const std::optional<std::vector<std::string>> users_;

  std::mutex mu_;
  int64_t cursor_;
  std::deque<crm::v1::Event> buffer_;
  crm::v1::Event in_flight_;
  bool writing_ = false;
  bool fetching_ = false;
  bool more_ = false;
  uint64_t wait_ticket_ = 0;
  bool finished_ = false;
  // Worker tasks and hub waiters that still hold `this`; deletion waits for them after OnDone.
  int pending_ = 0;
  bool done_ = false;
};

// Live subscriptions, so shutdown can end them instead of waiting out the drain period.
class SubscriptionRegistry {
 public:
  // False once closed: the subscription should end at once.
  bool Add(Subscription* s);
  void Remove(Subscription* s);
  void EndAll(const grpc::Status& status);

 private:
  std::mutex mu_;
  std::vector<Subscription*> live_;
  bool closed_ = false;
};

}  // namespace crm::events
