// The activity reminder job: each due reminder becomes exactly one "activity.reminder_due" event,
// at its time and not before, also when two jobs or two servers share one database. Driven by
// RunOnce under the test server's fake clock, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "services/accounts/activity_store.h"
#include "services/accounts/reminder_job.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Activity;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kReminderDue[] = "activity.reminder_due";

class ReminderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    start_ = server_->clock().Now();
    account_ = MustCreateAccount("Reminder Co");
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  Account MustCreateAccount(const std::string& name) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner("bob");
    Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // An activity of the fixture's account with its reminder `remind_in` after the test's start
  // (none when nullopt) and its due time an hour after that.
  Activity MustCreateActivity(std::optional<absl::Duration> remind_in, const std::string& assignee = "kate") {
    crm::v1::CreateActivityRequest request;
    Activity* a = request.mutable_activity();
    a->set_account_id(account_.id());
    a->set_subject("Follow up");
    a->set_assignee(assignee);
    const absl::Duration at = remind_in.value_or(absl::Hours(1));
    *a->mutable_due_time() = TimeToTimestamp(start_ + at + absl::Hours(1));
    if (remind_in.has_value()) *a->mutable_reminder_time() = TimeToTimestamp(start_ + at);
    Activity out;
    grpc::Status s = accounts_->CreateActivity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Activity MustGet(const std::string& id) {
    crm::v1::GetActivityRequest request;
    request.set_id(id);
    Activity out;
    grpc::Status s = accounts_->GetActivity(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<crm::v1::Event> ReminderEvents(const std::string& user = "") {
    crm::v1::ListEventsRequest request;
    request.add_types(kReminderDue);
    request.set_user(user);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  // Reminder events per activity id.
  std::map<std::string, int> ReminderCounts() {
    std::map<std::string, int> counts;
    for (const crm::v1::Event& e : ReminderEvents()) ++counts[e.entity_id()];
    return counts;
  }

  int MustRun(accounts::ReminderJob& job) {
    absl::StatusOr<int> sent = job.RunOnce();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : -1;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  absl::Time start_;
  Account account_;
};

TEST_P(ReminderTest, FiresOnceAtItsTimeAndNotBefore) {
  const Activity activity = MustCreateActivity(absl::Hours(1), "kate");
  accounts::ReminderJob job(server_->runtime());
  EXPECT_EQ(MustRun(job), 0);
  server_->clock().Advance(absl::Hours(1) - absl::Seconds(1));
  EXPECT_EQ(MustRun(job), 0);
  EXPECT_TRUE(ReminderEvents().empty());

  server_->clock().Advance(absl::Seconds(1));  // exactly the reminder time
  EXPECT_EQ(MustRun(job), 1);
  std::vector<crm::v1::Event> events = ReminderEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "activity");
  EXPECT_EQ(events[0].entity_id(), activity.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_NOTICE);
  EXPECT_EQ(events[0].user(), "kate");
  EXPECT_EQ(events[0].actor(), "system");
  EXPECT_EQ(TimestampToTime(events[0].time()), start_ + absl::Hours(1));
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "reminder_sent_time");
  // A per-user subscription sees it; someone else's does not.
  EXPECT_EQ(ReminderEvents("kate").size(), 1u);
  EXPECT_TRUE(ReminderEvents("bob").empty());

  const Activity after = MustGet(activity.id());
  EXPECT_EQ(TimestampToTime(after.reminder_sent_time()), start_ + absl::Hours(1));
  EXPECT_EQ(after.status(), crm::v1::ACTIVITY_STATUS_PLANNED);
  EXPECT_NE(after.etag(), activity.etag());

  // Running again, now or later, sends nothing new.
  EXPECT_EQ(MustRun(job), 0);
  server_->clock().Advance(absl::Hours(5));
  EXPECT_EQ(MustRun(job), 0);
  EXPECT_EQ(ReminderEvents().size(), 1u);
}

TEST_P(ReminderTest, CompletingOrCancellingBeforeTheReminderPreventsIt) {
  const Activity completed = MustCreateActivity(absl::Hours(1));
  const Activity cancelled = MustCreateActivity(absl::Hours(1));
  const Activity open = MustCreateActivity(absl::Hours(1));
  const Activity no_reminder = MustCreateActivity(std::nullopt);
  server_->clock().Advance(absl::Minutes(30));
  crm::v1::CompleteActivityRequest complete;
  complete.set_id(completed.id());
  Activity out;
  ASSERT_GRPC_OK(accounts_->CompleteActivity(CallAs().get(), complete, &out));
  crm::v1::CancelActivityRequest cancel;
  cancel.set_id(cancelled.id());
  ASSERT_GRPC_OK(accounts_->CancelActivity(CallAs().get(), cancel, &out));

  server_->clock().Advance(absl::Hours(3));
  accounts::ReminderJob job(server_->runtime());
  EXPECT_EQ(MustRun(job), 1);
  EXPECT_EQ(ReminderCounts(), (std::map<std::string, int>{{open.id(), 1}}));
  EXPECT_FALSE(MustGet(completed.id()).has_reminder_sent_time());
  EXPECT_FALSE(MustGet(cancelled.id()).has_reminder_sent_time());
  EXPECT_FALSE(MustGet(no_reminder.id()).has_reminder_sent_time());
}

TEST_P(ReminderTest, MovingTheReminderRearmsItAndOtherEditsDoNot) {
  const Activity activity = MustCreateActivity(absl::Hours(1));
  accounts::ReminderJob job(server_->runtime());
  server_->clock().Advance(absl::Hours(1));
  ASSERT_EQ(MustRun(job), 1);

  // The job bumped the revision: an etag read before the reminder fired is stale.
  crm::v1::UpdateActivityRequest update;
  update.mutable_activity()->set_id(activity.id());
  *update.mutable_activity()->mutable_reminder_time() = TimeToTimestamp(start_ + absl::Hours(3));
  *update.mutable_activity()->mutable_due_time() = TimeToTimestamp(start_ + absl::Hours(4));
  update.mutable_update_mask()->add_paths("reminder_time");
  update.mutable_update_mask()->add_paths("due_time");
  update.set_etag(activity.etag());
  Activity updated;
  EXPECT_TRUE(HasCodeAndField(accounts_->UpdateActivity(CallAs().get(), update, &updated),
                              grpc::StatusCode::ABORTED));
  update.set_etag(MustGet(activity.id()).etag());
  ASSERT_GRPC_OK(accounts_->UpdateActivity(CallAs().get(), update, &updated));
  EXPECT_FALSE(updated.has_reminder_sent_time());
  EXPECT_FALSE(MustGet(activity.id()).has_reminder_sent_time());

  server_->clock().Advance(absl::Hours(1));  // start + 2h: the new reminder is not due yet
  EXPECT_EQ(MustRun(job), 0);
  server_->clock().Advance(absl::Hours(1));  // start + 3h
  EXPECT_EQ(MustRun(job), 1);
  EXPECT_EQ(ReminderCounts(), (std::map<std::string, int>{{activity.id(), 2}}));

  // Editing anything but the reminder time leaves the sent marker alone.
  crm::v1::UpdateActivityRequest subject;
  subject.mutable_activity()->set_id(activity.id());
  subject.mutable_activity()->set_subject("Follow up, again");
  ASSERT_GRPC_OK(accounts_->UpdateActivity(CallAs().get(), subject, &updated));
  EXPECT_TRUE(updated.has_reminder_sent_time());
  EXPECT_EQ(MustRun(job), 0);
  EXPECT_EQ(ReminderEvents().size(), 2u);
}

// The claim itself, without thread timing: a candidate selected as due is claimed once, and not at
// all when it was completed or rescheduled between the selection and the claim.
TEST_P(ReminderTest, AClaimSucceedsOnceAndNotForACandidateThatChangedSinceItWasSelected) {
  const Activity plain = MustCreateActivity(absl::Minutes(10));
  const Activity completed = MustCreateActivity(absl::Minutes(20));
  const Activity moved = MustCreateActivity(absl::Minutes(30));
  server_->clock().Advance(absl::Hours(1));
  const absl::Time now = server_->clock().Now();
  db::Database& db = *server_->runtime().db;

  std::vector<std::string> due;
  ASSERT_TRUE(db.Read([&](soci::session& sql) -> absl::Status {
                  absl::StatusOr<std::vector<std::string>> ids = accounts::ActivityStore::DueReminders(sql, now, 10);
                  if (!ids.ok()) return ids.status();
                  due = *ids;
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(due, std::vector<std::string>({plain.id(), completed.id(), moved.id()}));  // earliest first

  Activity out;
  crm::v1::CompleteActivityRequest complete;
  complete.set_id(completed.id());
  ASSERT_GRPC_OK(accounts_->CompleteActivity(CallAs().get(), complete, &out));
  crm::v1::UpdateActivityRequest move;
  move.mutable_activity()->set_id(moved.id());
  *move.mutable_activity()->mutable_reminder_time() = TimeToTimestamp(now + absl::Minutes(5));
  *move.mutable_activity()->mutable_due_time() = TimeToTimestamp(now + absl::Hours(1));
  ASSERT_GRPC_OK(accounts_->UpdateActivity(CallAs().get(), move, &out));

  auto claim = [&](const std::string& id) {
    bool claimed = false;
    absl::Status status = db.Write([&](db::Tx& tx) -> absl::Status {
      absl::StatusOr<bool> marked = accounts::ActivityStore::MarkReminderSent(tx, id, now);
      if (!marked.ok()) return marked.status();
      claimed = *marked;
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return claimed;
  };
  EXPECT_TRUE(claim(plain.id()));
  EXPECT_FALSE(claim(plain.id()));
  EXPECT_FALSE(claim(completed.id()));
  EXPECT_FALSE(claim(moved.id()));
  EXPECT_FALSE(MustGet(completed.id()).has_reminder_sent_time());
  EXPECT_FALSE(MustGet(moved.id()).has_reminder_sent_time());
}

TEST_P(ReminderTest, TwoJobsRacingOnOneRuntimeEmitEachReminderOnce) {
  // More than one batch (the job claims 100 per batch).
  constexpr int kActivities = 130;
  std::set<std::string> ids;
  for (int i = 0; i < kActivities; ++i) {
    ids.insert(MustCreateActivity(absl::Minutes(1 + i % 7), "user" + std::to_string(i % 3)).id());
  }
  server_->clock().Advance(absl::Hours(1));

  // Both jobs share the runtime's instance id, so both hold the lease: only the conditional
  // claim keeps them from sending a reminder twice.
  accounts::ReminderJob first(server_->runtime());
  accounts::ReminderJob second(server_->runtime());
  std::atomic<int> sent{0};
  std::atomic<int> failures{0};
  auto race = [&](accounts::ReminderJob& job) {
    for (int round = 0; round < 3; ++round) {
      absl::StatusOr<int> n = job.RunOnce();
      if (n.ok()) {
        sent += *n;
      } else {
        ++failures;
      }
    }
  };
  std::thread a([&] { race(first); });
  std::thread b([&] { race(second); });
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sent.load(), kActivities);
  std::map<std::string, int> counts = ReminderCounts();
  EXPECT_EQ(counts.size(), ids.size());
  for (const std::string& id : ids) EXPECT_EQ(counts[id], 1) << id;
}

TEST_P(ReminderTest, TwoServersSharingADatabaseEmitEachReminderOnce) {
  testing::TestServer other(*database_);
  ASSERT_TRUE(other.ok()) << other.status();
  constexpr int kActivities = 40;
  std::set<std::string> ids;
  for (int i = 0; i < kActivities; ++i) ids.insert(MustCreateActivity(absl::Minutes(10 + i)).id());
  server_->clock().Advance(absl::Hours(2));
  other.clock().Advance(absl::Hours(2));

  accounts::ReminderJob here(server_->runtime());
  accounts::ReminderJob there(other.runtime());
  std::atomic<int> sent{0};
  std::atomic<int> failures{0};
  auto race = [&](accounts::ReminderJob& job) {
    for (int round = 0; round < 3; ++round) {
      absl::StatusOr<int> n = job.RunOnce();
      if (n.ok()) {
        sent += *n;
      } else {
        ++failures;
      }
    }
  };
  std::thread a([&] { race(here); });
  std::thread b([&] { race(there); });
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sent.load(), kActivities);
  std::map<std::string, int> counts = ReminderCounts();
  EXPECT_EQ(counts.size(), ids.size());
  for (const std::string& id : ids) EXPECT_EQ(counts[id], 1) << id;
}

TEST_P(ReminderTest, AnotherServerTakesOverOnlyAfterTheLeaseExpires) {
  testing::TestServer other(*database_);
  ASSERT_TRUE(other.ok()) << other.status();
  accounts::ReminderJob here(server_->runtime());
  accounts::ReminderJob there(other.runtime());

  MustCreateActivity(absl::Hours(1));
  server_->clock().Advance(absl::Hours(1));
  other.clock().Advance(absl::Hours(1));
  EXPECT_EQ(MustRun(here), 1);  // takes the lease for three job periods (3 h here)

  MustCreateActivity(absl::Hours(1));  // due right now
  EXPECT_EQ(MustRun(there), 0);        // the lease is someone else's
  server_->clock().Advance(absl::Hours(3) + absl::Seconds(1));
  other.clock().Advance(absl::Hours(3) + absl::Seconds(1));
  EXPECT_EQ(MustRun(there), 1);  // the holder went quiet: its lease expired
  EXPECT_EQ(MustRun(here), 0);   // and now belongs to the other server
  EXPECT_EQ(ReminderEvents().size(), 2u);
}

TEST_P(ReminderTest, TheBackgroundThreadSendsDueRemindersAndStopsPromptly) {
  testing::TestServerOptions fast;
  fast.job_period = absl::Milliseconds(50);
  testing::TestServer busy(*database_, fast);  // its accounts module runs the job every 50 ms
  ASSERT_TRUE(busy.ok()) << busy.status();
  const Activity activity = MustCreateActivity(absl::ZeroDuration());  // due at the fake start

  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (ReminderEvents().empty() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
  absl::SleepFor(absl::Milliseconds(300));  // several more periods: still one event
  EXPECT_EQ(ReminderCounts(), (std::map<std::string, int>{{activity.id(), 1}}));

  // A job sleeping through a long period wakes and joins as soon as it is stopped.
  accounts::ReminderJob slow(server_->runtime());  // job period 1 h
  slow.Start();
  absl::SleepFor(absl::Milliseconds(20));
  const absl::Time before_stop = absl::Now();
  slow.Stop();
  EXPECT_LT(absl::Now() - before_stop, absl::Seconds(1));
  slow.Stop();  // idempotent
}

INSTANTIATE_TEST_SUITE_P(Backends, ReminderTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
