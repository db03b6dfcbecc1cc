#include "clients/gateway/retry_loop.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/gateway/request_id.h"

namespace crm::client::internal {

CallPolicy MakeCallPolicy(const ClientOptions& options) {
  CallPolicy policy;
  policy.retry = options.retry;
  policy.subscribe_retry = options.subscribe_retry;
  policy.call_timeout = options.call_timeout;
  policy.stream_timeout = options.stream_timeout;
  policy.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  policy.new_request_id = NewRequestId;
  return policy;
}

bool IsRetryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable;
}

Backoff::Backoff(const RetryPolicy& policy) : policy_(policy), nominal_(policy.initial_backoff) {}

absl::Duration Backoff::Next() {
  absl::Duration delay = std::min(nominal_, policy_.max_backoff);
  nominal_ = std::min(nominal_ * policy_.multiplier, policy_.max_backoff);
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter > 0) delay -= delay * absl::Uniform(gen_, 0.0, jitter);
  return delay;
}

std::unique_ptr<grpc::ClientContext> MakeContext(absl::Duration timeout,
                                                 const std::string& correlation_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (timeout != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  if (!correlation_id.empty()) context->AddMetadata("x-request-id", correlation_id);
  return context;
}

absl::Status GaveUp(const absl::Status& status, int attempts) {
  if (attempts <= 1) return status;
  absl::Status result(status.code(),
                      absl::StrCat(status.message(), " (gave up after ", attempts, " attempts)"));
  status.ForEachPayload([&result](absl::string_view type_url, const absl::Cord& payload) {
    result.SetPayload(type_url, payload);
  });
  return result;
}

}  // namespace crm::client::internal
