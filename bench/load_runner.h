// A closed-loop load generator: each of N callers (one thread each) issues its next call as soon
// as the previous one returns, first for a warm-up and then for a measured window. Every call
// that starts inside the window is counted and, when it succeeds, timed; calls are sorted by
// latency afterwards, so percentiles are exact, not bucketed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"

namespace crm::bench {

// What became of one call: OK, a gRPC status, or a response the benchmark rejected.
struct CallOutcome {
  // Empty when the call succeeded; otherwise the status code name (e.g. "UNAVAILABLE") or
  // "BAD_RESPONSE".
  std::string error;
  std::string message;

  bool ok() const { return error.empty(); }
  static CallOutcome Ok() { return {}; }
  static CallOutcome FromStatus(const grpc::Status& status);
  static CallOutcome BadResponse(std::string message) { return {"BAD_RESPONSE", std::move(message)}; }
};

std::string StatusCodeName(grpc::StatusCode code);

// One call by caller `caller` (0-based); `seq` numbers that caller's calls from 0. It runs on
// the caller's own thread; callers run concurrently.
using CallFunction = std::function<CallOutcome(int caller, int64_t seq)>;

struct LoadOptions {
  int callers = 16;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration measure = absl::Seconds(10);
  // When set, the server's CPU time during the window is read from /proc.
  pid_t server_pid = 0;
};

struct PhaseResult {
  std::string name;
  int callers = 0;
  double window_seconds = 0;
  int64_t calls = 0;  // started inside the window, succeeded or not
  int64_t ok = 0;
  int64_t warmup_calls = 0;
  int64_t warmup_failures = 0;
  std::map<std::string, int64_t> errors;    // by CallOutcome::error, window and warm-up alike
  std::vector<std::string> error_samples;  // the first few messages
  std::vector<int64_t> latencies_ns;       // successful calls in the window, sorted
  double server_cpu_seconds = 0;           // during the window
  double bench_cpu_seconds = 0;            // this process, during the window
  double cpu_window_seconds = 0;           // wall time between the two CPU readings

  double Qps() const { return window_seconds > 0 ? static_cast<double>(ok) / window_seconds : 0; }
  int64_t failures() const;
  // Nearest-rank percentile, p in (0, 100]; 0 when nothing succeeded.
  int64_t PercentileNs(double p) const;
};

PhaseResult RunClosedLoop(const std::string& name, const LoadOptions& options, const CallFunction& call);

}  // namespace crm::bench
