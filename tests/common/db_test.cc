// common/db and the outbox on every backend: migrations, transactions, retry, request replay,
// event sequences, leases.
#include <gtest/gtest.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/core/current_call.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/db/query.h"
#include "common/db/request_replay.h"
#include "common/db/row.h"
#include "common/db/row_scan.h"
#include "common/db/shared_state.h"
#include "common/db/sql_error.h"
#include "common/db/sqlite_statements.h"
#include "common/events/outbox.h"
#include "crm/v1/account.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_backends.h"

namespace crm {
namespace {

// A row written whole by name through db::ExecuteRow and db::ExecuteAtRevision.
struct Gadget {
  std::string id;
  std::string label;
  std::string note;  // empty: NULL
  long long qty = 0;
  double weight = 0;
};

}  // namespace
}  // namespace crm

namespace soci {
template <>
struct type_conversion<crm::Gadget> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::Gadget& g) {
    g.id = crm::db::GetString(v, "id");
    g.label = crm::db::GetString(v, "label");
    g.note = crm::db::IsNull(v, "note") ? "" : crm::db::GetString(v, "note");
    g.qty = crm::db::GetInt64(v, "qty");
    g.weight = crm::db::GetDouble(v, "weight");
  }
  template <typename Values>
  static void to_base(const crm::Gadget& g, Values& v, indicator& ind) {
    // Set in another order than the statements name them.
    v.set("weight", g.weight);
    v.set("id", g.id);
    v.set("note", g.note, g.note.empty() ? i_null : i_ok);
    v.set("label", g.label);
    v.set("qty", g.qty);
    ind = i_ok;
  }
};
}  // namespace soci

namespace crm {
namespace {

class DatabaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*test_db_);
    auto opened = testing::OpenDatabase(*test_db_, 4, {db::CommonMigrations(), TestMigrations()});
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = *std::move(opened);
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  static db::MigrationSet TestMigrations() {
    return {"test",
            {{1,
              "items",
              {"CREATE TABLE IF NOT EXISTS items (id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " qty BIGINT NOT NULL){{TABLE_OPTIONS}}"}}}};
  }

  long long CountItems() {
    long long n = -1;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) {
                     sql << "SELECT COUNT(*) FROM items", soci::into(n);
                     return absl::OkStatus();
                   }).ok());
    return n;
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<db::Database> db_;
};

TEST_P(DatabaseTest, MigrationsAreRecordedAndApplyOnce) {
  ASSERT_TRUE(db::ApplyMigrations(*db_, {db::CommonMigrations(), TestMigrations()}).ok());
  long long recorded = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) {
                   sql << "SELECT COUNT(*) FROM schema_migrations WHERE module = 'test'", soci::into(recorded);
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(recorded, 1);
}

TEST_P(DatabaseTest, FailedWorkRollsBackEverything) {
  absl::Status status = db_->Write([&](db::Tx& tx) -> absl::Status {
    tx.session() << "INSERT INTO items (id, qty) VALUES ('a', 1)";
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CountItems(), 0);
  // A SQL error half-way also rolls back the statements before it.
  status = db_->Write([&](db::Tx& tx) -> absl::Status {
    tx.session() << "INSERT INTO items (id, qty) VALUES ('a', 1)";
    tx.session() << "INSERT INTO items (id, qty) VALUES ('a', 2)";
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CountItems(), 0);
}

TEST_P(DatabaseTest, ConcurrentIncrementsAreNotLost) {
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   tx.session() << "INSERT INTO items (id, qty) VALUES ('counter', 0)";
                   return absl::OkStatus();
                 }).ok());
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status s = db_->Write([&](db::Tx& tx) {
          long long qty = 0;
          tx.session() << std::string("SELECT qty FROM items WHERE id = 'counter'") + tx.dialect().ForUpdate(),
              soci::into(qty);
          ++qty;
          tx.session() << "UPDATE items SET qty = :q WHERE id = 'counter'", soci::use(qty);
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  long long qty = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) {
                   sql << "SELECT qty FROM items WHERE id = 'counter'", soci::into(qty);
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(qty, kThreads * kPerThread);
}

// Concurrent writers on SQLite share commits (group commit); on either backend, a write that
// fails — by its own choice or by a SQL error after it wrote — leaves nothing behind, while the
// writes committed beside it all stay, and only theirs run their after-commit hooks.
TEST_P(DatabaseTest, ConcurrentWritesCommitTogetherAndAFailingOneFailsAlone) {
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   tx.session() << "INSERT INTO items (id, qty) VALUES ('seed', 0)";
                   return absl::OkStatus();
                 }).ok());
  const db::Database::WriteCounts before = db_->write_counts();
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> committed{0}, hooks_run{0}, refused{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("t", t, "-", i);
        absl::Status s = db_->Write([&](db::Tx& tx) -> absl::Status {
          tx.session() << "INSERT INTO items (id, qty) VALUES (:id, :qty)", soci::use(id), soci::use(i);
          tx.OnCommit([&] { ++hooks_run; });
          if (i % 5 == 3) return absl::InvalidArgumentError("refused after writing");
          if (i % 5 == 4) tx.session() << "INSERT INTO items (id, qty) VALUES ('seed', 1)";  // unique violation
          return absl::OkStatus();
        });
        if (s.ok()) {
          ++committed;
        } else if (s.code() == absl::StatusCode::kInvalidArgument) {
          ++refused;
        } else if (s.code() == absl::StatusCode::kAlreadyExists) {
          ++duplicates;
        } else {
          ADD_FAILURE() << id << ": " << s;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(committed.load(), kThreads * kPerThread * 3 / 5);
  EXPECT_EQ(refused.load(), kThreads * kPerThread / 5);
  EXPECT_EQ(duplicates.load(), kThreads * kPerThread / 5);
  EXPECT_EQ(hooks_run.load(), committed.load());

  std::set<std::string> ids;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) {
                   soci::rowset<std::string> rows = (sql.prepare << "SELECT id FROM items WHERE id <> 'seed'");
                   for (const std::string& id : rows) ids.insert(id);
                   return absl::OkStatus();
                 }).ok());
  std::set<std::string> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      if (i % 5 < 3) expected.insert(absl::StrCat("t", t, "-", i));
    }
  }
  EXPECT_EQ(ids, expected);

  const db::Database::WriteCounts after = db_->write_counts();
  EXPECT_EQ(after.transactions - before.transactions, committed.load());
  if (GetParam() == "sqlite") {
    // Eight writers queue behind each commit's sync: commits are shared.
    EXPECT_LT(after.commits - before.commits, committed.load());
  } else {
    EXPECT_EQ(after.commits - before.commits, committed.load());
  }
}

