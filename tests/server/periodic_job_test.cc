// common/server/periodic_job: rounds every period, the first one period after the start; Stop
// wakes the sleeping thread at once, lets a round in progress see stop_requested() and finish,
// and a stopped job starts again.
#include "common/server/periodic_job.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/time/clock.h"

namespace crm::server {
namespace {

// Waits up to 5 s for `done`.
template <typename Done>
bool Eventually(Done done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(PeriodicJobTest, RunsEveryPeriodUntilStoppedAndStartsAgain) {
  std::atomic<int> rounds{0};
  PeriodicJob job(absl::Milliseconds(10), [&] { ++rounds; });
  job.Start();
  job.Start();  // a second Start changes nothing
  ASSERT_TRUE(Eventually([&] { return rounds.load() >= 3; }));
  job.Stop();
  EXPECT_TRUE(job.stop_requested());
  const int after_stop = rounds.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(rounds.load(), after_stop) << "a round ran after Stop returned";

  job.Start();
  EXPECT_FALSE(job.stop_requested());
  ASSERT_TRUE(Eventually([&] { return rounds.load() >= after_stop + 2; }));
  job.Stop();
  job.Stop();  // idempotent
}

TEST(PeriodicJobTest, TheFirstRoundWaitsAPeriodAndStopDoesNot) {
  std::atomic<int> rounds{0};
  PeriodicJob job(absl::Seconds(30), [&] { ++rounds; });
  job.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const absl::Time stop_started = absl::Now();
  job.Stop();
  EXPECT_LT(absl::Now() - stop_started, absl::Seconds(5)) << "Stop waited for the period";
  EXPECT_EQ(rounds.load(), 0);
}

TEST(PeriodicJobTest, ARoundInProgressSeesTheStopAndFinishesFirst) {
  std::atomic<bool> in_round{false}, saw_stop{false}, finished{false};
  PeriodicJob* self = nullptr;
  PeriodicJob job(absl::Milliseconds(10), [&] {
    in_round = true;
    saw_stop = Eventually([&] { return self->stop_requested(); });
    finished = true;
  });
  self = &job;
  job.Start();
  ASSERT_TRUE(Eventually([&] { return in_round.load(); }));
  job.Stop();
  EXPECT_TRUE(saw_stop.load());
  EXPECT_TRUE(finished.load()) << "Stop returned before the round finished";
}

TEST(PeriodicJobTest, AZeroPeriodIsFlooredRatherThanSpinning) {
  PeriodicJob job(absl::ZeroDuration(), [] {});
  EXPECT_EQ(job.period(), absl::Milliseconds(10));
}

}  // namespace
}  // namespace crm::server
