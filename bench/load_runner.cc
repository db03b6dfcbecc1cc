#include "bench/load_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/server_process.h"

namespace crm::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxErrorSamples = 5;

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

void PhaseResult::Record(const CallOutcome& outcome, bool measured, int64_t latency_ns) {
  if (!outcome.ok()) {
    ++errors[outcome.error];
    AddErrorSample(absl::StrCat(outcome.error, ": ", outcome.message));
  }
  if (!measured) {
    ++warmup_calls;
    if (!outcome.ok()) ++warmup_failures;
    return;
  }
  ++calls;
  if (outcome.ok()) {
    ++ok;
    latencies_ns.push_back(latency_ns);
  }
}

void PhaseResult::Merge(const PhaseResult& other) {
  calls += other.calls;
  ok += other.ok;
  warmup_calls += other.warmup_calls;
  warmup_failures += other.warmup_failures;
  for (const auto& [code, count] : other.errors) errors[code] += count;
  for (const std::string& sample : other.error_samples) AddErrorSample(sample);
  latencies_ns.insert(latencies_ns.end(), other.latencies_ns.begin(), other.latencies_ns.end());
  late_starts += other.late_starts;
  max_start_lag_ns = std::max(max_start_lag_ns, other.max_start_lag_ns);
  unsent += other.unsent;
}

void PhaseResult::AddErrorSample(const std::string& sample) {
  // Distinct messages only: one error repeated thousands of times would otherwise hide the others.
  if (error_samples.size() >= kMaxErrorSamples) return;
  if (std::find(error_samples.begin(), error_samples.end(), sample) == error_samples.end()) {
    error_samples.push_back(sample);
  }
}

void PhaseResult::SortLatencies() { std::sort(latencies_ns.begin(), latencies_ns.end()); }

CpuWindow::CpuWindow(pid_t server_pid)
    : server_pid_(server_pid),
      server_cpu_start_(ServerCpu()),
      bench_cpu_start_(SelfCpuSeconds()),
      start_(absl::Now()) {}

double CpuWindow::ServerCpu() const {
  if (server_pid_ <= 0) return 0;
  absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(server_pid_);
  return usage.ok() ? usage->cpu_seconds : 0;
}

void CpuWindow::End(PhaseResult& result) const {
  result.server_cpu_seconds = ServerCpu() - server_cpu_start_;
  result.bench_cpu_seconds = SelfCpuSeconds() - bench_cpu_start_;
  result.cpu_window_seconds = absl::ToDoubleSeconds(absl::Now() - start_);
}

PhaseResult RunClosedLoop(const std::string& name, const LoadOptions& options, const CallFunction& call) {
  std::vector<PhaseResult> tallies(options.callers);
  for (PhaseResult& tally : tallies) tally.latencies_ns.reserve(1 << 16);

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
      PhaseResult& tally = tallies[caller];
      for (int64_t seq = 0;; ++seq) {
        const SteadyClock::time_point begin = SteadyClock::now();
        if (begin >= window_end) break;
        const CallOutcome outcome = call(caller, seq);
        const SteadyClock::time_point end = SteadyClock::now();
        tally.Record(outcome, begin >= window_start,
                     std::chrono::duration_cast<std::chrono::nanoseconds>(end - begin).count());
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
  std::this_thread::sleep_until(window_start);
  const CpuWindow cpu(options.server_pid);
  std::this_thread::sleep_until(window_end);
  cpu.End(result);
  result.window_seconds = absl::ToDoubleSeconds(options.measure);
  for (std::thread& thread : threads) thread.join();

  for (const PhaseResult& tally : tallies) result.Merge(tally);
  result.SortLatencies();
  return result;
}

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> ConnectChannels(const std::string& address, int count,
                                                                            absl::Duration timeout) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const absl::Time deadline = absl::Now() + timeout;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channels.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    if (!channels.back()->WaitForConnected(absl::ToChronoTime(deadline))) {
      return absl::UnavailableError(absl::StrCat("could not connect to ", address));
    }
  }
  return channels;
}

}  // namespace crm::bench
