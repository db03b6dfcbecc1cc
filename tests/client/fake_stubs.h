// Fakes of the gateway client's own stub interfaces (AccountStub, PipelineStub, ServiceDeskStub,
// KeyAccountStub, AdminStub, CustomFieldStub, DuplicateStub, EventStub) and of its stream
// interfaces: scripted failures, recorded calls. They stand in for the network, not for the
// server's logic; tests that need real answers use a real in-process server.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/test/client_context_test_peer.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/gateway/account_stub.h"
#include "clients/gateway/admin_stub.h"
#include "clients/gateway/customfield_stub.h"
#include "clients/gateway/duplicate_stub.h"
#include "clients/gateway/event_stub.h"
#include "clients/gateway/keyaccount_stub.h"
#include "clients/gateway/pipeline_stub.h"
#include "clients/gateway/retry_loop.h"
#include "clients/gateway/servicedesk_stub.h"

namespace crm::client::testing {

// A policy for connection tests: 4 attempts, backoff 100 ms doubling up to 1 s without jitter,
// 10 s per attempt; delays are recorded in `sleeps` instead of slept, and request ids are
// id-1, id-2, ... counted in `ids`.
inline internal::CallPolicy RecordingPolicy(std::vector<absl::Duration>* sleeps, int* ids) {
  internal::CallPolicy policy;
  policy.retry.max_attempts = 4;
  policy.retry.initial_backoff = absl::Milliseconds(100);
  policy.retry.max_backoff = absl::Seconds(1);
  policy.retry.multiplier = 2.0;
  policy.retry.jitter = 0.0;
  policy.call_timeout = absl::Seconds(10);
  policy.sleep = [sleeps](absl::Duration d) { sleeps->push_back(d); };
  policy.new_request_id = [ids] { return "id-" + std::to_string(++*ids); };
  return policy;
}

// What one attempt looked like from the stub's side.
struct RecordedCall {
  std::string method;
  // The request, serialized, to compare across attempts.
  std::string request;
  std::multimap<std::string, std::string> metadata;
  std::chrono::system_clock::time_point deadline;
};

inline RecordedCall Record(const std::string& method, grpc::ClientContext& context,
                           const google::protobuf::Message& request) {
  grpc::testing::ClientContextTestPeer peer(&context);
  return RecordedCall{method, request.SerializeAsString(), peer.GetSendInitialMetadata(),
                      context.deadline()};
}

// A server-streaming call that yields `messages`, then ends with `status`. With `block_at_end`
// it instead waits, like a live Subscribe, until Cancel() and then ends CANCELLED.
// (std::mutex, not absl::Mutex, so that ThreadSanitizer can follow it.)
template <typename Response>
class FakeReadStream : public StreamingReadRpc<Response> {
 public:
  FakeReadStream(std::vector<Response> messages, absl::Status status, bool block_at_end = false)
      : messages_(messages.begin(), messages.end()),
        status_(std::move(status)),
        block_at_end_(block_at_end) {}

  bool Read(Response* response) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cancelled_ && !messages_.empty()) {
      *response = messages_.front();
      messages_.pop_front();
      return true;
    }
    if (block_at_end_) cancelled_cv_.wait(lock, [this] { return cancelled_; });
    return false;
  }
  absl::Status Finish() override {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_ ? absl::CancelledError("cancelled") : status_;
  }
  void Cancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (on_cancel) on_cancel();
    cancelled_cv_.notify_all();
  }

  // Observes Cancel() even after the stream is gone.
  std::function<void()> on_cancel;

 private:
  std::mutex mu_;
  std::condition_variable cancelled_cv_;
  std::deque<Response> messages_;  // guarded by mu_
  absl::Status status_;
  bool block_at_end_;
  bool cancelled_ = false;  // guarded by mu_
};

// A client-streaming call that keeps what it is sent and closes with `result`.
template <typename Request, typename Response>
class FakeWriteStream : public StreamingWriteRpc<Request, Response> {
 public:
  explicit FakeWriteStream(absl::StatusOr<Response> result) : result_(std::move(result)) {}

  bool Write(const Request& request) override {
    written->push_back(request);
    return true;
  }
  absl::StatusOr<Response> Close() override { return result_; }
  void Cancel() override {}

  // Shared, so the test still sees it after the connection has dropped the stream.
  std::shared_ptr<std::vector<Request>> written = std::make_shared<std::vector<Request>>();

 private:
  absl::StatusOr<Response> result_;
};

// Unary calls fail with the statuses queued for their method, in order, and succeed with an
// empty response once the queue is empty; every attempt is recorded.
class ScriptedUnaryCalls {
 public:
  void FailNext(const std::string& method, absl::Status status) {
    failures_[method].push_back(std::move(status));
  }
  const std::vector<RecordedCall>& calls() const { return calls_; }
  int CallCount(const std::string& method) const {
    int count = 0;
    for (const RecordedCall& call : calls_) count += call.method == method ? 1 : 0;
    return count;
  }