// A long transaction (WriteBulk) commits on its own. On SQLite it takes turns with the group
// writer for the database's write lock: short writes queue behind it, and it never waits out
// the busy timeout (5 s here) behind a group.
TEST_P(DatabaseTest, BulkWritesInterleaveWithGroupedWrites) {
  constexpr int kShortWriters = 6, kShortWrites = 30, kBulkWrites = 10;
  std::atomic<int> failures{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kShortWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kShortWrites; ++i) {
        const std::string id = absl::StrCat("s", t, "-", i);
        absl::Status s = db_->Write([&](db::Tx& tx) {
          tx.session() << "INSERT INTO items (id, qty) VALUES (:id, 1)", soci::use(id);
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < kBulkWrites; ++i) {
      absl::Status s = db_->WriteBulk([&](db::Tx& tx) {
        for (int row = 0; row < 50; ++row) {
          const std::string id = absl::StrCat("b", i, "-", row);
          tx.session() << "INSERT INTO items (id, qty) VALUES (:id, 2)", soci::use(id);
        }
        return absl::OkStatus();
      });
      if (!s.ok()) ++failures;
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountItems(), kShortWriters * kShortWrites + kBulkWrites * 50);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "a bulk write waited out the busy timeout";
}

// With group commit switched off every SQLite write pays a commit of its own.
// A SQLite database of 4 pooled connections with a table "items (id)", group commit on or off.
absl::StatusOr<std::unique_ptr<db::Database>> OpenSqliteItems(const testing::TestDatabase& test_db, bool group_commit) {
  db::DatabaseOptions options;
  options.url = test_db.url();
  options.pool_size = 4;
  options.sqlite_group_commit = group_commit;
  absl::StatusOr<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
  if (!opened.ok()) return opened.status();
  absl::Status created = (*opened)->WithSession([](soci::session& sql) {
    sql << "CREATE TABLE items (id VARCHAR(64) NOT NULL PRIMARY KEY)";
    return absl::OkStatus();
  });
  if (!created.ok()) return created;
  return opened;
}

TEST(SqliteGroupCommitTest, SwitchedOffEveryWriteCommitsAlone) {
  testing::TestDatabase test_db("sqlite");
  ASSERT_TRUE(test_db.available());
  absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenSqliteItems(test_db, /*group_commit=*/false);
  ASSERT_TRUE(opened.ok()) << opened.status();
  db::Database& database = **opened;
  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat(t, "-", i);
        EXPECT_TRUE(database.Write([&](db::Tx& tx) {
                              tx.session() << "INSERT INTO items (id) VALUES (:id)", soci::use(id);
                              return absl::OkStatus();
                            }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(database.write_counts().transactions, kThreads * kPerThread);
  EXPECT_EQ(database.write_counts().commits, kThreads * kPerThread);
}

// With group commit each write runs on the group writer's thread. It must still see its own
// caller's current call, from which the outbox and the audit log name who acts, and its
// after-commit hooks run back on its caller's thread.
TEST(SqliteGroupCommitTest, EachWriteSeesItsCallersCurrentCallAndItsHooksRunOnItsCallersThread) {
  testing::TestDatabase test_db("sqlite");
  ASSERT_TRUE(test_db.available());
  absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenSqliteItems(test_db, /*group_commit=*/true);
  ASSERT_TRUE(opened.ok()) << opened.status();
  db::Database& database = **opened;
  constexpr int kThreads = 8, kPerThread = 20;
  std::atomic<int> hooks_on_caller{0}, hooks_elsewhere{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const ScopedCurrentCall current(CurrentCall{absl::StrCat("user-", t), "test/Write", "", OwnerScope()});
      const std::thread::id caller = std::this_thread::get_id();
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(database.Write([&](db::Tx& tx) {
                              const CurrentCall* call = ThisThreadCall();
                              const std::string id = absl::StrCat(call == nullptr ? "nobody" : call->actor, "/", i);
                              tx.session() << "INSERT INTO items (id) VALUES (:id)", soci::use(id);
                              tx.OnCommit([&, caller] {
                                ++(std::this_thread::get_id() == caller ? hooks_on_caller : hooks_elsewhere);
                              });
                              return absl::OkStatus();
                            }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids, expected;
  ASSERT_TRUE(database.Read([&](soci::session& sql) {
                        soci::rowset<std::string> rows = (sql.prepare << "SELECT id FROM items");
                        for (const std::string& id : rows) ids.insert(id);
                        return absl::OkStatus();
                      }).ok());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected.insert(absl::StrCat("user-", t, "/", i));
  }
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(hooks_on_caller.load(), kThreads * kPerThread);
  EXPECT_EQ(hooks_elsewhere.load(), 0);
  EXPECT_EQ(ThisThreadCall(), nullptr);
}

// SQLite's one writer of the process: a writer whose deadline passes while another holds the
// lock gives up with DEADLINE_EXCEEDED, with and without group commit, and writes nothing.
TEST(SqliteWriterLockTest, AWriterPastItsDeadlineGivesUpWithDeadlineExceeded) {
  for (const bool grouped : {true, false}) {
    SCOPED_TRACE(grouped ? "group commit" : "a commit per write");
    testing::TestDatabase test_db("sqlite");
    ASSERT_TRUE(test_db.available());
    absl::StatusOr<std::unique_ptr<db::Database>> opened = OpenSqliteItems(test_db, grouped);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db::Database& database = **opened;
    std::atomic<bool> holding{false}, release{false};
    std::thread holder([&] {
      EXPECT_TRUE(database.Write([&](db::Tx& tx) {
                            tx.session() << "INSERT INTO items (id) VALUES ('held')";
                            holding = true;
                            // Bounded, so that a writer that ignored its deadline fails the test
                            // instead of waiting here for ever.
                            const absl::Time until = absl::Now() + absl::Seconds(2);
                            while (!release && absl::Now() < until) {
                              std::this_thread::sleep_for(std::chrono::milliseconds(1));
                            }
                            return absl::OkStatus();
                          }).ok());
    });
    while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    absl::Status late = database.Write(
        [](db::Tx& tx) {
          tx.session() << "INSERT INTO items (id) VALUES ('late')";
          return absl::OkStatus();
        },
        absl::Now() + absl::Milliseconds(50));
    release = true;
    holder.join();
    EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded) << late;
    EXPECT_NE(late.message().find("write lock"), std::string::npos) << late;
    long long late_rows = -1;
    ASSERT_TRUE(database.Read([&](soci::session& sql) {
                          sql << "SELECT COUNT(*) FROM items WHERE id = 'late'", soci::into(late_rows);
                          return absl::OkStatus();
                        }).ok());
    EXPECT_EQ(late_rows, 0);
  }
}

// A whole row bound by name: every column and NULL arrive, an update applies only at the expected
// revision, a statement naming a column the row lacks fails without writing, and on SQLite the
// statement is compiled once per connection.
TEST_P(DatabaseTest, ExecuteRowBindsEveryColumnByName) {
  ASSERT_TRUE(db_->WithSession([](soci::session& sql) {
                   sql << "CREATE TABLE gadgets (id VARCHAR(64) NOT NULL PRIMARY KEY, label VARCHAR(64) NOT NULL,"
                          " note VARCHAR(64) NULL, qty BIGINT NOT NULL, weight DOUBLE NOT NULL,"
                          " revision BIGINT NOT NULL)";
                   return absl::OkStatus();
                 }).ok());
  const std::string insert =
      "INSERT INTO gadgets (id, label, note, qty, weight, revision)"
      " VALUES (:id, :label, :note, :qty, :weight, 1)";
  const Gadget plain{"g1", "plain", "", 3, 1.25};
  const Gadget noted{"g2", "noted", "fragile", -7, 0.5};
  size_t kept_after_first = 0, kept_after_second = 0;
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   EXPECT_EQ(db::ExecuteRow(tx.session(), insert, plain), 1);
                   kept_after_first = db::KeptStatementCount(tx.session());
                   EXPECT_EQ(db::ExecuteRow(tx.session(), insert, noted), 1);
                   kept_after_second = db::KeptStatementCount(tx.session());
                   return absl::OkStatus();
                 }).ok());
  if (GetParam() == "sqlite") {
    EXPECT_GE(kept_after_first, 1u);
    EXPECT_EQ(kept_after_second, kept_after_first) << "the same insert was compiled again";
  }

  const std::string update =
      "UPDATE gadgets SET label = :label, note = :note, qty = :qty, weight = :weight, revision = revision + 1"
      " WHERE id = :id AND revision = :expected_revision";
  Gadget changed = noted;
  changed.label = "changed";
  changed.note = "";  // back to NULL
  absl::StatusOr<bool> first = false, stale = true;
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   first = db::ExecuteAtRevision(tx.session(), update, changed, 1, "update gadget");
                   stale = db::ExecuteAtRevision(tx.session(), update, changed, 1, "update gadget");
                   return absl::OkStatus();
                 }).ok());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  ASSERT_TRUE(stale.ok()) << stale.status();
  EXPECT_FALSE(*stale) << "an update applied at a revision that had moved on";

  absl::Status missing = db_->Write([&](db::Tx& tx) {
    return db::Guard("insert gadget", [&]() -> absl::Status {
      db::ExecuteRow(tx.session(),
                     "INSERT INTO gadgets (id, label, note, qty, weight, revision)"
                     " VALUES (:id, :colour, :note, :qty, :weight, 1)",
                     Gadget{"g3", "x", "", 1, 1});
      return absl::OkStatus();
    });
  });
  EXPECT_FALSE(missing.ok());

  struct Stored {
    std::string label, note;
    bool note_null;
    long long qty, revision;
    double weight;
  };
  std::map<std::string, Stored> stored;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) {
                   soci::rowset<soci::row> rows =
                       (sql.prepare << "SELECT id, label, note, qty, weight, revision FROM gadgets ORDER BY id");
                   for (const soci::row& row : rows) {
                     const bool null_note = row.get_indicator(2) == soci::i_null;
                     stored[row.get<std::string>(0)] =
                         Stored{row.get<std::string>(1), null_note ? "" : row.get<std::string>(2), null_note,
                                db::GetInt64(row, 3), db::GetInt64(row, 5), db::GetDouble(row, 4)};
                   }
                   return absl::OkStatus();
                 }).ok());
  ASSERT_EQ(stored.size(), 2u) << "the statement with a parameter the row lacks wrote a row";
  EXPECT_EQ(stored["g1"].label, "plain");
  EXPECT_TRUE(stored["g1"].note_null);
  EXPECT_EQ(stored["g1"].qty, 3);
  EXPECT_EQ(stored["g1"].revision, 1);
  EXPECT_DOUBLE_EQ(stored["g1"].weight, 1.25);
  EXPECT_EQ(stored["g2"].label, "changed");
  EXPECT_TRUE(stored["g2"].note_null);
  EXPECT_EQ(stored["g2"].qty, -7);
  EXPECT_EQ(stored["g2"].revision, 2);
  EXPECT_DOUBLE_EQ(stored["g2"].weight, 0.5);
}

