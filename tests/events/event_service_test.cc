// EventService through a real server on every backend: live following, resuming from a
// sequence without loss or repeats, filters, and events from another process.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using testing::CallAs;

// Reads a Subscribe stream on its own thread, collecting events until stopped.
class Follower {
 public:
  Follower(crm::v1::EventService::Stub* stub, const crm::v1::SubscribeRequest& request)
      : context_(CallAs("follower", absl::Hours(1))) {
    thread_ = std::thread([this, stub, request] {
      auto reader = stub->Subscribe(context_.get(), request);
      crm::v1::Event event;
      while (reader->Read(&event)) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(event);
      }
      final_status_ = reader->Finish();
    });
  }
  ~Follower() { Stop(); }

  void Stop() {
    context_->TryCancel();
    if (thread_.joinable()) thread_.join();
  }
  // Waits until at least n events arrived (or a timeout).
  bool WaitFor(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (count() >= n) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return count() >= n;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_.size();
  }
  std::vector<crm::v1::Event> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  const grpc::Status& final_status() const { return final_status_; }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<crm::v1::Event> events_;
  grpc::Status final_status_;
};

class EventServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::string CreateAccount(crm::v1::AccountService::Stub* stub, const std::string& name, const std::string& owner) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    crm::v1::Account out;
    grpc::Status s = stub->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(EventServiceTest, SubscriberGetsHistoryThenLiveEventsInOrder) {
  for (int i = 0; i < 3; ++i) CreateAccount(accounts_.get(), "before " + std::to_string(i), "alice");
  Follower follower(events_.get(), crm::v1::SubscribeRequest());
  ASSERT_TRUE(follower.WaitFor(3));
  for (int i = 0; i < 5; ++i) CreateAccount(accounts_.get(), "after " + std::to_string(i), "alice");
  ASSERT_TRUE(follower.WaitFor(8));
  follower.Stop();
  std::vector<crm::v1::Event> events = follower.events();
  ASSERT_EQ(events.size(), 8u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].type(), "account.created");
    EXPECT_EQ(events[i].entity(), "account");
    EXPECT_FALSE(events[i].entity_id().empty());
  }
  bool has_name = false;
  for (const auto& c : events[0].changes()) has_name = has_name || (c.field() == "name" && c.after() == "\"before 0\"");
  EXPECT_TRUE(has_name);
}

TEST_P(EventServiceTest, ReconnectingWithLastSequenceMissesNothingAndRepeatsNothing) {
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; i < 60; ++i) CreateAccount(accounts_.get(), "w" + std::to_string(i), "alice");
    writing = false;
  });
  std::vector<int64_t> received;
  int64_t last = 0;
  // Connect, read a few, drop the connection, reconnect from the last sequence; repeat.
  while (writing || received.size() < 60) {
    crm::v1::SubscribeRequest request;
    request.set_after_sequence(last);
    Follower follower(events_.get(), request);
    follower.WaitFor(1 + received.size() % 7, absl::Seconds(2));
    follower.Stop();
    for (const auto& e : follower.events()) {
      received.push_back(e.sequence());
      last = e.sequence();
    }
    if (!writing && received.size() >= 60) break;
  }
  writer.join();
  ASSERT_EQ(received.size(), 60u);
  for (size_t i = 0; i < received.size(); ++i) EXPECT_EQ(received[i], static_cast<int64_t>(i + 1));
}

TEST_P(EventServiceTest, FiltersByTypeAndUser) {
  crm::v1::SubscribeRequest bob_only;
  bob_only.set_user("bob");
  Follower bob(events_.get(), bob_only);
  crm::v1::SubscribeRequest deletes_only;
  deletes_only.add_types("account.deleted");
  Follower deletes(events_.get(), deletes_only);

  CreateAccount(accounts_.get(), "alice 1", "alice");
  const std::string bobs = CreateAccount(accounts_.get(), "bob 1", "bob");
  CreateAccount(accounts_.get(), "alice 2", "alice");
  crm::v1::DeleteAccountRequest del;
  del.set_id(bobs);
  crm::v1::Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  // A marker event for bob proves the follower has seen everything before it.
  CreateAccount(accounts_.get(), "bob 2", "bob");

  ASSERT_TRUE(bob.WaitFor(3));
  ASSERT_TRUE(deletes.WaitFor(1));
  absl::SleepFor(absl::Milliseconds(200));
  std::vector<crm::v1::Event> bob_events = bob.events();
  ASSERT_EQ(bob_events.size(), 3u);
  EXPECT_EQ(bob_events[0].type(), "account.created");
  EXPECT_EQ(bob_events[1].type(), "account.deleted");
  EXPECT_EQ(bob_events[2].type(), "account.created");
  for (const auto& e : bob_events) EXPECT_EQ(e.user(), "bob");
  std::vector<crm::v1::Event> delete_events = deletes.events();
  ASSERT_EQ(delete_events.size(), 1u);
  EXPECT_EQ(delete_events[0].entity_id(), bobs);
}

TEST_P(EventServiceTest, EventsWrittenByAnotherProcessArrive) {
  // A second server on the same database stands in for another process.
  testing::TestServer other(*database_);
  ASSERT_TRUE(other.ok()) << other.status();
  auto other_accounts = crm::v1::AccountService::NewStub(other.channel());
  Follower follower(events_.get(), crm::v1::SubscribeRequest());
  for (int i = 0; i < 5; ++i) CreateAccount(other_accounts.get(), "remote " + std::to_string(i), "carol");
  ASSERT_TRUE(follower.WaitFor(5));
  std::vector<crm::v1::Event> events = follower.events();
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i + 1));
}

TEST_P(EventServiceTest, ListEventsPagesByLastSequence) {
  for (int i = 0; i < 7; ++i) CreateAccount(accounts_.get(), "p" + std::to_string(i), "alice");
  crm::v1::ListEventsRequest request;
  request.set_page_size(3);
  std::vector<int64_t> seen;
  for (int round = 0; round < 5; ++round) {
    crm::v1::ListEventsResponse response;
    ASSERT_GRPC_OK(events_->ListEvents(CallAs().get(), request, &response));
    for (const auto& e : response.events()) seen.push_back(e.sequence());
    if (response.events_size() == 0) break;
    request.set_after_sequence(response.last_sequence());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_P(EventServiceTest, BadSubscribeRequestsNameTheField) {
  crm::v1::SubscribeRequest negative;
  negative.set_after_sequence(-1);
  auto context = CallAs();
  auto reader = events_->Subscribe(context.get(), negative);
  crm::v1::Event event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_TRUE(testing::HasCodeAndField(reader->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "after_sequence"));

  crm::v1::ListEventsRequest list;
  list.add_types("");
  crm::v1::ListEventsResponse response;
  EXPECT_TRUE(testing::HasCodeAndField(events_->ListEvents(CallAs().get(), list, &response),
                                       grpc::StatusCode::INVALID_ARGUMENT, "types[0]"));
}

TEST_P(EventServiceTest, ShutdownEndsLiveStreamsPromptly) {
  Follower follower(events_.get(), crm::v1::SubscribeRequest());
  CreateAccount(accounts_.get(), "x", "alice");
  ASSERT_TRUE(follower.WaitFor(1));
  const absl::Time start = absl::Now();
  server_->Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  follower.Stop();
  EXPECT_EQ(follower.final_status().error_code(), grpc::StatusCode::UNAVAILABLE);
}

INSTANTIATE_TEST_SUITE_P(Backends, EventServiceTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
