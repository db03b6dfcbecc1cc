// EventConsumer on every backend: matching events handled once and in order, a cursor that
// survives the consumer, batches rolled back whole by a failing handler, two instances of one
// consumer sharing the work without repeats, and the background thread woken by the hub.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/events/consumer.h"
#include "common/events/event_hub.h"
#include "common/events/outbox.h"
#include "tests/support/test_backends.h"

namespace crm {
namespace {

using events::ConsumerOptions;
using events::EventConsumer;

// What the handlers write: one row per handled event, keyed so that a repeat would fail.
constexpr char kInsertHandled[] = "INSERT INTO handled (consumer, sequence, entity_id) VALUES (:c, :s, :e)";

class EventConsumerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*test_db_);
    db_ = Open();
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db::ApplyMigrations(*db_, {db::CommonMigrations(), TestMigrations()}).ok());
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  // Another connection pool on the same database: what a second process would have.
  std::unique_ptr<db::Database> Open() {
    auto opened = testing::OpenDatabase(*test_db_, 4);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }

  static db::MigrationSet TestMigrations() {
    return {"test",
            {{1,
              "handled",
              {"CREATE TABLE IF NOT EXISTS handled (consumer VARCHAR(100) NOT NULL,"
               " sequence BIGINT NOT NULL, entity_id VARCHAR(64) NOT NULL,"
               " PRIMARY KEY (consumer, sequence)){{TABLE_OPTIONS}}"}}}};
  }

  // Appends one event per id (all in one transaction); returns the last sequence.
  int64_t Append(const std::string& type, const std::vector<std::string>& ids) {
    int64_t last = 0;
    absl::Status status = db_->Write([&](db::Tx& tx) -> absl::Status {
      for (const std::string& id : ids) {
        crm::v1::Event event;
        event.set_type(type);
        event.set_entity("item");
        event.set_entity_id(id);
        event.set_change(crm::v1::CHANGE_KIND_CREATED);
        event.set_user("u");
        event.set_actor("test");
        event.mutable_time()->set_seconds(1700000000);
        absl::Status appended = outbox_.Append(tx, event);
        if (!appended.ok()) return appended;
        last = event.sequence();
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return last;
  }

  // A handler that records each event it handles into `handled`, in the transaction.
  static EventConsumer::Handler Recorder(const std::string& consumer) {
    return [consumer](db::Tx& tx, const crm::v1::Event& event) -> absl::Status {
      long long sequence = event.sequence();
      tx.session() << kInsertHandled, soci::use(consumer, "c"), soci::use(sequence, "s"),
          soci::use(event.entity_id(), "e");
      return absl::OkStatus();
    };
  }

  // The entity ids recorded for `consumer`, in sequence order.
  std::vector<std::string> Handled(const std::string& consumer) {
    std::vector<std::string> ids;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) -> absl::Status {
                     soci::rowset<std::string> rows =
                         (sql.prepare << "SELECT entity_id FROM handled WHERE consumer = :c ORDER BY sequence",
                          soci::use(consumer, "c"));
                     for (const std::string& id : rows) ids.push_back(id);
                     return absl::OkStatus();
                   }).ok());
    return ids;
  }

  static ConsumerOptions Options(const std::string& name, std::vector<std::string> types = {}, int batch = 200) {
    ConsumerOptions options;
    options.name = name;
    options.types = std::move(types);
    options.batch = batch;
    return options;
  }

  // Polls `done` until it holds or `timeout` passes.
  template <typename Predicate>
  static bool Eventually(Predicate done, absl::Duration timeout = absl::Seconds(5)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (done()) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return done();
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<db::Database> db_;
  events::EventHub hub_;
  events::Outbox outbox_{&hub_};
};

TEST_P(EventConsumerTest, HandlesOnlyMatchingTypesInOrderOnce) {
  Append("account.created", {"a1"});
  Append("contact.created", {"c1"});
  Append("deal.won", {"d1"});
  Append("accounts.x", {"x1"});  // "account." is a prefix of names, not of "accounts."
  const int64_t last_handled = Append("account.updated", {"a2", "a3"});
  const int64_t last = Append("deal.lost", {"d2"});

  // A batch of 2 makes the catch-up run several transactions.
  EventConsumer consumer(*db_, &hub_, Options("test.matching", {"account.", "deal.won"}, 2), Recorder("m"));
  absl::StatusOr<int64_t> handled = consumer.CatchUp();
  ASSERT_TRUE(handled.ok()) << handled.status();
  EXPECT_EQ(*handled, 4);
  EXPECT_EQ(Handled("m"), (std::vector<std::string>{"a1", "d1", "a2", "a3"}));
  // The stored cursor covers every handled event; trailing events that did not match are
  // skipped with a read only (no write for them).
  EXPECT_GE(*consumer.Cursor(), last_handled);
  EXPECT_LT(*consumer.Cursor(), last);

  handled = consumer.CatchUp();
  ASSERT_TRUE(handled.ok()) << handled.status();
  EXPECT_EQ(*handled, 0);
  EXPECT_EQ(Handled("m").size(), 4u);
}