TEST_P(DatabaseTest, RequestReplayFindsTheFirstResourceAndRefusesADifferentBody) {
  crm::v1::Account body;
  body.set_name("x");
  const std::string fp = db::RequestReplay::Fingerprint(body);
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) {
                   auto found = db::RequestReplay::Find(tx, "s", "r1", fp);
                   EXPECT_TRUE(found.ok() && !found->has_value());
                   return db::RequestReplay::Record(tx, "s", "r1", fp, "res_1");
                 }).ok());
  ASSERT_TRUE(db_->Write([&](db::Tx& tx) -> absl::Status {
                   auto found = db::RequestReplay::Find(tx, "s", "r1", fp);
                   EXPECT_TRUE(found.ok());
                   EXPECT_EQ(found->value_or(""), "res_1");
                   body.set_name("y");
                   auto other = db::RequestReplay::Find(tx, "s", "r1", db::RequestReplay::Fingerprint(body));
                   EXPECT_TRUE(testing::HasCodeAndField(other.status(), absl::StatusCode::kAlreadyExists, "request_id"));
                   return absl::OkStatus();
                 }).ok());
}

TEST_P(DatabaseTest, EventSequencesAreGaplessPerCommitAndRolledBackWithTheirTransaction) {
  events::EventHub hub;
  events::Outbox outbox(&hub);
  auto append = [&](const std::string& id, bool commit) {
    return db_->Write([&](db::Tx& tx) -> absl::Status {
      absl::Status s = outbox.AppendChange(tx, "item.created", "item", id, crm::v1::CHANGE_KIND_CREATED, {}, "u",
                                           "actor", "", absl::Now());
      if (!s.ok()) return s;
      return commit ? absl::OkStatus() : absl::CancelledError("rollback");
    });
  };
  ASSERT_TRUE(append("a", true).ok());
  ASSERT_FALSE(append("b", false).ok());
  ASSERT_TRUE(append("c", true).ok());
  EXPECT_EQ(hub.latest(), 2);
  auto page = events::ReadEvents(*db_, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].sequence(), 1);
  EXPECT_EQ(page->events[0].entity_id(), "a");
  EXPECT_EQ(page->events[1].sequence(), 2);
  EXPECT_EQ(page->events[1].entity_id(), "c");

  // Concurrent writers get distinct, increasing sequences.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(append(absl::StrCat("t", t, "-", i), true).ok());
    });
  }
  for (auto& t : threads) t.join();
  events::EventQuery all;
  all.limit = 1000;
  page = events::ReadEvents(*db_, all);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 82u);
  for (size_t i = 0; i < page->events.size(); ++i) EXPECT_EQ(page->events[i].sequence(), static_cast<int64_t>(i + 1));
}

