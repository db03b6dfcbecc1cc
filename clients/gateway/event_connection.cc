#include "clients/gateway/channel.h"
#include "clients/gateway/event_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {
namespace {

// A subscription only reads, and resumes after the last sequence it delivered, so picking it
// up again is safe whenever the stream broke without our asking: UNAVAILABLE (server away) and
// CANCELLED (the server cancelled it, as a draining server does; cancellations we asked for
// never get here).
bool IsResumable(const absl::Status& status) {
  return IsRetryable(status) || status.code() == absl::StatusCode::kCancelled;
}

}  // namespace

absl::Status DefaultEventConnection::Subscribe(const v1::SubscribeRequest& request,
                                               const EventCallback& on_event,
                                               CancellationToken cancel) {
  v1::SubscribeRequest resume = request;
  const std::string correlation_id = policy_.new_request_id();
  Backoff backoff(policy_.subscribe_retry);
  int failures = 0;
  while (true) {
    std::unique_ptr<SubscribeStream> stream =
        stub_->Subscribe(MakeContext(absl::InfiniteDuration(), correlation_id), resume);
    SubscribeStream* raw = stream.get();
    if (!cancel.SetCanceller([raw] { raw->Cancel(); })) {
      stream->Cancel();
      stream->Finish().IgnoreError();  // cancelled before it started
      return absl::OkStatus();
    }
    bool progressed = false;
    bool stopped = false;
    v1::Event event;
    while (stream->Read(&event)) {
      progressed = true;
      resume.set_after_sequence(event.sequence());
      if (!on_event(event)) {
        stopped = true;
        stream->Cancel();
        break;
      }
    }
    cancel.ClearCanceller();
    absl::Status status = stream->Finish();
    if (stopped || cancel.IsCancelled()) return absl::OkStatus();
    if (status.ok() || !IsResumable(status)) return status;
    // A stream that delivered something was healthy: start counting failures afresh.
    if (progressed) {
      failures = 0;
      backoff.Reset();
    }
    if (++failures >= policy_.subscribe_retry.max_attempts) return GaveUp(status, failures);
    if (cancel.WaitForCancel(backoff.Next())) return absl::OkStatus();
  }
}

absl::StatusOr<v1::ListEventsResponse> DefaultEventConnection::ListEvents(
    const v1::ListEventsRequest& request) {
  return RetryLoop(policy_, Idempotency::kIdempotent, [&](grpc::ClientContext& context) {
    return stub_->ListEvents(context, request);
  });
}

}  // namespace internal

absl::StatusOr<std::shared_ptr<EventConnection>> MakeEventConnection(const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(EventsAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakeEventConnection(CreateDefaultEventStub(*std::move(channel), options), options);
}

std::shared_ptr<EventConnection> MakeEventConnection(std::shared_ptr<EventStub> stub,
                                                     const ClientOptions& options) {
  return std::make_shared<internal::DefaultEventConnection>(std::move(stub),
                                                            internal::MakeCallPolicy(options));
}

}  // namespace crm::client