TEST_P(EventConsumerTest, CursorPersistsPerName) {
  Append("item.created", {"1", "2", "3"});
  {
    EventConsumer first(*db_, nullptr, Options("test.persist"), Recorder("first"));
    EXPECT_EQ(*first.CatchUp(), 3);
  }
  Append("item.created", {"4", "5"});

  // Same name on another connection pool (another process): continues after the cursor.
  std::unique_ptr<db::Database> other = Open();
  ASSERT_NE(other, nullptr);
  EventConsumer again(*other, nullptr, Options("test.persist"), Recorder("again"));
  EXPECT_EQ(*again.Cursor(), 3);
  EXPECT_EQ(*again.CatchUp(), 2);
  EXPECT_EQ(Handled("again"), (std::vector<std::string>{"4", "5"}));

  // Another name starts from the beginning.
  EventConsumer fresh(*db_, nullptr, Options("test.persist.other"), Recorder("fresh"));
  EXPECT_EQ(*fresh.Cursor(), 0);
  EXPECT_EQ(*fresh.CatchUp(), 5);
  EXPECT_EQ(Handled("fresh"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
}

TEST_P(EventConsumerTest, FailingHandlerRollsBackItsBatchAndIsRetriedLater) {
  Append("item.created", {"1", "2", "3", "4", "5"});
  std::atomic<bool> failing{true};
  EventConsumer::Handler record = Recorder("f");
  EventConsumer consumer(*db_, &hub_, Options("test.failing", {"item."}, 2),
                         [&](db::Tx& tx, const crm::v1::Event& event) -> absl::Status {
                           absl::Status recorded = record(tx, event);
                           if (!recorded.ok()) return recorded;
                           // An event written by the handler shares the batch's fate.
                           absl::Status derived = outbox_.AppendChange(
                               tx, "derived.seen", "item", event.entity_id(), crm::v1::CHANGE_KIND_NOTICE, {}, "u",
                               "consumer", "", absl::FromUnixSeconds(1700000000));
                           if (!derived.ok()) return derived;
                           if (failing && event.entity_id() == "3") return absl::FailedPreconditionError("not yet");
                           return absl::OkStatus();
                         });

  // Batch {1,2} commits; batch {3,4} fails and leaves nothing behind.
  absl::StatusOr<int64_t> handled = consumer.CatchUp();
  EXPECT_EQ(handled.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Handled("f"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(*consumer.Cursor(), 2);
  events::EventQuery derived;
  derived.types = {"derived."};
  EXPECT_EQ(events::ReadEvents(*db_, derived)->events.size(), 2u);

  // Still failing: nothing moves.
  EXPECT_FALSE(consumer.CatchUp().ok());
  EXPECT_EQ(*consumer.Cursor(), 2);

  failing = false;
  handled = consumer.CatchUp();
  ASSERT_TRUE(handled.ok()) << handled.status();
  EXPECT_EQ(*handled, 3);
  EXPECT_EQ(Handled("f"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(events::ReadEvents(*db_, derived)->events.size(), 5u);
  // The consumer's own derived events lie beyond its cursor but do not match its types.
  EXPECT_EQ(*consumer.CatchUp(), 0);
}

TEST_P(EventConsumerTest, TwoInstancesOfOneConsumerHandleEachEventOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(absl::StrCat(i));
  Append("item.created", ids);

  std::unique_ptr<db::Database> other = Open();
  ASSERT_NE(other, nullptr);
  // Counted after commit: a transaction repeated after a deadlock runs its handlers again.
  std::atomic<int64_t> committed{0};
  auto counting = [&](db::Tx& tx, const crm::v1::Event& event) -> absl::Status {
    tx.OnCommit([&committed] { ++committed; });
    return Recorder("shared")(tx, event);
  };
  EventConsumer a(*db_, &hub_, Options("test.shared", {"item."}, 7), counting);
  EventConsumer b(*other, nullptr, Options("test.shared", {"item."}, 7), counting);

  // Both catch up again and again while more events keep arriving, so their batches interleave.
  std::atomic<bool> writing{true};
  std::atomic<int64_t> returned{0};
  auto run = [&](EventConsumer* consumer) {
    do {
      absl::StatusOr<int64_t> handled = consumer->CatchUp();
      EXPECT_TRUE(handled.ok()) << handled.status();
      if (handled.ok()) returned += *handled;
      absl::SleepFor(absl::Milliseconds(1));
    } while (writing);
  };
  std::thread ta(run, &a), tb(run, &b);
  for (int i = 0; i < 20; ++i) {
    Append("item.created", {absl::StrCat("late", i, "a"), absl::StrCat("late", i, "b")});
    absl::SleepFor(absl::Milliseconds(2));
  }
  writing = false;
  ta.join();
  tb.join();
  absl::StatusOr<int64_t> rest = a.CatchUp();
  ASSERT_TRUE(rest.ok()) << rest.status();
  returned += *rest;

  EXPECT_EQ(Handled("shared").size(), 340u);
  EXPECT_EQ(committed.load(), 340);
  EXPECT_EQ(returned.load(), 340);
}

TEST_P(EventConsumerTest, BackgroundThreadIsWokenByTheHub) {
  std::atomic<int> handled{0};
  ConsumerOptions options = Options("test.live", {"item."});
  options.poll = absl::Hours(1);  // only the hub can wake it in time
  EventConsumer consumer(*db_, &hub_, options, [&](db::Tx& tx, const crm::v1::Event&) -> absl::Status {
    tx.OnCommit([&handled] { ++handled; });
    return absl::OkStatus();
  });
  Append("item.created", {"before"});
  consumer.Start();
  ASSERT_TRUE(Eventually([&] { return handled == 1; }));

  const absl::Time appended = absl::Now();
  Append("item.created", {"after"});
  ASSERT_TRUE(Eventually([&] { return handled == 2; }, absl::Seconds(2)));
  EXPECT_LT(absl::Now() - appended, absl::Seconds(1));

  const absl::Time stopping = absl::Now();
  consumer.Stop();
  EXPECT_LT(absl::Now() - stopping, absl::Milliseconds(500));
  consumer.Stop();  // twice is fine
}

TEST_P(EventConsumerTest, BackgroundThreadPollsWithoutAHub) {
  std::atomic<int> handled{0};
  ConsumerOptions options = Options("test.polling", {"item."});
  options.poll = absl::Milliseconds(50);
  EventConsumer consumer(*db_, nullptr, options, [&](db::Tx& tx, const crm::v1::Event&) -> absl::Status {
    tx.OnCommit([&handled] { ++handled; });
    return absl::OkStatus();
  });
  consumer.Start();
  absl::SleepFor(absl::Milliseconds(20));
  events::Outbox silent(nullptr);  // as if written by another process
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   return silent.AppendChange(tx, "item.created", "item", "x", crm::v1::CHANGE_KIND_CREATED, {}, "u",
                                              "test", "", absl::FromUnixSeconds(1700000000));
                 }).ok());
  EXPECT_TRUE(Eventually([&] { return handled == 1; }, absl::Seconds(2)));
}

TEST_P(EventConsumerTest, FailingBackgroundConsumerBacksOffAndStopsPromptly) {
  Append("item.created", {"poison"});
  std::atomic<int> attempts{0};
  ConsumerOptions options = Options("test.backoff", {"item."});
  options.poll = absl::Milliseconds(10);
  options.max_backoff = absl::Seconds(10);
  EventConsumer consumer(*db_, &hub_, options, [&](db::Tx&, const crm::v1::Event&) -> absl::Status {
    ++attempts;
    return absl::InternalError("cannot handle this one");
  });
  consumer.Start();
  absl::SleepFor(absl::Milliseconds(700));
  // 100 + 200 + 400 ms pauses: a handful of attempts, not a spin.
  EXPECT_GE(attempts.load(), 2);
  EXPECT_LE(attempts.load(), 5);

  const absl::Time stopping = absl::Now();
  consumer.Stop();
  EXPECT_LT(absl::Now() - stopping, absl::Milliseconds(500));
  EXPECT_EQ(*consumer.Cursor(), 0);
}

TEST_P(EventConsumerTest, RefusesABadName) {
  EventConsumer nameless(*db_, nullptr, Options(""), Recorder("x"));
  EXPECT_EQ(nameless.CatchUp().status().code(), absl::StatusCode::kInvalidArgument);
  EventConsumer long_name(*db_, nullptr, Options(std::string(101, 'n')), Recorder("x"));
  EXPECT_EQ(long_name.CatchUp().status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, EventConsumerTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