TEST_P(DatabaseTest, LeaseHasOneHolderUntilItExpires) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(*db::TryAcquireLease(*db_, "job", "p1", t0, absl::Seconds(30)));
  EXPECT_FALSE(*db::TryAcquireLease(*db_, "job", "p2", t0 + absl::Seconds(10), absl::Seconds(30)));
  EXPECT_TRUE(*db::TryAcquireLease(*db_, "job", "p1", t0 + absl::Seconds(20), absl::Seconds(30)));
  EXPECT_FALSE(*db::TryAcquireLease(*db_, "job", "p2", t0 + absl::Seconds(40), absl::Seconds(30)));
  EXPECT_TRUE(*db::TryAcquireLease(*db_, "job", "p2", t0 + absl::Seconds(51), absl::Seconds(30)));
  // Renewing at the same instant writes the same expiry: MySQL then reports no changed row, and
  // the holder must still be told it holds the lease.
  EXPECT_TRUE(*db::TryAcquireLease(*db_, "job", "p2", t0 + absl::Seconds(51), absl::Seconds(30)));
  EXPECT_FALSE(*db::TryAcquireLease(*db_, "job", "p1", t0 + absl::Seconds(51), absl::Seconds(30)));
}

TEST_P(DatabaseTest, SecretsAreStableAcrossCalls) {
  auto a = db::GetOrCreateSecret(*db_, "k");
  auto b = db::GetOrCreateSecret(*db_, "k");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->size(), 64u);
}

