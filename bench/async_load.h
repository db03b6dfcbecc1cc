// An asynchronous load engine on gRPC's callback client API: N calls in flight at once, started
// from gRPC's completion threads (closed loop) or from one pacing thread (fixed rate), never one
// thread per caller. A phase runs a weighted mix of operations for a warm-up and a measured
// window and reports each operation and the total as a PhaseResult (bench/load_runner.h), with
// exact percentiles; optionally also the total per time slice of the window (p99 over time).
//
//   closed loop  each of the N in-flight slots issues its next call as soon as the previous one
//                completes: the most the server (and this generator) can do with N in flight;
//   fixed rate   calls are scheduled at a constant rate whatever the completions; each call's
//                latency runs from its *scheduled* start, so a server that stalls is charged for
//                the calls that queued behind the stall (no coordinated omission). At most N calls
//                are in flight: a scheduled call that finds no free slot waits for one and counts
//                as a late start; calls that could not start before the window ended are unsent.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bench/load_runner.h"

namespace crm::bench {

// Reports the end of one call to the engine; it must run exactly once per started call, on any
// thread, and nothing of the engine may be used after it.
using CallDone = std::function<void(CallOutcome)>;

// Starts one call without waiting for it. `slot` (0 ≤ slot < in_flight) is the place the call
// holds until it is done: no other call runs on that slot meanwhile, so state kept per slot needs
// no lock. `seq` numbers the phase's calls from 0.
using AsyncCallFunction = std::function<void(int slot, int64_t seq, CallDone done)>;

struct Operation {
  std::string name;
  // Share of the calls, relative to the other operations' weights.
  double weight = 1;
  AsyncCallFunction start;
};

enum class LoadMode { kClosedLoop, kFixedRate };

struct AsyncLoadOptions {
  LoadMode mode = LoadMode::kClosedLoop;
  // Closed loop: the concurrent callers. Fixed rate: the most calls in flight at once.
  int in_flight = 32;
  // Fixed rate only: calls started per second.
  double rate_qps = 0;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration measure = absl::Seconds(10);
  // Closed loop only, when positive: stop after this many calls (e.g. to seed data); `measure`
  // then only bounds the time, and the window is as long as the calls took.
  int64_t call_limit = 0;
  // When positive, the total is also reported per slice of the window of this length (by each
  // call's start), so a long run can show its tail latency over time.
  absl::Duration slice = absl::ZeroDuration();
  // When set, the server's CPU time during the window is read from /proc.
  pid_t server_pid = 0;
  // Seeds the per-slot generators that pick the operations.
  uint64_t seed = 1;
};

struct LoadResult {
  PhaseResult total;
  // One per operation, in the order given.
  std::vector<PhaseResult> operations;
  // The total per slice of the window when AsyncLoadOptions::slice is set; slice i is named
  // "+<start>s" and covers calls that started in [i·slice, (i+1)·slice) of the window.
  std::vector<PhaseResult> slices;
};

// Runs one phase; returns when every call it started has completed. Operations with weight 0 are
// never called; at least one must have a positive weight.
LoadResult RunLoad(const std::string& name, const AsyncLoadOptions& options, const std::vector<Operation>& operations);

// The state of one unary call through the callback API, alive until the call completes.
template <typename Request, typename Response>
struct UnaryCall {
  grpc::ClientContext context;
  Request request;
  Response response;
};

// Starts `call` as `(stub->*method)(...)`, the callback form of a generated stub's method, e.g.
//   using AccountsAsync = class crm::v1::AccountService::Stub::async;  // "class": async() hides it
//   StartUnaryCall(stub->async(), &AccountsAsync::GetAccount, std::move(call), check, std::move(done));
// When the call completes, a successful response goes through `check(request, response)` (returns
// a CallOutcome), the call's state is freed, and `done` gets the outcome.
template <typename AsyncStub, typename Request, typename Response, typename Check>
void StartUnaryCall(AsyncStub* stub,
                    void (AsyncStub::*method)(grpc::ClientContext*, const Request*, Response*,
                                              std::function<void(grpc::Status)>),
                    std::unique_ptr<UnaryCall<Request, Response>> call, Check check, CallDone done) {
  UnaryCall<Request, Response>* state = call.release();
  (stub->*method)(&state->context, &state->request, &state->response,
                  [state, check = std::move(check), done = std::move(done)](grpc::Status status) {
                    std::unique_ptr<UnaryCall<Request, Response>> owned(state);
                    CallOutcome outcome =
                        status.ok() ? check(owned->request, owned->response) : CallOutcome::FromStatus(status);
                    owned.reset();
                    done(std::move(outcome));
                  });
}

}  // namespace crm::bench
