// A closed-loop load generator: each of N callers (one thread each) issues its next call as soon
// as the previous one returns, first for a warm-up and then for a measured window. Every call
// that starts inside the window is counted and, when it succeeds, timed; calls are sorted by
// latency afterwards, so percentiles are exact, not bucketed. The phase result and call outcome
// types here serve the asynchronous engine (bench/async_load.h) as well.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
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

// The result of a load phase, or of one operation of it; also the tally each caller (or
// in-flight slot) keeps while it runs, merged into the phase's afterwards.
struct PhaseResult {
  std::string name;
  int callers = 0;
  double window_seconds = 0;
  int64_t calls = 0;  // started inside the window, succeeded or not
  int64_t ok = 0;
  int64_t warmup_calls = 0;
  int64_t warmup_failures = 0;
  std::map<std::string, int64_t> errors;    // by CallOutcome::error, window and warm-up alike
  std::vector<std::string> error_samples;  // the first few distinct messages
  std::vector<int64_t> latencies_ns;       // successful calls in the window, sorted once complete
  double server_cpu_seconds = 0;           // during the window
  double bench_cpu_seconds = 0;            // this process, during the window
  double cpu_window_seconds = 0;           // wall time between the two CPU readings
  // Fixed-rate phases only (bench/async_load.h): the rate asked for, the calls that started more
  // than kLateStart after their scheduled time (no free in-flight slot, or the generator itself
  // was late), the largest such lag, and the calls scheduled inside the window that never started.
  double offered_qps = 0;
  int64_t late_starts = 0;
  int64_t max_start_lag_ns = 0;
  int64_t unsent = 0;

  double Qps() const { return window_seconds > 0 ? static_cast<double>(ok) / window_seconds : 0; }
  int64_t failures() const;
  // Nearest-rank percentile, p in (0, 100]; 0 when nothing succeeded.
  int64_t PercentileNs(double p) const;

  // Counts one call: in the window (`measured`) or in the warm-up; `latency_ns` is kept for a
  // successful call in the window.
  void Record(const CallOutcome& outcome, bool measured, int64_t latency_ns);
  // Adds the counts, errors, samples and latencies of `other` (not its name, window or CPU).
  void Merge(const PhaseResult& other);
  void SortLatencies();

 private:
  void AddErrorSample(const std::string& sample);
};

inline constexpr absl::Duration kLateStart = absl::Milliseconds(1);

// CPU time of the server process (when `server_pid` is set) and of this process over a window:
// construct at its start, End() at its end.
class CpuWindow {
 public:
  explicit CpuWindow(pid_t server_pid);
  // Sets the result's server_cpu_seconds, bench_cpu_seconds and cpu_window_seconds.
  void End(PhaseResult& result) const;

 private:
  double ServerCpu() const;

  pid_t server_pid_;
  double server_cpu_start_;
  double bench_cpu_start_;
  absl::Time start_;
};

PhaseResult RunClosedLoop(const std::string& name, const LoadOptions& options, const CallFunction& call);

// `count` insecure channels to `address`, each with a TCP connection of its own (a local
// subchannel pool: otherwise gRPC's global pool puts channels with equal arguments on one
// connection), once all are connected; an error when one is not within `timeout`.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(const std::string& address, int count,
                                                                             absl::Duration timeout);

}  // namespace crm::bench