TEST(DatabaseUrlTest, ParsesBothBackendsAndRefusesNonsense) {
  auto sqlite = db::ParseDatabaseUrl("sqlite:///var/lib/crm/crm.db");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->sqlite_path, "/var/lib/crm/crm.db");
  auto mysql = db::ParseDatabaseUrl("mysql://crm:p%40ss@10.0.0.5:3307/crm_prod");
  ASSERT_TRUE(mysql.ok());
  EXPECT_EQ(mysql->user, "crm");
  EXPECT_EQ(mysql->password, "p@ss");
  EXPECT_EQ(mysql->host, "10.0.0.5");
  EXPECT_EQ(mysql->port, 3307);
  EXPECT_EQ(mysql->database, "crm_prod");
  EXPECT_EQ(mysql->display.find("p@ss"), std::string::npos);
  EXPECT_FALSE(db::ParseDatabaseUrl("postgres://x/y").ok());
  EXPECT_FALSE(db::ParseDatabaseUrl("mysql://u@h:99999/db").ok());
  EXPECT_FALSE(db::ParseDatabaseUrl("mysql://u@h/db;drop").ok());
  EXPECT_FALSE(db::ParseDatabaseUrl("sqlite://").ok());
}

// A node that cannot serve (Galera outside the primary component, a server shutting down, a
// killed connection) is the database being away: UNAVAILABLE, which callers may retry, not
// INTERNAL.
TEST(SqlErrorTest, UnservableMysqlNodeIsUnavailableNotInternal) {
  for (int number : {1047, 1053, 1927, 2013}) {
    const soci::mysql_soci_error error("node cannot serve", number);
    EXPECT_EQ(db::ClassifySqlError(error), db::SqlErrorKind::kConnection) << number;
    const absl::Status status = db::StatusFromSqlError(error, "GetAccount");
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << number;
    EXPECT_TRUE(db::IsConnectionLoss(status)) << number;
  }
  const soci::mysql_soci_error deadlock("Deadlock found", 1213);
  EXPECT_EQ(db::ClassifySqlError(deadlock), db::SqlErrorKind::kRetryable);
  const soci::mysql_soci_error syntax("You have an error in your SQL syntax", 1064);
  EXPECT_EQ(db::StatusFromSqlError(syntax, "GetAccount").code(), absl::StatusCode::kInternal);
}

