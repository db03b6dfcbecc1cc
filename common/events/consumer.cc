#include "common/events/consumer.h"

#include <soci/soci.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/db/entity_ops.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "common/events/outbox.h"

namespace crm::events {
namespace {

constexpr size_t kMaxNameLength = 100;
// How long the background thread waits for one transaction to start (a connection, the SQLite
// writer queue), so that Stop is not held up for long by a busy or absent database.
constexpr absl::Duration kStartBudget = absl::Seconds(5);
// The first pause after a failure; it doubles up to ConsumerOptions::max_backoff.
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
// How far the skip position may run ahead of the stored cursor before it is stored (a restart
// rescans at most this many events).
constexpr int64_t kMaxUnstoredSkip = 10000;

// Floor for `poll`, so that a zero setting cannot spin the thread.
constexpr absl::Duration kMinPoll = absl::Milliseconds(10);

// The stored cursor of `name` (nullopt when it has no row yet), with the dialect's `lock` suffix.
// Through SqlQuery, so that SQLite runs the statement its connection keeps: consumers read their
// cursors on every wake-up, and compiling the SELECT each time was 3 % of the server's CPU under
// a write load.
absl::StatusOr<std::optional<int64_t>> ReadCursor(soci::session& sql, const std::string& name, const char* lock,
                                                  absl::string_view context) {
  db::SqlQuery select("SELECT sequence FROM event_cursors");
  select.Where("consumer = ?", name).Append(lock);
  return db::ScanOne<int64_t>(sql, select, context, [](const db::ScannedRow& row) { return row.Int(0); });
}

// The stored cursor of `name`, 0 before its first batch (no row yet).
absl::StatusOr<int64_t> StoredCursor(soci::session& sql, const std::string& name) {
  absl::StatusOr<std::optional<int64_t>> cursor = ReadCursor(sql, name, "", "read event cursor");
  if (!cursor.ok()) return cursor.status();
  return cursor->value_or(0);
}

// Reads the cursor row of `name` with a lock held to the end of `tx`, creating it at 0 first.
// Selecting before inserting keeps the usual case to one exclusive lock: on InnoDB an INSERT
// IGNORE that meets an existing row takes a shared lock, and two instances both upgrading
// theirs would deadlock.
absl::StatusOr<int64_t> LockCursor(db::Tx& tx, const std::string& name) {
  constexpr absl::string_view kContext = "lock event cursor";
  const char* lock = tx.dialect().ForUpdate();
  absl::StatusOr<std::optional<int64_t>> cursor = ReadCursor(tx.session(), name, lock, kContext);
  if (!cursor.ok()) return cursor.status();
  if (cursor->has_value()) return **cursor;
  absl::Status created = db::Guard(kContext, [&]() -> absl::Status {
    // INSERT IGNORE: two instances may race to create the row.
    db::SqlQuery insert(absl::StrCat(tx.dialect().InsertIgnore(), " INTO event_cursors (consumer, sequence)"));
    insert.Append(" VALUES (?, 0)", name);
    db::Execute(tx.session(), insert);
    return absl::OkStatus();
  });
  if (!created.ok()) return created;
  cursor = ReadCursor(tx.session(), name, lock, kContext);
  if (!cursor.ok()) return cursor.status();
  if (!cursor->has_value()) return absl::InternalError(absl::StrCat("event cursor ", name, " vanished"));
  return **cursor;
}

absl::Status SetCursor(db::Tx& tx, const std::string& name, int64_t sequence) {
  return db::Guard("advance event cursor", [&]() -> absl::Status {
    db::SqlQuery update("UPDATE event_cursors");
    update.Append(" SET sequence = ?", static_cast<long long>(sequence)).Where("consumer = ?", name);
    db::Execute(tx.session(), update);
    return absl::OkStatus();
  });
}

}  // namespace

EventConsumer::EventConsumer(db::Database& db, EventHub* hub, ConsumerOptions options, Handler handler)
    : db_(db), hub_(hub), options_(std::move(options)), handler_(std::move(handler)) {}

EventConsumer::~EventConsumer() { Stop(); }

absl::Status EventConsumer::Validate() const {
  if (options_.name.empty() || options_.name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("event consumer name must have 1 to ", kMaxNameLength, " characters"));
  }
  if (options_.batch < 1) return absl::InvalidArgumentError("event consumer batch must be positive");
  if (!handler_) return absl::InvalidArgumentError("event consumer has no handler");
  return absl::OkStatus();
}