 protected:
  template <typename Response>
  absl::StatusOr<Response> Answer(const std::string& method, grpc::ClientContext& context,
                                  const google::protobuf::Message& request) {
    calls_.push_back(Record(method, context, request));
    std::deque<absl::Status>& failures = failures_[method];
    if (failures.empty()) return Response();
    absl::Status failure = failures.front();
    failures.pop_front();
    return failure;
  }

  std::map<std::string, std::deque<absl::Status>> failures_;
  std::vector<RecordedCall> calls_;
};

// Unary calls as ScriptedUnaryCalls; streams are handed out from queues the test fills.
class FakeAccountStub : public AccountStub, public ScriptedUnaryCalls {
 public:

  std::deque<std::unique_ptr<ExportAccountsStream>> export_streams;
  std::deque<std::unique_ptr<ImportAccountsStream>> import_streams;

  absl::StatusOr<v1::Account> CreateAccount(grpc::ClientContext& context,
                                            const v1::CreateAccountRequest& request) override {
    return Answer<v1::Account>("CreateAccount", context, request);
  }
  absl::StatusOr<v1::Account> GetAccount(grpc::ClientContext& context,
                                         const v1::GetAccountRequest& request) override {
    return Answer<v1::Account>("GetAccount", context, request);
  }
  absl::StatusOr<v1::Account> UpdateAccount(grpc::ClientContext& context,
                                            const v1::UpdateAccountRequest& request) override {
    return Answer<v1::Account>("UpdateAccount", context, request);
  }
  absl::StatusOr<v1::Account> DeleteAccount(grpc::ClientContext& context,
                                            const v1::DeleteAccountRequest& request) override {
    return Answer<v1::Account>("DeleteAccount", context, request);
  }
  absl::StatusOr<v1::Account> UndeleteAccount(grpc::ClientContext& context,
                                              const v1::UndeleteAccountRequest& request) override {
    return Answer<v1::Account>("UndeleteAccount", context, request);
  }
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      grpc::ClientContext& context, const v1::ListAccountsRequest& request) override {
    return Answer<v1::ListAccountsResponse>("ListAccounts", context, request);
  }
  absl::StatusOr<v1::Contact> CreateContact(grpc::ClientContext& context,
                                            const v1::CreateContactRequest& request) override {
    return Answer<v1::Contact>("CreateContact", context, request);
  }
  absl::StatusOr<v1::Contact> GetContact(grpc::ClientContext& context,
                                         const v1::GetContactRequest& request) override {
    return Answer<v1::Contact>("GetContact", context, request);
  }
  absl::StatusOr<v1::Contact> UpdateContact(grpc::ClientContext& context,
                                            const v1::UpdateContactRequest& request) override {
    return Answer<v1::Contact>("UpdateContact", context, request);
  }
  absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      grpc::ClientContext& context, const v1::DeleteContactRequest& request) override {
    return Answer<v1::DeleteContactResponse>("DeleteContact", context, request);
  }
  absl::StatusOr<v1::ListContactsResponse> ListContacts(
      grpc::ClientContext& context, const v1::ListContactsRequest& request) override {
    return Answer<v1::ListContactsResponse>("ListContacts", context, request);
  }
  absl::StatusOr<v1::Interaction> LogInteraction(
      grpc::ClientContext& context, const v1::LogInteractionRequest& request) override {
    return Answer<v1::Interaction>("LogInteraction", context, request);
  }
  absl::StatusOr<v1::Interaction> GetInteraction(
      grpc::ClientContext& context, const v1::GetInteractionRequest& request) override {
    return Answer<v1::Interaction>("GetInteraction", context, request);
  }
  absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      grpc::ClientContext& context, const v1::ListInteractionsRequest& request) override {
    return Answer<v1::ListInteractionsResponse>("ListInteractions", context, request);
  }
  absl::StatusOr<v1::Activity> CreateActivity(grpc::ClientContext& context,
                                              const v1::CreateActivityRequest& request) override {
    return Answer<v1::Activity>("CreateActivity", context, request);
  }
  absl::StatusOr<v1::Activity> GetActivity(grpc::ClientContext& context,
                                           const v1::GetActivityRequest& request) override {
    return Answer<v1::Activity>("GetActivity", context, request);
  }
  absl::StatusOr<v1::Activity> UpdateActivity(grpc::ClientContext& context,
                                              const v1::UpdateActivityRequest& request) override {
    return Answer<v1::Activity>("UpdateActivity", context, request);
  }
  absl::StatusOr<v1::Activity> CompleteActivity(
      grpc::ClientContext& context, const v1::CompleteActivityRequest& request) override {
    return Answer<v1::Activity>("CompleteActivity", context, request);
  }
  absl::StatusOr<v1::Activity> CancelActivity(grpc::ClientContext& context,
                                              const v1::CancelActivityRequest& request) override {
    return Answer<v1::Activity>("CancelActivity", context, request);
  }
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      grpc::ClientContext& context, const v1::ListActivitiesRequest& request) override {
    return Answer<v1::ListActivitiesResponse>("ListActivities", context, request);
  }

  std::unique_ptr<ImportAccountsStream> ImportAccounts(
      std::unique_ptr<grpc::ClientContext> context) override {
    calls_.push_back(Record("ImportAccounts", *context, v1::ImportAccountsRequest()));
    auto stream = std::move(import_streams.front());
    import_streams.pop_front();
    return stream;
  }
  std::unique_ptr<ExportAccountsStream> ExportAccounts(
      std::unique_ptr<grpc::ClientContext> context,
      const v1::ExportAccountsRequest& request) override {
    calls_.push_back(Record("ExportAccounts", *context, request));
    auto stream = std::move(export_streams.front());
    export_streams.pop_front();
    return stream;
  }
};