TEST(DatabaseOpenTest, UnreachableMysqlFailsCleanly) {
  db::DatabaseOptions options;
  options.url = "mysql://nobody:x@127.0.0.1:1/none";
  options.pool_size = 1;
  auto opened = db::Database::Open(options);
  EXPECT_FALSE(opened.ok());
}

// The pooled connections hand their WAL checkpoints to a background thread: a large commit
// must still reach the database file (else the WAL would grow without end), and the WAL must
// restart from its beginning once it has been copied, instead of growing with every write.
TEST(SqliteCheckpointTest, LargeCommitsReachTheDatabaseFileInTheBackground) {
  testing::TestDatabase test_db("sqlite");
  ASSERT_TRUE(test_db.available());
  auto opened = testing::OpenDatabase(test_db, 2);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<db::Database> database = *std::move(opened);
  const std::string path = database->spec().sqlite_path;
  constexpr int kRows = 2000;  // of 4 KiB: about 8 MiB, 2,000+ WAL pages
  auto write_rows = [&](int from) {
    return database->Write([&](db::Tx& tx) {
      if (from == 0) tx.session() << "CREATE TABLE blobs (id BIGINT NOT NULL PRIMARY KEY, body TEXT NOT NULL)";
      const std::string body(4096, 'x');
      long long id = 0;
      soci::statement insert = (tx.session().prepare << "INSERT INTO blobs (id, body) VALUES (:id, :body)",
                                soci::use(id, "id"), soci::use(body, "body"));
      for (int i = 0; i < kRows; ++i) {
        id = from + i;
        insert.execute(true);
      }
      return absl::OkStatus();
    });
  };
  auto file_size = [](const std::string& file) -> int64_t {
    std::error_code error;
    const uintmax_t size = std::filesystem::file_size(file, error);
    return error ? 0 : static_cast<int64_t>(size);
  };
  // The database file's size once the background thread has finished `n` checkpoints (its size
  // alone grows while a checkpoint is still copying).
  auto file_size_after_checkpoints = [&](int64_t n) {
    for (int i = 0; i < 200 && database->sqlite_checkpoints() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return file_size(path);
  };
  const int64_t rows_bytes = int64_t{kRows} * 4096;

  ASSERT_TRUE(write_rows(0).ok());
  EXPECT_GE(file_size_after_checkpoints(1), rows_bytes) << "the commit was never checkpointed";
  const int64_t wal_after_one = file_size(path + "-wal");
  EXPECT_GE(wal_after_one, rows_bytes);  // the WAL held the commit first

  ASSERT_TRUE(write_rows(kRows).ok());
  EXPECT_GE(file_size_after_checkpoints(2), 2 * rows_bytes);
  ASSERT_TRUE(write_rows(2 * kRows).ok());
  EXPECT_GE(file_size_after_checkpoints(3), 3 * rows_bytes);
  // Each commit after a complete checkpoint writes the WAL from its start again.
  EXPECT_LT(file_size(path + "-wal"), 2 * wal_after_one);

  long long rows = 0;
  ASSERT_TRUE(database
                  ->Read([&](soci::session& sql) {
                    sql << "SELECT COUNT(*) FROM blobs", soci::into(rows);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(rows, 3 * kRows);
}

// Kept statements (common/db/sqlite_statements.h) on a pooled SQLite connection: compiled once
// per text, each use sees its own parameters, a nested use of the same text works, a statement
// never keeps its read snapshot past its use, and the connection closes with none left.
class SqliteKeptStatementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDatabase>("sqlite");
    ASSERT_TRUE(test_db_->available());
    auto opened = testing::OpenDatabase(*test_db_, 1);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = *std::move(opened);
    ASSERT_TRUE(db_->Write([](db::Tx& tx) {
                     tx.session() << "CREATE TABLE items (id VARCHAR(64) NOT NULL PRIMARY KEY, qty BIGINT NOT NULL)";
                     tx.session() << "INSERT INTO items (id, qty) VALUES ('a', 1), ('b', 2), ('c', 3)";
                     return absl::OkStatus();
                   }).ok());
  }

  // The quantity of `id` by a scan, and how many statements the one pooled connection keeps.
  std::pair<long long, size_t> QtyOf(const std::string& id) {
    long long qty = -1;
    size_t kept = 0;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) -> absl::Status {
                     db::SqlQuery q("SELECT qty FROM items");
                     q.Where("id = ?", id);
                     absl::Status scanned = db::ScanRows(sql, q, "read item", [&](const db::ScannedRow& row) {
                       qty = row.Int(0);
                       return true;
                     });
                     kept = db::KeptStatementCount(sql);
                     return scanned;
                   }).ok());
    return {qty, kept};
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(SqliteKeptStatementsTest, EachTextCompilesOnceAndEveryUseBindsItsOwnParameters) {
  const auto [qty_a, kept_after_first] = QtyOf("a");
  EXPECT_EQ(qty_a, 1);
  EXPECT_GE(kept_after_first, 1u);
  const auto [qty_b, kept_after_second] = QtyOf("b");
  EXPECT_EQ(qty_b, 2);
  EXPECT_EQ(kept_after_second, kept_after_first) << "the same text was compiled again";
  EXPECT_EQ(QtyOf("missing").first, -1) << "a parameter of an earlier use was still bound";
}

TEST_F(SqliteKeptStatementsTest, NestedUseOfTheSameTextGetsAStatementOfItsOwn) {
  std::vector<std::pair<std::string, long long>> pairs;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> absl::Status {
                   const db::SqlQuery all("SELECT id, qty FROM items ORDER BY id");
                   return db::ScanRows(sql, all, "outer", [&](const db::ScannedRow& outer) {
                     const std::string id(outer.Text(0));
                     // The same text again while the outer statement is still stepping.
                     absl::Status inner = db::ScanRows(sql, all, "inner", [&](const db::ScannedRow& row) {
                       pairs.emplace_back(id + std::string(row.Text(0)), row.Int(1));
                       return true;
                     });
                     EXPECT_TRUE(inner.ok()) << inner;
                     return true;
                   });
                 }).ok());
  ASSERT_EQ(pairs.size(), 9u) << "the inner scan disturbed the outer one";
  EXPECT_EQ(pairs.front(), std::make_pair(std::string("aa"), 1LL));
  EXPECT_EQ(pairs.back(), std::make_pair(std::string("cc"), 3LL));
}

