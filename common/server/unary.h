// Runs one unary RPC: moves the work onto the worker pool (ServeUnary; ServeRead may run a read
// by key in place), honours the deadline and cancellation, turns escaping exceptions into a
// status, and finishes with the mapped status. `work` returns absl::StatusOr<Response>; on
// success the value becomes the response.
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

// Authorizes the call, runs `work` unless the call was cancelled or its deadline passed, and
// finishes `reactor` with the response or the mapped status. On the calling thread; `start` is
// the call's StartingCall().
template <typename Response, typename Work>
void RunUnary(grpc::CallbackServerContext* context, const CallStart& start, grpc::ServerUnaryReactor* reactor,
              Response* response, Work& work) {
  if (context->IsCancelled()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
    return;
  }
  absl::StatusOr<CallContext> authorized = MakeCallContext(*context, start);
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
}

template <typename Response, typename Work>
grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context, WorkerPool& workers,
                                     Response* response, Work&& work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  workers.Submit([context, start = StartingCall(), reactor, response, work = std::forward<Work>(work)]() mutable {
    RunUnary(context, start, reactor, response, work);
  });
  return reactor;
}

// For a read of one record by key. When the pool allows it (SQLite: such a read takes
// microseconds and never waits on a network), it runs on gRPC's thread, because handing it to a
// worker and the response back costs more than the read itself; otherwise as ServeUnary.
template <typename Response, typename Work>
grpc::ServerUnaryReactor* ServeRead(grpc::CallbackServerContext* context, WorkerPool& workers,
                                    Response* response, Work&& work) {
  if (!workers.inline_reads()) return ServeUnary(context, workers, response, std::forward<Work>(work));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunUnary(context, StartingCall(), reactor, response, work);
  return reactor;
}

}  // namespace crm::server
