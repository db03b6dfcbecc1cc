// The default KeyAccountConnection: each RPC retried, given a request id or sent once according
// to its kind in keyaccount_rpcs.h (rules in retry_loop.h, and kIfMatch / kSet below).
#pragma once

#include <memory>

#include "clients/gateway/keyaccount_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

// CallKind of retry_loop.h, plus the two kinds keyaccount_rpcs.h describes.
enum class KeyAccountCallKind {
  kRead,
  kCreate,
  kChange,
  // Retried only when the request carries its precondition (CarriesPrecondition).
  kIfMatch,
  // A last-writer-wins set: retried.
  kSet,
};

// Whether a kIfMatch request carries the precondition that makes a repeat unable to write twice.
inline bool CarriesPrecondition(const v1::UpdateScoringModelRequest& request) {
  return request.based_on_version() > 0;
}
inline bool CarriesPrecondition(const v1::UpdateAccountPlanRequest& request) {
  return !request.etag().empty();
}

// Runs `call(grpc::ClientContext&, const Request&)` (a stub method) under kKind's rules.
template <KeyAccountCallKind kKind, typename Request, typename Call>
auto CallKeyAccount(const CallPolicy& policy, const Request& request, Call&& call) {
  if constexpr (kKind == KeyAccountCallKind::kRead) {
    return CallWithPolicy<CallKind::kRead>(policy, request, call);
  } else if constexpr (kKind == KeyAccountCallKind::kCreate) {
    return CallWithPolicy<CallKind::kCreate>(policy, request, call);
  } else if constexpr (kKind == KeyAccountCallKind::kChange) {
    return CallWithPolicy<CallKind::kChange>(policy, request, call);
  } else if constexpr (kKind == KeyAccountCallKind::kSet) {
    return CallWithPolicy<CallKind::kIdempotentChange>(policy, request, call);
  } else {
    return RetryLoop(
        policy,
        CarriesPrecondition(request) ? Idempotency::kIdempotent : Idempotency::kNonIdempotent,
        [&](grpc::ClientContext& context) { return call(context, request); });
  }
}

class DefaultKeyAccountConnection final : public KeyAccountConnection {
 public:
  DefaultKeyAccountConnection(std::shared_ptr<KeyAccountStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_KEYACCOUNT_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_KEYACCOUNT_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_CONNECTION_OVERRIDE)
#undef CRM_KEYACCOUNT_CONNECTION_OVERRIDE

  absl::StatusOr<v1::ReclassifySummary> Reclassify(const v1::ReclassifyRequest& request,
                                                   const ReclassifyCallback& on_progress) override;

 private:
  std::shared_ptr<KeyAccountStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
