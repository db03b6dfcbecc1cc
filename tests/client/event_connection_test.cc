// Subscribe's resume-after-failure and cancellation rules, against a fake stub.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "clients/gateway/event_connection_impl.h"
#include "tests/client/fake_stubs.h"

namespace crm::client {
namespace {

using ::testing::ElementsAre;
using testing::FakeEventStub;
using testing::FakeReadStream;

v1::Event EventAt(int64_t sequence) {
  v1::Event event;
  event.set_sequence(sequence);
  return event;
}

std::unique_ptr<FakeReadStream<v1::Event>> Stream(std::vector<int64_t> sequences, absl::Status end,
                                                  bool block_at_end = false) {
  std::vector<v1::Event> events;
  for (int64_t s : sequences) events.push_back(EventAt(s));
  return std::make_unique<FakeReadStream<v1::Event>>(events, std::move(end), block_at_end);
}

class EventConnectionTest : public ::testing::Test {
 protected:
  EventConnectionTest() {
    policy_.subscribe_retry.max_attempts = 3;
    policy_.subscribe_retry.initial_backoff = absl::Milliseconds(1);
    policy_.subscribe_retry.jitter = 0;
    policy_.sleep = [](absl::Duration) {};
    policy_.new_request_id = [] { return std::string("id"); };
  }

  std::shared_ptr<FakeEventStub> stub_ = std::make_shared<FakeEventStub>();
  internal::CallPolicy policy_;
};

TEST_F(EventConnectionTest, ResumesAfterTheLastDeliveredSequence) {
  stub_->AddSubscribeStream(Stream({11, 12}, absl::UnavailableError("server restarting")));
  stub_->AddSubscribeStream(Stream({13, 14}, absl::OkStatus()));
  internal::DefaultEventConnection connection(stub_, policy_);

  std::vector<int64_t> seen;
  v1::SubscribeRequest request;
  request.set_after_sequence(10);
  request.add_types("account.");
  absl::Status status = connection.Subscribe(
      request,
      [&](const v1::Event& event) {
        seen.push_back(event.sequence());
        return true;
      },
      CancellationToken());

  EXPECT_TRUE(status.ok()) << status;
  EXPECT_THAT(seen, ElementsAre(11, 12, 13, 14));
  std::vector<v1::SubscribeRequest> requests = stub_->subscribe_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].after_sequence(), 10);
  EXPECT_EQ(requests[1].after_sequence(), 12);
  EXPECT_THAT(requests[1].types(), ElementsAre("account."));
}

TEST_F(EventConnectionTest, ResumesWhenTheServerCancelsTheStream) {
  // What a draining server does to open subscriptions.
  stub_->AddSubscribeStream(Stream({5}, absl::CancelledError("server shutting down")));
  stub_->AddSubscribeStream(Stream({6}, absl::OkStatus()));
  internal::DefaultEventConnection connection(stub_, policy_);

  std::vector<int64_t> seen;
  absl::Status status = connection.Subscribe(
      {},
      [&](const v1::Event& event) {
        seen.push_back(event.sequence());
        return true;
      },
      CancellationToken());
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_THAT(seen, ElementsAre(5, 6));
  EXPECT_EQ(stub_->subscribe_requests().at(1).after_sequence(), 5);
}

TEST_F(EventConnectionTest, GivesUpAfterConsecutiveFailuresWithoutProgress) {
  for (int i = 0; i < 3; ++i) stub_->AddSubscribeStream(Stream({}, absl::UnavailableError("down")));
  internal::DefaultEventConnection connection(stub_, policy_);

  absl::Status status = connection.Subscribe(
      {}, [](const v1::Event&) { return true; }, CancellationToken());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(stub_->subscribe_requests().size(), 3u);
}

TEST_F(EventConnectionTest, OtherErrorsEndTheSubscription) {
  stub_->AddSubscribeStream(Stream({1}, absl::PermissionDeniedError("not yours")));
  internal::DefaultEventConnection connection(stub_, policy_);

  absl::Status status = connection.Subscribe(
      {}, [](const v1::Event&) { return true; }, CancellationToken());
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(stub_->subscribe_requests().size(), 1u);
}

TEST_F(EventConnectionTest, CancelFromAnotherThreadEndsABlockedSubscribe) {
  stub_->AddSubscribeStream(Stream({1}, absl::OkStatus(), /*block_at_end=*/true));
  internal::DefaultEventConnection connection(stub_, policy_);
  CancellationToken cancel;
  absl::Notification first_event;

  std::thread canceller([&] {
    first_event.WaitForNotification();
    cancel.Cancel();
  });
  absl::Status status = connection.Subscribe(
      {},
      [&](const v1::Event&) {
        first_event.Notify();
        return true;
      },
      cancel);
  canceller.join();

  EXPECT_TRUE(status.ok()) << status;
  EXPECT_TRUE(cancel.IsCancelled());
  EXPECT_EQ(stub_->subscribe_requests().size(), 1u);
}

TEST_F(EventConnectionTest, CallbackReturningFalseStops) {
  stub_->AddSubscribeStream(Stream({1, 2, 3}, absl::OkStatus(), /*block_at_end=*/true));
  internal::DefaultEventConnection connection(stub_, policy_);

  int seen = 0;
  absl::Status status = connection.Subscribe(
      {}, [&](const v1::Event&) { return ++seen < 2; }, CancellationToken());
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(seen, 2);
}

TEST_F(EventConnectionTest, AlreadyCancelledTokenReturnsAtOnce) {
  stub_->AddSubscribeStream(Stream({1}, absl::OkStatus(), /*block_at_end=*/true));
  internal::DefaultEventConnection connection(stub_, policy_);
  CancellationToken cancel;
  cancel.Cancel();

  int seen = 0;
  absl::Status status = connection.Subscribe(
      {}, [&](const v1::Event&) { return ++seen > 0; }, cancel);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(seen, 0);
}

TEST_F(EventConnectionTest, SubscribeHasNoDeadline) {
  stub_->AddSubscribeStream(Stream({}, absl::OkStatus()));
  internal::DefaultEventConnection connection(stub_, policy_);
  EXPECT_TRUE(connection.Subscribe({}, [](const v1::Event&) { return true; }, {}).ok());
  ASSERT_EQ(stub_->calls().size(), 1u);
  EXPECT_EQ(stub_->calls()[0].deadline, std::chrono::system_clock::time_point::max());
}

}  // namespace
}  // namespace crm::client
