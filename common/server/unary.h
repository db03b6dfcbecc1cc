// Runs one unary RPC: moves the work onto the worker pool, honours the deadline and
// cancellation, turns escaping exceptions into a status, and finishes with the mapped status.
//
//   return ServeUnary(context, workers_, [=](const CallContext& call) {
//     return logic_.Get(call, *request, response);
//   });
#pragma once

#include <grpcpp/grpcpp.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "common/server/call_context.h"
#include "common/server/grpc_status.h"
#include "common/server/worker_pool.h"

namespace crm::server {

absl::Status StatusFromException();

template <typename Work>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context, WorkerPool& workers,
                                     Work&& work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  workers.Submit([context, reactor, work = std::forward<Work>(work)]() mutable {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      return;
    }
    const CallContext call = MakeCallContext(*context);
    if (absl::Now() >= call.deadline) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before work started"));
      return;
    }
    absl::Status status;
    try {
      status = work(call);
    } catch (...) {
      status = StatusFromException();
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace crm::server
