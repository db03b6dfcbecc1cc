#include "bench/load_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/server_process.h"

namespace crm::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxErrorSamples = 5;

struct CallerTally {
  std::vector<int64_t> latencies_ns;
  int64_t calls = 0;
  int64_t ok = 0;
  int64_t warmup_calls = 0;
  int64_t warmup_failures = 0;
  std::map<std::string, int64_t> errors;
  std::vector<std::string> error_samples;
};

}  // namespace

CallOutcome CallOutcome::FromStatus(const grpc::Status& status) {
  if (status.ok()) return Ok();
  return {StatusCodeName(status.error_code()), status.error_message()};
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

int64_t PhaseResult::failures() const {
  int64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

int64_t PhaseResult::PercentileNs(double p) const {
  if (latencies_ns.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(latencies_ns.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(latencies_ns.size()))) - 1;
  return latencies_ns[index];
}

PhaseResult RunClosedLoop(const std::string& name, const LoadOptions& options, const CallFunction& call) {
  std::vector<CallerTally> tallies(options.callers);
  for (CallerTally& tally : tallies) tally.latencies_ns.reserve(1 << 16);

  // The callers wait for the clock to be set, so thread start-up is not part of the warm-up.
  std::mutex mu;
  std::condition_variable go;
  bool started = false;
  SteadyClock::time_point window_start, window_end;

  std::vector<std::thread> threads;
  for (int caller = 0; caller < options.callers; ++caller) {
    threads.emplace_back([&, caller] {
      {
        std::unique_lock<std::mutex> lock(mu);
        go.wait(lock, [&] { return started; });
      }
      CallerTally& tally = tallies[caller];
      for (int64_t seq = 0;; ++seq) {
        const SteadyClock::time_point begin = SteadyClock::now();
        if (begin >= window_end) break;
        const CallOutcome outcome = call(caller, seq);
        const SteadyClock::time_point end = SteadyClock::now();
        const bool measured = begin >= window_start;
        if (!outcome.ok()) {
          ++tally.errors[outcome.error];
          if (tally.error_samples.size() < kMaxErrorSamples) {
            tally.error_samples.push_back(absl::StrCat(outcome.error, ": ", outcome.message));
          }
        }
        if (!measured) {
          ++tally.warmup_calls;
          if (!outcome.ok()) ++tally.warmup_failures;
          continue;
        }
        ++tally.calls;
        if (outcome.ok()) {
          ++tally.ok;
          tally.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - begin).count());
        }
      }
    });
  }

  const SteadyClock::time_point t0 = SteadyClock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    window_start = t0 + absl::ToChronoNanoseconds(options.warmup);
    window_end = window_start + absl::ToChronoNanoseconds(options.measure);
    started = true;
  }
  go.notify_all();

  PhaseResult result;
  result.name = name;
  result.callers = options.callers;
  auto server_cpu = [&]() -> double {
    if (options.server_pid <= 0) return 0;
    absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(options.server_pid);
    return usage.ok() ? usage->cpu_seconds : 0;
  };
  std::this_thread::sleep_until(window_start);
  const double server_cpu_start = server_cpu();
  const double bench_cpu_start = SelfCpuSeconds();
  const SteadyClock::time_point measured_from = SteadyClock::now();
  std::this_thread::sleep_until(window_end);
  result.server_cpu_seconds = server_cpu() - server_cpu_start;
  result.bench_cpu_seconds = SelfCpuSeconds() - bench_cpu_start;
  result.cpu_window_seconds = std::chrono::duration<double>(SteadyClock::now() - measured_from).count();
  result.window_seconds = absl::ToDoubleSeconds(options.measure);
  for (std::thread& thread : threads) thread.join();

  for (CallerTally& tally : tallies) {
    result.calls += tally.calls;
    result.ok += tally.ok;
    result.warmup_calls += tally.warmup_calls;
    result.warmup_failures += tally.warmup_failures;
    for (const auto& [code, count] : tally.errors) result.errors[code] += count;
    for (std::string& sample : tally.error_samples) {
      if (result.error_samples.size() < kMaxErrorSamples) result.error_samples.push_back(std::move(sample));
    }
    result.latencies_ns.insert(result.latencies_ns.end(), tally.latencies_ns.begin(), tally.latencies_ns.end());
  }
  std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
  return result;
}

}  // namespace crm::bench