// Every RPC of PipelineService as ScriptedUnaryCalls, under its RPC name.
class FakePipelineStub : public PipelineStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_PIPELINE_RPC(Method, Request, Response, Kind)      \
  CRM_PIPELINE_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);         \
  }
  CRM_PIPELINE_RPCS(CRM_FAKE_PIPELINE_RPC)
#undef CRM_FAKE_PIPELINE_RPC
};

// Every RPC of ServiceDeskService as ScriptedUnaryCalls, under its RPC name.
class FakeServiceDeskStub : public ServiceDeskStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_SERVICEDESK_RPC(Method, Request, Response, Kind)      \
  CRM_SERVICEDESK_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);            \
  }
  CRM_SERVICEDESK_RPCS(CRM_FAKE_SERVICEDESK_RPC)
#undef CRM_FAKE_SERVICEDESK_RPC
};

// Every unary RPC of KeyAccountService as ScriptedUnaryCalls under its RPC name; Reclassify
// hands out the streams the test queued.
class FakeKeyAccountStub : public KeyAccountStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_KEYACCOUNT_RPC(Method, Request, Response, Kind)      \
  CRM_KEYACCOUNT_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);           \
  }
  CRM_KEYACCOUNT_RPCS(CRM_FAKE_KEYACCOUNT_RPC)
#undef CRM_FAKE_KEYACCOUNT_RPC

  std::unique_ptr<ReclassifyStream> Reclassify(std::unique_ptr<grpc::ClientContext> context,
                                               const v1::ReclassifyRequest& request) override {
    calls_.push_back(Record("Reclassify", *context, request));
    auto stream = std::move(reclassify_streams.front());
    reclassify_streams.pop_front();
    return stream;
  }

  std::deque<std::unique_ptr<ReclassifyStream>> reclassify_streams;
};

// Every RPC of AdminService as ScriptedUnaryCalls, under its RPC name.
class FakeAdminStub : public AdminStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_ADMIN_RPC(Method, Request, Response, Kind)      \
  CRM_ADMIN_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);      \
  }
  CRM_ADMIN_RPCS(CRM_FAKE_ADMIN_RPC)
#undef CRM_FAKE_ADMIN_RPC
};

// Every RPC of CustomFieldService as ScriptedUnaryCalls, under its RPC name.
class FakeCustomFieldStub : public CustomFieldStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_CUSTOMFIELD_RPC(Method, Request, Response, Kind)      \
  CRM_CUSTOMFIELD_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);            \
  }
  CRM_CUSTOMFIELD_RPCS(CRM_FAKE_CUSTOMFIELD_RPC)
#undef CRM_FAKE_CUSTOMFIELD_RPC
};

// Every RPC of DuplicateService as ScriptedUnaryCalls, under its RPC name.
class FakeDuplicateStub : public DuplicateStub, public ScriptedUnaryCalls {
 public:
#define CRM_FAKE_DUPLICATE_RPC(Method, Request, Response, Kind)      \
  CRM_DUPLICATE_STUB_SIGNATURE(Method, Request, Response) override { \
    return Answer<v1::Response>(#Method, context, request);          \
  }
  CRM_DUPLICATE_RPCS(CRM_FAKE_DUPLICATE_RPC)
#undef CRM_FAKE_DUPLICATE_RPC
};

class FakeEventStub : public EventStub {
 public:
  std::unique_ptr<SubscribeStream> Subscribe(std::unique_ptr<grpc::ClientContext> context,
                                             const v1::SubscribeRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    subscribe_requests_.push_back(request);
    calls_.push_back(Record("Subscribe", *context, request));
    auto stream = std::move(subscribe_streams_.front());
    subscribe_streams_.pop_front();
    return stream;
  }
  absl::StatusOr<v1::ListEventsResponse> ListEvents(grpc::ClientContext& context,
                                                    const v1::ListEventsRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(Record("ListEvents", context, request));
    return v1::ListEventsResponse();
  }

  void AddSubscribeStream(std::unique_ptr<SubscribeStream> stream) {
    std::lock_guard<std::mutex> lock(mu_);
    subscribe_streams_.push_back(std::move(stream));
  }
  std::vector<v1::SubscribeRequest> subscribe_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return subscribe_requests_;
  }
  std::vector<RecordedCall> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  // All guarded by mu_.
  std::deque<std::unique_ptr<SubscribeStream>> subscribe_streams_;
  std::vector<v1::SubscribeRequest> subscribe_requests_;
  std::vector<RecordedCall> calls_;
};

}  // namespace crm::client::testing