absl::StatusOr<EventConsumer::BatchResult> EventConsumer::RunBatch(absl::Time deadline) {
  BatchResult result;
  // A plain read first: most wake-ups announce events of other types, and those only move the
  // in-memory skip position until it is kMaxUnstoredSkip ahead of the stored cursor.
  int64_t stored = 0;
  bool nothing_to_handle = false;
  absl::Status looked = db_.Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<int64_t> cursor = StoredCursor(sql, options_.name);
        if (!cursor.ok()) return cursor.status();
        stored = *cursor;
        EventQuery query;
        query.after = std::max(stored, skipped_up_to_.load());
        query.types = options_.types;
        query.limit = options_.batch;
        absl::StatusOr<EventPage> page = ReadEvents(sql, query);
        if (!page.ok()) return page.status();
        if (page->events.empty()) {
          nothing_to_handle = true;
          skipped_up_to_ = std::max(query.after, page->last_scanned);
          result.more = page->more;
        }
        return absl::OkStatus();
      },
      deadline);
  if (!looked.ok()) return looked;
  if (nothing_to_handle && skipped_up_to_.load() - stored < kMaxUnstoredSkip) {
    result.cursor = skipped_up_to_.load();
    return result;
  }

  int64_t failed_at = 0;
  absl::Status status = db_.Write(
      [&](db::Tx& tx) -> absl::Status {
        result = BatchResult();  // the transaction may run more than once
        failed_at = 0;
        absl::StatusOr<int64_t> cursor = LockCursor(tx, options_.name);
        if (!cursor.ok()) return cursor.status();
        EventQuery query;
        // Events up to the skip position are known not to match, whichever instance stored
        // the cursor.
        query.after = std::max(*cursor, skipped_up_to_.load());
        query.types = options_.types;
        query.limit = options_.batch;
        absl::StatusOr<EventPage> page = ReadEvents(tx.session(), query);
        if (!page.ok()) return page.status();
        for (const crm::v1::Event& event : page->events) {
          absl::Status handled = handler_(tx, event);
          if (!handled.ok()) {
            failed_at = event.sequence();
            return handled;  // unchanged, so that a retryable error is still retried
          }
          ++result.handled;
        }
        result.cursor = std::max(query.after, page->last_scanned);
        result.more = page->more;
        if (result.cursor == *cursor) return absl::OkStatus();
        return SetCursor(tx, options_.name, result.cursor);
      },
      deadline);
  if (!status.ok()) {
    std::fprintf(stderr, "events: consumer %s: batch failed%s: %s\n", options_.name.c_str(),
                 failed_at == 0 ? "" : absl::StrCat(" at sequence ", failed_at).c_str(),
                 status.ToString().c_str());
    return status;
  }
  return result;
}

absl::StatusOr<int64_t> EventConsumer::Drain(absl::Time deadline, bool stoppable, int64_t* cursor) {
  absl::Status valid = Validate();
  if (!valid.ok()) {
    std::fprintf(stderr, "events: consumer %s: %s\n", options_.name.c_str(), valid.ToString().c_str());
    return valid;
  }
  int64_t handled = 0;
  for (;;) {
    if (stoppable && stop_requested_) return handled;
    absl::StatusOr<BatchResult> batch =
        RunBatch(stoppable ? std::min(deadline, absl::Now() + kStartBudget) : deadline);
    if (!batch.ok()) return batch.status();
    handled += batch->handled;
    *cursor = batch->cursor;
    if (!batch->more) return handled;
  }
}

absl::StatusOr<int64_t> EventConsumer::CatchUp(absl::Time deadline) {
  int64_t cursor = 0;
  return Drain(deadline, false, &cursor);
}

absl::StatusOr<int64_t> EventConsumer::Cursor(absl::Time deadline) {
  return db::ReadValue(db_, deadline, [&](soci::session& sql) { return StoredCursor(sql, options_.name); });
}

void EventConsumer::Start() {
  std::lock_guard<std::mutex> lock(thread_mu_);
  if (thread_.joinable()) return;
  stop_requested_ = false;
  {
    std::lock_guard<std::mutex> wake_lock(wakeup_->mu);
    wakeup_->stopping = false;
    wakeup_->woken = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void EventConsumer::Stop() {
  std::lock_guard<std::mutex> lock(thread_mu_);
  stop_requested_ = true;
  {
    std::lock_guard<std::mutex> wake_lock(wakeup_->mu);
    wakeup_->stopping = true;
  }
  wakeup_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventConsumer::Loop() {
  const absl::Duration poll = std::max(options_.poll, kMinPoll);
  absl::Duration backoff = absl::ZeroDuration();
  int64_t cursor = 0;
  while (!stop_requested_) {
    // Everything announced before the catch-up starts is committed, so the catch-up reads past
    // it; waiting beyond it (not just beyond the cursor) cannot fire at once for events the
    // cursor never reaches (e.g. another instance of this consumer handled them).
    const int64_t announced = hub_ != nullptr ? hub_->latest() : 0;
    absl::StatusOr<int64_t> handled = Drain(absl::InfiniteFuture(), true, &cursor);
    if (stop_requested_) return;

    absl::Duration wait = poll;
    uint64_t ticket = 0;
    {
      std::lock_guard<std::mutex> lock(wakeup_->mu);
      wakeup_->woken = false;
    }
    if (!handled.ok()) {
      // Already logged by the batch. Only time wakes a failed consumer: new events would not
      // make the failing one succeed.
      backoff = std::min(std::max(backoff * 2, kFirstBackoff), std::max(options_.max_backoff, kFirstBackoff));
      wait = backoff;
    } else {
      backoff = absl::ZeroDuration();
      if (hub_ != nullptr) {
        std::shared_ptr<Wakeup> wakeup = wakeup_;
        ticket = hub_->WaitBeyond(std::max(cursor, announced), [wakeup] {
          {
            std::lock_guard<std::mutex> lock(wakeup->mu);
            wakeup->woken = true;
          }
          wakeup->cv.notify_all();
        });
      }
    }
    {
      std::unique_lock<std::mutex> lock(wakeup_->mu);
      wakeup_->cv.wait_for(lock, absl::ToChronoMilliseconds(wait),
                           [this] { return wakeup_->woken || wakeup_->stopping; });
      wakeup_->woken = false;
    }
    if (ticket != 0) hub_->Cancel(ticket);
  }
}

}  // namespace crm::events
