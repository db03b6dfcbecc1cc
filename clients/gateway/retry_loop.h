// The one retry loop shared by every connection, and the rules deciding what may be retried.
//
// Only UNAVAILABLE is retried: the server, its database or the way to it was away. Any other
// code is an answer, and asking again would get the same answer. DEADLINE_EXCEEDED is not
// retried either: the caller's time is up.
//
// UNAVAILABLE may also mean the server acted and only its reply was lost, so only calls that
// are safe to repeat are retried:
//  - reads (Get*, List*, the pipeline analytics, ListEvents, ExportAccounts until its first
//    account arrives); Subscribe resumes after its last delivered event (event_connection.h);
//  - creates (Create*, LogInteraction, RecordPayment, ConvertLead), because the connection gives
//    every create a request_id when the caller left it empty, and the server answers a repeated
//    request_id with the first result instead of writing again (CreateAccessToken has no
//    request_id, so it is sent once: a repeat would mint a second token);
//  - changes whose repeat leaves the state as the first attempt left it: a last-writer-wins set
//    of a whole value under a key (SetUser, the key-account sets), a revocation (which keeps the
//    first revocation time).
// Other updates, deletes, undeletes and state changes (Complete/Cancel, Qualify /
// Disqualify, Move/Close/Reopen) are NOT retried, even with an etag: if the first attempt
// committed but its reply was lost, the retry meets the new etag and reports ABORTED for a
// change that actually succeeded (or, without an etag, may overwrite a change someone made in
// between, or hit FAILED_PRECONDITION on an activity it just completed).
// Their caller sees UNAVAILABLE and decides, typically by reading the entity again.
// Imports are not retried either: the caller re-sends (rows carry external keys, so re-sending
// writes nothing twice).
#pragma once

#include <grpcpp/client_context.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/gateway/client_options.h"

namespace crm::client::internal {

enum class Idempotency { kIdempotent, kNonIdempotent };

// What a connection needs at call time. Built from ClientOptions; tests replace `sleep` and
// `new_request_id` to observe backoff and ids without waiting.
struct CallPolicy {
  RetryPolicy retry;
  RetryPolicy subscribe_retry;
  absl::Duration call_timeout = absl::Seconds(10);
  absl::Duration stream_timeout = absl::InfiniteDuration();
  std::function<void(absl::Duration)> sleep;
  std::function<std::string()> new_request_id;
};

CallPolicy MakeCallPolicy(const ClientOptions& options);

bool IsRetryable(const absl::Status& status);

// The delays between attempts of one call; see RetryPolicy.
class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy);
  absl::Duration Next();
  // Back to initial_backoff, e.g. after a stream made progress.
  void Reset() { nominal_ = policy_.initial_backoff; }

 private:
  RetryPolicy policy_;
  absl::Duration nominal_;
  absl::BitGen gen_;
};

// A fresh context per attempt (a ClientContext cannot be reused). InfiniteDuration: no deadline.
// `correlation_id` goes out as `x-request-id` so that server logs tie the attempts together.
std::unique_ptr<grpc::ClientContext> MakeContext(absl::Duration timeout,
                                                 const std::string& correlation_id);

// The last status of a call that ran out of attempts, saying so in its message (code and
// payloads kept).
absl::Status GaveUp(const absl::Status& status, int attempts);

// Runs `call(grpc::ClientContext&)` -> absl::StatusOr<T> until it succeeds, fails with a
// non-retryable status, is not idempotent, or runs out of attempts.
template <typename Call>
auto RetryLoop(const CallPolicy& policy, Idempotency idempotency, Call&& call)
    -> decltype(call(std::declval<grpc::ClientContext&>())) {
  const std::string correlation_id = policy.new_request_id();
  Backoff backoff(policy.retry);
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<grpc::ClientContext> context = MakeContext(policy.call_timeout, correlation_id);
    auto result = call(*context);
    if (result.ok() || idempotency == Idempotency::kNonIdempotent ||
        !IsRetryable(result.status())) {
      return result;
    }
    if (attempt >= policy.retry.max_attempts) return GaveUp(result.status(), attempt);
    policy.sleep(backoff.Next());
  }
}

// Gives a create request an idempotency key unless the caller chose one.
template <typename Request>
void EnsureRequestId(Request& request, const CallPolicy& policy) {
  if (request.request_id().empty()) request.set_request_id(policy.new_request_id());
}

// The rules above, as a connection applies them to one unary RPC.
enum class CallKind {
  kRead,              // retried on UNAVAILABLE
  kCreate,            // given a request_id unless it has one, then retried like a read
  kChange,            // updates, state changes, deletes: sent once
  kIdempotentChange,  // a change a repeat cannot apply twice (sets, revocations): retried
};

// Runs `call(grpc::ClientContext&, const Request&)` (a stub method) under kKind's rules.
template <CallKind kKind, typename Request, typename Call>
auto CallWithPolicy(const CallPolicy& policy, const Request& request, Call&& call) {
  if constexpr (kKind == CallKind::kCreate) {
    // Filled in before the first attempt, so that every attempt sends the same id.
    Request with_id = request;
    EnsureRequestId(with_id, policy);
    return RetryLoop(policy, Idempotency::kIdempotent,
                     [&](grpc::ClientContext& context) { return call(context, with_id); });
  } else {
    return RetryLoop(
        policy, kKind == CallKind::kChange ? Idempotency::kNonIdempotent : Idempotency::kIdempotent,
        [&](grpc::ClientContext& context) { return call(context, request); });
  }
}

}  // namespace crm::client::internal