TEST_F(SqliteKeptStatementsTest, ManyDistinctTextsStayBoundedAndCorrect) {
  size_t most_kept = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> absl::Status {
                   for (int i = 0; i < 600; ++i) {
                     db::SqlQuery q(absl::StrCat("SELECT qty + ", i, " FROM items"));
                     q.Where("id = ?", "c");
                     EXPECT_EQ(db::QueryInt64(sql, q), 3 + i);
                     most_kept = std::max(most_kept, db::KeptStatementCount(sql));
                   }
                   return absl::OkStatus();
                 }).ok());
  EXPECT_GT(most_kept, 100u);
  EXPECT_LE(most_kept, 256u);
}

TEST_F(SqliteKeptStatementsTest, AStoppedScanDoesNotHoldItsSnapshot) {
  // Stop a scan after its first row, as a lookup by key does.
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> absl::Status {
                   return db::ScanRows(sql, db::SqlQuery("SELECT id FROM items ORDER BY id"), "first item",
                                       [](const db::ScannedRow&) { return false; });
                 }).ok());
  ASSERT_TRUE(db_->Write([](db::Tx& tx) {
                   tx.session() << "UPDATE items SET qty = qty + 10";
                   return absl::OkStatus();
                 }).ok());
  // A truncating checkpoint needs every reader of the pool to have let go of its snapshot.
  soci::session other(soci::sqlite3, absl::StrCat("db=", db_->spec().sqlite_path));
  int busy = -1, log_frames = -1, checkpointed = -1;
  other << "PRAGMA wal_checkpoint(TRUNCATE)", soci::into(busy), soci::into(log_frames), soci::into(checkpointed);
  EXPECT_EQ(busy, 0) << "a kept statement still holds a read snapshot";
  EXPECT_EQ(QtyOf("a").first, 11);
}

TEST_F(SqliteKeptStatementsTest, ErrorsKeepTheirMeaningAndTheConnectionClosesWithNoStatementLeft) {
  absl::Status duplicate = db_->Write([](db::Tx& tx) -> absl::Status {
    db::SqlQuery insert("INSERT INTO items (id, qty)");
    insert.Append(" VALUES (?, ?)", "a", 5LL);
    return db::Guard("insert item", [&]() -> absl::Status {
      db::Execute(tx.session(), insert);
      return absl::OkStatus();
    });
  });
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  absl::Status bad_sql = db_->Read([](soci::session& sql) {
    return db::ScanRows(sql, db::SqlQuery("SELECT nothing FROM nowhere"), "read nowhere",
                        [](const db::ScannedRow&) { return true; });
  });
  EXPECT_EQ(bad_sql.code(), absl::StatusCode::kInternal) << bad_sql;
  EXPECT_NE(bad_sql.message().find("read nowhere"), std::string::npos) << bad_sql;

  // The statements of a session are finalized when it is dropped.
  soci::session session(soci::sqlite3, absl::StrCat("db=", db_->spec().sqlite_path));
  db::KeepStatements(session);
  EXPECT_EQ(db::QueryInt64(session, db::SqlQuery("SELECT COUNT(*) FROM items")), 3);
  auto* connection = static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
  EXPECT_NE(sqlite_api::sqlite3_next_stmt(connection, nullptr), nullptr);
  db::DropStatements(session);
  EXPECT_EQ(sqlite_api::sqlite3_next_stmt(connection, nullptr), nullptr);
  EXPECT_EQ(db::KeptStatementCount(session), 0u);
}

