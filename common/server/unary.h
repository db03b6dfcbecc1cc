// Runs one unary RPC: moves the work onto the worker pool, honours the deadline and
// cancellation, turns escaping exceptions into a status, and finishes with the mapped status.
// `work` returns absl::StatusOr<Response>; on success the value becomes the response.
//
//   return ServeUnary(context, workers_, response, [this, request](const CallContext& call) {
//     return logic_.GetAccount(call, *request);
//   });
#pragma once

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/server/call_context.h"
#include "common/server/grpc_status.h"
#include "common/server/worker_pool.h"

namespace crm::server {

absl::Status StatusFromException();

template <typename Response, typename Work>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context, WorkerPool& workers,
                                     Response* response, Work&& work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  workers.Submit([context, reactor, response, work = std::forward<Work>(work)]() mutable {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      return;
    }
    absl::StatusOr<CallContext> authorized = MakeCallContext(*context);
    if (!authorized.ok()) {
      reactor->Finish(ToGrpcStatus(authorized.status()));
      return;
    }
    const CallContext& call = *authorized;
    if (absl::Now() >= call.deadline) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before work started"));
      return;
    }
    absl::Status status;
    try {
      const ScopedCurrentCall current(CurrentCallOf(call));
      absl::StatusOr<Response> result = work(call);
      if (result.ok()) {
        *response = *std::move(result);
      } else {
        status = result.status();
      }
    } catch (...) {
      status = StatusFromException();
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace crm::server
