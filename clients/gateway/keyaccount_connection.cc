#include <string>

#include "absl/types/optional.h"
#include "clients/gateway/channel.h"
#include "clients/gateway/keyaccount_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_KEYACCOUNT_CONNECTION_CALL(Method, Request, Response, Kind)                         \
  CRM_KEYACCOUNT_CONNECTION_SIGNATURE(DefaultKeyAccountConnection::Method, Request, Response) { \
    return CallKeyAccount<KeyAccountCallKind::Kind>(                                            \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) {    \
          return stub_->Method(context, attempt);                                               \
        });                                                                                     \
  }
CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_CONNECTION_CALL)
#undef CRM_KEYACCOUNT_CONNECTION_CALL

absl::StatusOr<v1::ReclassifySummary> DefaultKeyAccountConnection::Reclassify(
    const v1::ReclassifyRequest& request, const ReclassifyCallback& on_progress) {
  const std::string correlation_id = policy_.new_request_id();
  Backoff backoff(policy_.retry);
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<ReclassifyStream> stream =
        stub_->Reclassify(MakeContext(policy_.stream_timeout, correlation_id), request);
    bool received = false;
    absl::optional<v1::ReclassifySummary> summary;
    v1::ReclassifyProgress progress;
    while (stream->Read(&progress)) {
      received = true;
      if (progress.phase() == v1::ReclassifyProgress::PHASE_DONE) summary = progress.summary();
      if (!on_progress(progress)) {
        stream->Cancel();
        stream->Finish().IgnoreError();  // CANCELLED, by our own request
        return absl::CancelledError("stopped following the reclassification");
      }
    }
    absl::Status status = stream->Finish();
    if (status.ok()) {
      if (!summary.has_value()) {
        return absl::InternalError("the reclassification ended without its summary");
      }
      return *std::move(summary);
    }
    // Before any progress the run may not have started, and if it did, the repeat is refused
    // (one run at a time) rather than run twice. After progress it has been writing: a repeat
    // would be a second run, which is the caller's decision.
    if (received || !IsRetryable(status)) return status;
    if (attempt >= policy_.retry.max_attempts) return GaveUp(status, attempt);
    policy_.sleep(backoff.Next());
  }
}

}  // namespace internal

absl::StatusOr<std::shared_ptr<KeyAccountConnection>> MakeKeyAccountConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(KeyAccountAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakeKeyAccountConnection(CreateDefaultKeyAccountStub(*std::move(channel), options),
                                  options);
}

std::shared_ptr<KeyAccountConnection> MakeKeyAccountConnection(std::shared_ptr<KeyAccountStub> stub,
                                                               const ClientOptions& options) {
  return std::make_shared<internal::DefaultKeyAccountConnection>(std::move(stub),
                                                                 internal::MakeCallPolicy(options));
}

}  // namespace crm::client