// The pool gives a connection to one thread at a time, so SQLite runs without its own per-connection
// lock (a mutex on every step and column read). Many threads sharing a small pool still see
// every write.
TEST(SqlitePoolTest, ConnectionsTakeNoLockOfSqlitesOwnAndStayCorrectAcrossThreads) {
  testing::TestDatabase test_db("sqlite");
  ASSERT_TRUE(test_db.available());
  auto opened = testing::OpenDatabase(test_db, 3);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<db::Database> db = *std::move(opened);
  ASSERT_TRUE(db->Write([](db::Tx& tx) {
                   tx.session() << "CREATE TABLE counters (id INTEGER NOT NULL PRIMARY KEY, n BIGINT NOT NULL)";
                   tx.session() << "INSERT INTO counters (id, n) VALUES (1, 0)";
                   return absl::OkStatus();
                 }).ok());
  ASSERT_TRUE(db->Read([](soci::session& sql) -> absl::Status {
                   auto* connection = static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
                   EXPECT_EQ(sqlite_api::sqlite3_db_mutex(connection), nullptr)
                       << "the pooled connection is in SQLite's serialized mode";
                   return absl::OkStatus();
                 }).ok());

  constexpr int kThreads = 6;
  constexpr int kRounds = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        absl::Status written = db->Write([](db::Tx& tx) {
          tx.session() << "UPDATE counters SET n = n + 1 WHERE id = 1";
          return absl::OkStatus();
        });
        long long seen = -1;
        absl::Status read = db->Read([&](soci::session& sql) {
          seen = db::QueryInt64(sql, db::SqlQuery("SELECT n FROM counters WHERE id = 1"));
          return absl::OkStatus();
        });
        if (!written.ok() || !read.ok() || seen < 1) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  long long total = -1;
  ASSERT_TRUE(db->Read([&](soci::session& sql) {
                   total = db::QueryInt64(sql, db::SqlQuery("SELECT n FROM counters WHERE id = 1"));
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(total, kThreads * kRounds);
}

// On SQLite one pooled session is kept for writers, so that its page cache stays warm between
// writes: reads get the others and never that one, and a write finds it free while every other
// session is busy with a read. With group commit and without.
TEST(SqlitePoolTest, ReadsNeverTakeTheWritersSession) {
  for (const bool grouped : {true, false}) {
    SCOPED_TRACE(grouped ? "group commit" : "a commit per write");
    testing::TestDatabase test_db("sqlite");
    ASSERT_TRUE(test_db.available());
    db::DatabaseOptions options;
    options.url = test_db.url();
    options.pool_size = 3;
    options.sqlite_group_commit = grouped;
    absl::StatusOr<std::unique_ptr<db::Database>> opened = db::Database::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db::Database& database = **opened;
    ASSERT_TRUE(database.Write([](db::Tx& tx) {
                          tx.session() << "CREATE TABLE items (id VARCHAR(64) NOT NULL PRIMARY KEY)";
                          return absl::OkStatus();
                        }).ok());

    // Two reads hold the two sessions readers may have.
    std::atomic<int> reading{0};
    std::atomic<bool> release{false};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
      readers.emplace_back([&] {
        EXPECT_TRUE(database.Read([&](soci::session&) {
                              ++reading;
                              const absl::Time until = absl::Now() + absl::Seconds(5);
                              while (!release && absl::Now() < until) {
                                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                              }
                              return absl::OkStatus();
                            }).ok());
      });
    }
    while (reading < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));

    absl::Status third_read = database.Read([](soci::session&) { return absl::OkStatus(); },
                                            absl::Now() + absl::Milliseconds(100));
    EXPECT_EQ(third_read.code(), absl::StatusCode::kDeadlineExceeded)
        << "a read took the writers' session: " << third_read;
    EXPECT_TRUE(database.Write(
                            [](db::Tx& tx) {
                              tx.session() << "INSERT INTO items (id) VALUES ('written')";
                              return absl::OkStatus();
                            },
                            absl::Now() + absl::Seconds(2))
                    .ok())
        << "a write waited for a reader's session";
    release = true;
    for (std::thread& reader : readers) reader.join();

    long long rows = -1;
    ASSERT_TRUE(database.Read([&](soci::session& sql) {
                          rows = db::QueryInt64(sql, db::SqlQuery("SELECT COUNT(*) FROM items"));
                          return absl::OkStatus();
                        }).ok());
    EXPECT_EQ(rows, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
