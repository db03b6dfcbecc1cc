// A durable, exactly-once reader of the event outbox. A named consumer handles the events of
// the types it asks for in sequence order; each batch of handler calls commits in the same
// write transaction as the advance of the consumer's cursor (table event_cursors), so a crash
// or an error never loses an event and never repeats one that committed.
//
// The cursor row is read with a row lock (SQLite: the write transaction already locks the
// database), so two instances with the same name, in one process or several, take turns and
// never handle an event twice. A handler's error rolls back its whole batch (its own writes and
// events included); the consumer logs it and tries again later, backing off.
//
// A handler may run more than once for the same event when its transaction is rolled back and
// repeated (a busy / deadlock retry, or an error later in the batch): only its writes through
// the transaction are exactly-once. In-memory effects belong in tx.OnCommit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "common/events/event_hub.h"
#include "crm/v1/event.pb.h"

namespace crm::events {

struct ConsumerOptions {
  // The cursor's key, e.g. "pipeline.funnel.accounts" (at most 100 characters).
  std::string name;
  // Exact names or prefixes ending in '.', as EventQuery.types; empty handles every type.
  std::vector<std::string> types;
  // Events scanned per transaction (matching or not).
  int batch = 200;
  // Fallback wake-up of the background thread besides the hub (events of other processes, or
  // no hub at all).
  absl::Duration poll = absl::Seconds(1);
  // Longest pause of the background thread after a failed batch; pauses double up to it.
  absl::Duration max_backoff = absl::Seconds(30);
};

class EventConsumer {
 public:
  // Handles one event inside the batch's write transaction; an error rolls the batch back.
  using Handler = std::function<absl::Status(db::Tx&, const crm::v1::Event&)>;

  // `hub` may be null: the background thread then only polls.
  EventConsumer(db::Database& db, EventHub* hub, ConsumerOptions options, Handler handler);
  ~EventConsumer();  // stops
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  // Starts the background thread: catch up, then wait for the hub (an event beyond what was
  // read) or `poll`, and again. Does nothing while already started.
  void Start();
  // Wakes and joins the thread; a catch-up in progress stops after its current batch.
  // Idempotent.
  void Stop();

  // Handles every matching event committed so far, batch after batch, on the caller's thread,
  // and returns how many were handled. Stops at the first failed batch and returns its error
  // (the batches before it stay committed). `deadline` bounds waiting for each transaction to
  // start.
  absl::StatusOr<int64_t> CatchUp(absl::Time deadline = absl::InfiniteFuture());

  // The stored cursor: the highest sequence this consumer's name has moved past (0 before its
  // first batch). Events of other types after the last handled one are passed with a plain read
  // and stored only once many have gathered, so the cursor may stay behind them.
  absl::StatusOr<int64_t> Cursor(absl::Time deadline = absl::InfiniteFuture());

  const std::string& name() const { return options_.name; }

 private:
  struct BatchResult {
    int64_t handled = 0;
    int64_t cursor = 0;
    bool more = false;
  };
  // Wakes the background thread; shared with hub waiters so that a waiter firing late never
  // touches a destroyed consumer.
  struct Wakeup {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    bool stopping = false;
  };

  absl::Status Validate() const;
  absl::StatusOr<BatchResult> RunBatch(absl::Time deadline);
  // CatchUp that, when `stoppable`, also ends (successfully) once Stop was requested. Sets
  // `*cursor` to the cursor after the last committed batch.
  absl::StatusOr<int64_t> Drain(absl::Time deadline, bool stoppable, int64_t* cursor);
  void Loop();

  db::Database& db_;
  EventHub* hub_;
  const ConsumerOptions options_;
  const Handler handler_;

  std::shared_ptr<Wakeup> wakeup_ = std::make_shared<Wakeup>();
  std::atomic<bool> stop_requested_{false};  // read between batches, without the lock
  // How far this instance has seen only events it does not handle (beyond the stored cursor):
  // a look with a plain read moves it, so that a wake-up for other events costs no write.
  std::atomic<int64_t> skipped_up_to_{0};
  std::mutex thread_mu_;                      // guards thread_ (Start / Stop)
  std::thread thread_;
};

}  // namespace crm::events
