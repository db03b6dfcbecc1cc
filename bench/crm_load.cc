// crm_load: the load generator's benchmark (bench/async_load.h) of crm-server against a bare gRPC
// echo server, in one run. Phases, in this order (--phases picks some):
//
//   echo        crm-echo-server, Echo closed loop: the most this client, transport and machine do
//               with a request and reply the size of GetAccount's;
//   read        crm-server on a fresh SQLite data directory (or --db, or --target), seeded through
//               the API; GetAccount of random accounts closed loop, through authentication and
//               the database. Reported as a ratio to echo's QPS (target ≥ --min_ratio);
//   read_rate   GetAccount at a fixed rate, --rate_fraction of read's QPS (or --rate), latency
//               from each call's scheduled start (target p99 ≤ --max_p99_ms, nothing unsent);
//   mixed       reads, writes, stage moves, ticket updates, funnel and tier summary (--mix)
//               closed loop; mixed_rate the same at a fixed rate;
//   soak        the mixed workload at a fixed rate, --soak_fraction of mixed's QPS (or --rate),
//               for --soak_seconds, with figures per --soak_slice_seconds and crm-server's RSS
//               sampled throughout (target: RSS at the end within --max_rss_drift of its level
//               after the first --soak_settle_seconds; no unexpected error);
//   echo_rate   crm-echo-server again, Echo at read_rate's rate: the tail that bare gRPC, this
//               generator and this machine have at that rate, to read read_rate's against.
//
// Prints a table per phase and, as its last line, a one-line JSON summary. Exits 1 when a target
// is missed (unless --check_targets=false), an unexpected error occurred (see IsExpectedError in
// bench/crm_workload.cc), or a server did not start or stop cleanly; 2 on bad flags. See
// bench/README.md.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/async_load.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/crm_workload.h"
#include "bench/echo.grpc.pb.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_ECHO_SERVER_PATH
#define CRM_ECHO_SERVER_PATH "crm-echo-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::vector<std::string>, phases,
          std::vector<std::string>({"echo", "read", "read_rate", "mixed", "echo_rate"}),
          "Phases to run, in this order: echo, read, read_rate, mixed, mixed_rate, soak, echo_rate.");
ABSL_FLAG(int, peak_callers, 128,
          "Calls in flight in the echo and read phases, which measure each server's peak QPS (asynchronous; no "
          "thread per caller). Enough to keep both servers busy: on 2 CPUs, 32 leave both short of their peak.");
ABSL_FLAG(int, callers, 32, "Calls in flight in the mixed phase and while seeding.");
ABSL_FLAG(int, channels, 2, "Channels (TCP connections) the calls are spread over, round-robin by in-flight slot.");
ABSL_FLAG(double, seconds, 10, "Measured seconds per phase.");
ABSL_FLAG(double, warmup_seconds, 2, "Warm-up seconds before each phase's measurement (not counted).");
ABSL_FLAG(double, rate, 0,
          "Calls per second of the fixed-rate phases; 0: --rate_fraction of the QPS of the closed-loop phase of "
          "the same workload measured before it (read for read_rate, mixed for mixed_rate).");
ABSL_FLAG(double, rate_fraction, 0.8, "See --rate.");
ABSL_FLAG(int, max_in_flight, 256, "Fixed-rate phases: the most calls in flight; a due call waits for a free one.");
ABSL_FLAG(double, slice_seconds, 0, "When positive, also report each phase's total per slice of this many seconds.");
ABSL_FLAG(std::string, mix, crm::bench::kDefaultMix,
          "Weights of the mixed workload's operations, Name=weight, comma-separated; unnamed operations get 0.");
ABSL_FLAG(double, soak_seconds, 600, "soak: measured seconds.");
ABSL_FLAG(double, soak_fraction, 0.7, "soak: the rate as a fraction of mixed's QPS (unless --rate).");
ABSL_FLAG(double, soak_slice_seconds, 30, "soak: figures (and an RSS sample) per slice of this many seconds.");
ABSL_FLAG(double, soak_settle_seconds, 60,
          "soak: RSS drift is measured from the first sample this long into the window (caches filled).");
ABSL_FLAG(double, max_rss_drift, 0.05, "Target: soak's RSS at the end at most this fraction above its settled level.");
ABSL_FLAG(int, accounts, 2000, "Accounts seeded through CreateAccount before the crm-server phases.");
ABSL_FLAG(int, opportunity_every, 4, "Seed one opportunity for every N-th seeded account.");
ABSL_FLAG(int, tickets, 500, "Tickets seeded on random seeded accounts.");
ABSL_FLAG(double, min_ratio, 0.70, "Target: read QPS / echo QPS at least this.");
ABSL_FLAG(double, max_p99_ms, 2.0, "Target: p99 of read_rate at most this (ms).");
ABSL_FLAG(bool, check_targets, true,
          "Fail the run when a target is missed. False (e.g. for a smoke run on a busy machine) still reports the "
          "targets, and still fails on unexpected errors.");
ABSL_FLAG(int, call_deadline_ms, 10000, "Deadline of every call.");
ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(std::string, echo_server, CRM_ECHO_SERVER_PATH, "The crm-echo-server binary to start.");
ABSL_FLAG(std::string, db, "",
          "Database URL for the started crm-server (e.g. mysql://crm:crm@127.0.0.1:33306/crm_load). Empty: SQLite "
          "in a fresh temporary data directory.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated (e.g. \"--db_pool_size=16\").");
ABSL_FLAG(std::string, target, "",
          "host:port of an already running crm-server to load instead of starting one (plaintext); needs --token. "
          "The seed data is created on it.");
ABSL_FLAG(std::string, token, "", "With --target: the secret of an access token that may call every RPC used.");
ABSL_FLAG(std::string, echo_target, "", "host:port of an already running crm-echo-server instead of starting one.");
ABSL_FLAG(std::string, tmp_dir, "", "Where to make the temporary data directories. Empty: $TMPDIR or /tmp.");
ABSL_FLAG(bool, keep_data, false, "Keep the temporary data directories (and server logs).");
ABSL_FLAG(std::string, server_cpus, "",
          "CPUs the started servers (echo and crm-server) may run on, e.g. \"0\" or \"0-1\". Empty: any.");
ABSL_FLAG(std::string, generator_cpus, "",
          "CPUs this load generator may run on, e.g. \"1\". Empty: any. With --server_cpus, keeps the "
          "generator off the servers' CPUs, so that it neither takes their CPU time nor preempts them.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

constexpr char kProgram[] = "crm_load";

// The flags, checked.
struct Config {
  std::vector<std::string> phases;
  int peak_callers = 0;
  int callers = 0;
  int channels = 0;
  absl::Duration warmup, measure;
  double rate = 0;
  double rate_fraction = 0;
  int max_in_flight = 0;
  absl::Duration slice;
  std::map<std::string, double> mix;
  SeedPlan seed;
  absl::Duration call_deadline;
  std::vector<int> server_cpus, generator_cpus;

  bool Runs(const std::string& phase) const { return std::find(phases.begin(), phases.end(), phase) != phases.end(); }
  bool RunsCrmServer() const {
    return Runs("read") || Runs("read_rate") || Runs("mixed") || Runs("mixed_rate") || Runs("soak");
  }
  bool RunsEchoServer() const { return Runs("echo") || Runs("echo_rate"); }
  int MostSlots() const { return std::max({peak_callers, callers, max_in_flight}); }
};

constexpr const char* kPhaseOrder[] = {"echo", "read", "read_rate", "mixed", "mixed_rate", "soak", "echo_rate"};

absl::StatusOr<Config> ReadFlags() {
  Config config;
  const std::set<std::string> known(std::begin(kPhaseOrder), std::end(kPhaseOrder));
  for (const std::string& phase : absl::GetFlag(FLAGS_phases)) {
    if (known.count(phase) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--phases: unknown phase \"", phase, "\" (known: ", absl::StrJoin(known, ", "), ")"));
    }
    if (!config.Runs(phase)) config.phases.push_back(phase);
  }
  if (config.phases.empty()) return absl::InvalidArgumentError("--phases: name at least one phase");
  // Run in the documented order whatever the order given.
  std::vector<std::string> ordered;
  for (const char* phase : kPhaseOrder) {
    if (config.Runs(phase)) ordered.push_back(phase);
  }
  config.phases = ordered;

  absl::StatusOr<std::vector<int>> server_cpus = ParseCpuList(absl::GetFlag(FLAGS_server_cpus));
  if (!server_cpus.ok()) return absl::InvalidArgumentError(absl::StrCat("--server_cpus: ", server_cpus.status().message()));
  config.server_cpus = *std::move(server_cpus);
  absl::StatusOr<std::vector<int>> generator_cpus = ParseCpuList(absl::GetFlag(FLAGS_generator_cpus));
  if (!generator_cpus.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--generator_cpus: ", generator_cpus.status().message()));
  }
  config.generator_cpus = *std::move(generator_cpus);
  config.peak_callers = absl::GetFlag(FLAGS_peak_callers);
  config.callers = absl::GetFlag(FLAGS_callers);
  config.channels = absl::GetFlag(FLAGS_channels);
  config.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  config.seed.accounts = absl::GetFlag(FLAGS_accounts);
  config.seed.opportunity_every = absl::GetFlag(FLAGS_opportunity_every);
  config.seed.tickets = absl::GetFlag(FLAGS_tickets);
  config.seed.in_flight = config.callers;
  config.rate = absl::GetFlag(FLAGS_rate);
  config.rate_fraction = absl::GetFlag(FLAGS_rate_fraction);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const double warmup_seconds = absl::GetFlag(FLAGS_warmup_seconds);
  const double slice_seconds = absl::GetFlag(FLAGS_slice_seconds);
  const int deadline_ms = absl::GetFlag(FLAGS_call_deadline_ms);
  if (config.peak_callers < 1 || config.callers < 1 || config.channels < 1 || config.max_in_flight < 1) {
    return absl::InvalidArgumentError("--peak_callers, --callers, --channels and --max_in_flight must be at least 1");
  }
  if (config.MostSlots() > 100000 || config.channels > 1000) {
    return absl::InvalidArgumentError(
        "--peak_callers / --callers / --max_in_flight at most 100000, --channels at most 1000");
  }
  if (!(seconds > 0) || !(warmup_seconds >= 0) || !(slice_seconds >= 0) || seconds > 86400 || warmup_seconds > 86400) {
    return absl::InvalidArgumentError(
        "--seconds must be positive, --warmup_seconds and --slice_seconds not "
        "negative (and under a day)");
  }
  if (!(config.rate >= 0) || !(config.rate_fraction > 0) || config.rate > 1e7) {
    return absl::InvalidArgumentError("--rate must be 0 or positive (at most 1e7), --rate_fraction positive");
  }
  if (config.seed.accounts < 1 || config.seed.opportunity_every < 1 || config.seed.tickets < 0) {
    return absl::InvalidArgumentError("--accounts and --opportunity_every must be at least 1, --tickets not negative");
  }
  if (deadline_ms < 1) return absl::InvalidArgumentError("--call_deadline_ms must be at least 1");
  config.warmup = absl::Seconds(warmup_seconds);
  config.measure = absl::Seconds(seconds);
  config.slice = absl::Seconds(slice_seconds);
  config.call_deadline = absl::Milliseconds(deadline_ms);
  absl::StatusOr<std::map<std::string, double>> mix = ParseMix(absl::GetFlag(FLAGS_mix));
  if (!mix.ok()) return mix.status();
  config.mix = *std::move(mix);
  if (config.Runs("soak") && !(absl::GetFlag(FLAGS_soak_seconds) > 0 && absl::GetFlag(FLAGS_soak_fraction) > 0 &&
                               absl::GetFlag(FLAGS_soak_slice_seconds) > 0 &&
                               absl::GetFlag(FLAGS_soak_settle_seconds) >= 0 && absl::GetFlag(FLAGS_max_rss_drift) >= 0)) {
    return absl::InvalidArgumentError(
        "--soak_seconds, --soak_fraction and --soak_slice_seconds must be positive, --soak_settle_seconds and "
        "--max_rss_drift not negative");
  }
  if ((config.Runs("mixed") || config.Runs("mixed_rate") || config.Runs("soak")) && config.seed.tickets == 0 &&
      config.mix["UpdateTicket"] > 0) {
    return absl::InvalidArgumentError("--mix has UpdateTicket but --tickets=0");
  }
  if (!absl::GetFlag(FLAGS_target).empty() && absl::GetFlag(FLAGS_token).empty()) {
    return absl::InvalidArgumentError("--target needs --token");
  }
  return config;
}

AsyncLoadOptions ClosedLoop(const Config& config, int in_flight) {
  AsyncLoadOptions options;
  options.in_flight = in_flight;
  options.warmup = config.warmup;
  options.measure = config.measure;
  options.slice = config.slice;
  return options;
}

AsyncLoadOptions FixedRate(const Config& config, double rate) {
  AsyncLoadOptions options = ClosedLoop(config, config.max_in_flight);
  options.mode = LoadMode::kFixedRate;
  options.rate_qps = rate;
  return options;
}

// A phase as run, for the report.
struct PhaseReport {
  std::string name;
  AsyncLoadOptions options;
  int channels = 0;
  LoadResult result;
  int64_t unexpected_errors = 0;
};

// The echo server's workload: one Echo per call, the request and reply the sizes of GetAccount's.
class EchoWorkload {
 public:
  using EchoAsync = class crm::bench::EchoService::Stub::async;

  EchoWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, size_t request_bytes, size_t reply_bytes,
               absl::Duration deadline)
      : payload_(request_bytes, 'e'), reply_bytes_(static_cast<uint32_t>(reply_bytes)), deadline_(deadline) {
    for (const auto& channel : channels) stubs_.push_back(crm::bench::EchoService::NewStub(channel));
  }

  Operation Echo() {
    return {
        "Echo", 1, [this](int slot, int64_t, CallDone done) {
          auto call = std::make_unique<UnaryCall<EchoRequest, EchoResponse>>();
          call->context.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
          call->request.set_payload(payload_);
          call->request.set_reply_bytes(reply_bytes_);
          StartUnaryCall(
              stubs_[slot % stubs_.size()]->async(), &EchoAsync::Echo, std::move(call),
              [](const EchoRequest& request, const EchoResponse& response) {
                if (response.payload().size() != std::max<size_t>(request.payload().size(), request.reply_bytes())) {
                  return CallOutcome::BadResponse(absl::StrCat("echo answered ", response.payload().size(), " bytes"));
                }
                return CallOutcome::Ok();
              },
              std::move(done));
        }};
  }

 private:
  std::vector<std::unique_ptr<crm::bench::EchoService::Stub>> stubs_;
  const std::string payload_;
  const uint32_t reply_bytes_;
  const absl::Duration deadline_;
};

// --- The report -------------------------------------------------------------------------------

void PrintHeader() {
  std::printf("  %-22s %9s %9s %7s %9s %8s %8s %8s %8s %8s %7s %7s\n", "operation", "calls", "ok", "errors", "QPS",
              "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "srv CPU", "gen CPU");
}

// `with_cpu`: the row is a whole phase, whose CPU was measured (the server's only when the
// benchmark started it: "-" otherwise).
void PrintRow(const std::string& label, const PhaseResult& p, bool with_cpu) {
  const double window = p.cpu_window_seconds > 0 ? p.cpu_window_seconds : 1;
  std::string server_cpu, bench_cpu;
  if (with_cpu) {
    server_cpu = p.server_cpu_seconds > 0 ? absl::StrFormat("%.2f", p.server_cpu_seconds / window) : "-";
    bench_cpu = absl::StrFormat("%.2f", p.bench_cpu_seconds / window);
  }
  std::printf("  %-22s %9lld %9lld %7lld %9.1f %8.3f %8.3f %8.3f %8.3f %8.3f %7s %7s\n", label.c_str(),
              static_cast<long long>(p.calls), static_cast<long long>(p.ok), static_cast<long long>(p.failures()),
              p.Qps(), Ms(p.PercentileNs(50)), Ms(p.PercentileNs(90)), Ms(p.PercentileNs(99)), Ms(p.PercentileNs(99.9)),
              Ms(p.latencies_ns.empty() ? 0 : p.latencies_ns.back()), server_cpu.c_str(), bench_cpu.c_str());
}

std::string DescribeMode(const PhaseReport& phase) {
  const AsyncLoadOptions& o = phase.options;
  const std::string timing =
      absl::StrFormat("%g s warm-up + %g s", absl::ToDoubleSeconds(o.warmup), absl::ToDoubleSeconds(o.measure));
  if (o.mode == LoadMode::kClosedLoop) {
    return absl::StrFormat("closed loop, %d in flight over %d channel(s), %s", o.in_flight, phase.channels, timing);
  }
  return absl::StrFormat("fixed rate %.0f/s, at most %d in flight over %d channel(s), %s", o.rate_qps, o.in_flight,
                         phase.channels, timing);
}

void PrintPhase(const PhaseReport& phase) {
  const LoadResult& r = phase.result;
  std::printf("Phase %s: %s\n", phase.name.c_str(), DescribeMode(phase).c_str());
  PrintHeader();
  if (r.operations.size() > 1) {
    for (const PhaseResult& op : r.operations) PrintRow(op.name, op, false);
  }
  PrintRow(r.operations.size() > 1 ? "total" : r.total.name, r.total, true);
  for (const PhaseResult& op : r.operations) {
    for (const auto& [code, count] : op.errors) {
      std::printf("    %s %s: %lld%s\n", op.name.c_str(), code.c_str(), static_cast<long long>(count),
                  IsExpectedError(op.name, code) ? " (expected)" : " (UNEXPECTED)");
    }
  }
  for (const std::string& sample : r.total.error_samples) std::printf("    e.g. %s\n", sample.c_str());
  if (r.total.offered_qps > 0) {
    std::printf("  offered %.0f/s; %lld calls started over %.0f ms late (max lag %.2f ms); %lld never started\n",
                r.total.offered_qps, static_cast<long long>(r.total.late_starts),
                absl::ToDoubleMilliseconds(kLateStart), Ms(r.total.max_start_lag_ns),
                static_cast<long long>(r.total.unsent));
  }
  for (const PhaseResult& slice : r.slices) PrintRow(absl::StrCat("  slice ", slice.name), slice, false);
  std::printf("\n");
}

json PhaseReportJson(const PhaseReport& phase) {
  // CPU is measured per phase, not per operation or slice.
  auto without_cpu = [](const PhaseResult& part) {
    json part_json = PhaseJson(part);
    part_json.erase("server_cpu_cores");
    part_json.erase("bench_cpu_cores");
    return part_json;
  };
  json operations = json::array();
  for (const PhaseResult& op : phase.result.operations) operations.push_back(without_cpu(op));
  json slices = json::array();
  for (const PhaseResult& slice : phase.result.slices) slices.push_back(without_cpu(slice));
  const AsyncLoadOptions& o = phase.options;
  return {{"name", phase.name},
          {"mode", o.mode == LoadMode::kClosedLoop ? "closed_loop" : "fixed_rate"},
          {"in_flight", o.in_flight},
          {"channels", phase.channels},
          {"rate_qps", o.rate_qps},
          {"total", PhaseJson(phase.result.total)},
          {"operations", operations},
          {"slices", slices},
          {"unexpected_errors", phase.unexpected_errors}};
}

// Counts the unexpected errors of a phase into it and notes them as failures.
void CheckErrors(PhaseReport& phase, Failure& failure) {
  std::vector<std::string> unexpected;
  for (const PhaseResult& op : phase.result.operations) {
    for (const auto& [code, count] : op.errors) {
      if (IsExpectedError(op.name, code)) continue;
      phase.unexpected_errors += count;
      unexpected.push_back(absl::StrCat(op.name, " ", code, " x", count));
    }
  }
  for (const auto& [code, count] : phase.result.total.errors) {
    if (code == "BAD_LOAD_OPTIONS") {
      phase.unexpected_errors += count;
      unexpected.push_back(code);
    }
  }
  if (!unexpected.empty()) {
    failure.Note(absl::StrCat("phase ", phase.name, ": unexpected errors: ", absl::StrJoin(unexpected, ", "), "; e.g. ",
                              absl::StrJoin(phase.result.total.error_samples, " | ")));
  }
}

// Starts `options.binary` in a directory of its own under `root`, noting a failure if it does not.
std::unique_ptr<ServerProcess> StartServer(ServerOptions options, const std::string& root, const std::string& dir,
                                           Failure& failure) {
  options.data_dir = absl::StrCat(root, "/", dir);
  std::filesystem::create_directories(options.data_dir);
  absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(options);
  if (!started.ok()) {
    failure.Note(absl::StrCat("starting ", options.binary, ": ", started.status().message()));
    return nullptr;
  }
  std::fprintf(stderr, "%s: %s SERVING on %s after %.1f ms (pid %d)\n", kProgram, options.binary.c_str(),
               (*started)->address().c_str(), absl::ToDoubleMilliseconds((*started)->start_to_serving()),
               static_cast<int>((*started)->pid()));
  return *std::move(started);
}

void StopServer(std::unique_ptr<ServerProcess>& server, Failure& failure) {
  if (server == nullptr) return;
  absl::StatusOr<absl::Duration> stopped = server->Stop();
  if (!stopped.ok()) failure.Note(absl::StrCat("stopping the server: ", stopped.status().message()));
  server.reset();
}

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// One run: the servers it starts, the phases in order, the targets and the report.
class LoadRun {
 public:
  explicit LoadRun(Config config) : config_(std::move(config)) {
    const crm::v1::Account sample = SampleAccount();
    crm::v1::GetAccountRequest get;
    get.set_id(sample.id());
    echo_request_bytes_ = get.ByteSizeLong();
    echo_reply_bytes_ = sample.ByteSizeLong();
  }

  int Run() {
    absl::StatusOr<std::unique_ptr<ScratchDir>> scratch =
        ScratchDir::Make(absl::GetFlag(FLAGS_tmp_dir), "crm-load", absl::GetFlag(FLAGS_keep_data));
    if (!scratch.ok()) {
      std::fprintf(stderr, "%s: %s\n", kProgram, std::string(scratch.status().message()).c_str());
      return 2;
    }
    scratch_ = *std::move(scratch);
    load_average_start_ = LoadAverage();
    std::fprintf(stderr, "%s: phases %s, data under %s, load average %s\n", kProgram,
                 absl::StrJoin(config_.phases, ",").c_str(), scratch_->path().c_str(), load_average_start_.c_str());

    if (config_.Runs("echo")) RunEcho(0);
    if (config_.RunsCrmServer()) RunCrm();
    if (config_.Runs("echo_rate")) {
      if (const double rate = RateOf("echo_rate", config_.rate_fraction, read_qps_, "read"); rate > 0) RunEcho(rate);
    }
    load_average_end_ = LoadAverage();
    JudgeTargets();
    PrintReport();
    EmitSummary(SummaryJson(), absl::GetFlag(FLAGS_json_out));
    return failure_.any ? 1 : 0;
  }

 private:
  const PhaseReport& RunPhase(const std::string& name, AsyncLoadOptions options, pid_t server_pid,
                              const std::vector<Operation>& operations) {
    std::fprintf(stderr, "%s: phase %s\n", kProgram, name.c_str());
    options.server_pid = server_pid;
    PhaseReport phase;
    phase.name = name;
    phase.options = options;
    phase.channels = config_.channels;
    phase.result = RunLoad(name, options, operations);
    CheckErrors(phase, failure_);
    phases_.push_back(std::move(phase));
    return phases_.back();
  }

  // A server of our own (unless `running` names one), and channels to it; null channels when
  // either failed (noted).
  std::unique_ptr<ServerProcess> Connect(const ServerOptions& options, const std::string& running,
                                         const std::string& dir,
                                         std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    std::unique_ptr<ServerProcess> server;
    std::string address = running;
    if (address.empty()) {
      server = StartServer(options, scratch_->path(), dir, failure_);
      if (server == nullptr) return nullptr;
      address = server->address();
    }
    absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> connected =
        ConnectChannels(address, config_.channels, absl::Seconds(10));
    if (connected.ok()) {
      channels = *std::move(connected);
    } else {
      failure_.Note(std::string(connected.status().message()));
    }
    return server;
  }

  // The rate of fixed-rate phase `phase`: --rate, else `fraction` of the QPS its closed-loop phase
  // `measured_by` reached. 0, noted as a failure, when there is neither.
  double RateOf(const std::string& phase, double fraction, double measured_max, const std::string& measured_by) {
    const double rate = config_.rate > 0 ? config_.rate : fraction * measured_max;
    if (rate <= 0) failure_.Note(absl::StrCat(phase, ": no rate (give --rate, or run ", measured_by, " before it)"));
    return rate;
  }

  // The echo server, alone on the machine: echo (closed loop) when `rate` is 0, else echo_rate.
  void RunEcho(double rate) {
    ServerOptions options;
    options.binary = absl::GetFlag(FLAGS_echo_server);
    options.has_database = false;
    options.health_service = crm::bench::EchoService::service_full_name();
    options.cpus = config_.server_cpus;
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::unique_ptr<ServerProcess> echo = Connect(options, absl::GetFlag(FLAGS_echo_target), "echo", channels);
    if (!channels.empty()) {
      EchoWorkload workload(channels, echo_request_bytes_, echo_reply_bytes_, config_.call_deadline);
      const pid_t pid = echo ? echo->pid() : 0;
      if (rate > 0) {
        RunPhase("echo_rate", FixedRate(config_, rate), pid, {workload.Echo()});
      } else {
        echo_qps_ = RunPhase("echo", ClosedLoop(config_, config_.peak_callers), pid, {workload.Echo()}).result.total.Qps();
      }
    }
    StopServer(echo, failure_);
  }

  // b-d. crm-server: seed, then the read and mixed phases.
  void RunCrm() {
    ServerOptions options;
    options.binary = absl::GetFlag(FLAGS_server);
    options.db_url = absl::GetFlag(FLAGS_db);
    options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
    options.cpus = config_.server_cpus;
    const std::string running = absl::GetFlag(FLAGS_target);
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    std::unique_ptr<ServerProcess> server = Connect(options, running, "crm", channels);
    if (!channels.empty()) {
      const std::string token = server ? server->token() : absl::GetFlag(FLAGS_token);
      const std::string tag = absl::StrCat(getpid(), "-", absl::ToUnixMillis(absl::Now()));
      CrmWorkload workload(channels, token, config_.call_deadline, tag, config_.MostSlots());
      const pid_t pid = server ? server->pid() : 0;
      if (Seed(workload, pid)) {
        RunCrmPhases(workload, pid);
        account_response_bytes_ = workload.account_response_bytes();
      }
    }
    StopServer(server, failure_);
  }

  // True when the workload has data for every phase.
  bool Seed(CrmWorkload& workload, pid_t pid) {
    if (absl::Status pipeline = workload.LoadPipeline(); !pipeline.ok()) {
      failure_.Note(std::string(pipeline.message()));
      return false;
    }
    SeedPlan plan = config_.seed;
    plan.server_pid = pid;
    std::fprintf(stderr, "%s: seeding %d accounts, an opportunity on every %d-th, %d tickets\n", kProgram,
                 plan.accounts, plan.opportunity_every, plan.tickets);
    seed_steps_ = workload.Seed(plan);
    for (const PhaseResult& step : seed_steps_) {
      if (step.failures() > 0) {
        failure_.Note(absl::StrCat(step.name, ": ", step.failures(), " calls failed, e.g. ",
                                   absl::StrJoin(step.error_samples, " | ")));
      }
    }
    seeded_ = {workload.accounts(), workload.opportunities(), workload.tickets()};
    return !failure_.any && seeded_[0] > 0 && seeded_[1] > 0 && (seeded_[2] > 0 || plan.tickets == 0);
  }

  void RunCrmPhases(CrmWorkload& workload, pid_t pid) {
    auto run_at_rate = [&](const std::string& name, double measured_max, const std::string& measured_by,
                           const std::vector<Operation>& operations) {
      const double rate = RateOf(name, config_.rate_fraction, measured_max, measured_by);
      if (rate > 0) RunPhase(name, FixedRate(config_, rate), pid, operations);
    };
    double read_qps = 0, mixed_qps = 0;
    if (config_.Runs("read")) {
      read_qps =
          RunPhase("read", ClosedLoop(config_, config_.peak_callers), pid, {workload.GetAccount()}).result.total.Qps();
      read_qps_ = read_qps;
    }
    if (config_.Runs("read_rate")) run_at_rate("read_rate", read_qps, "read", {workload.GetAccount()});
    if (config_.Runs("mixed")) {
      mixed_qps =
          RunPhase("mixed", ClosedLoop(config_, config_.callers), pid, workload.Mixed(config_.mix)).result.total.Qps();
    }
    if (config_.Runs("mixed_rate")) run_at_rate("mixed_rate", mixed_qps, "mixed", workload.Mixed(config_.mix));
    if (config_.Runs("soak")) RunSoak(workload, pid, mixed_qps);
  }

  // The soak: the mixed workload at a fixed rate for a long window, crm-server's RSS sampled at
  // each slice's end.
  void RunSoak(CrmWorkload& workload, pid_t pid, double mixed_qps) {
    const double rate = RateOf("soak", absl::GetFlag(FLAGS_soak_fraction), mixed_qps, "mixed");
    if (rate <= 0) return;
    AsyncLoadOptions options = FixedRate(config_, rate);
    options.measure = absl::Seconds(absl::GetFlag(FLAGS_soak_seconds));
    options.slice = absl::Seconds(absl::GetFlag(FLAGS_soak_slice_seconds));
    std::mutex mu;
    std::condition_variable stop;
    bool done = false;
    std::thread sampler([&] {
      if (pid == 0) return;
      const absl::Time window_start = absl::Now() + options.warmup;
      std::unique_lock<std::mutex> lock(mu);
      for (int slice = 1; !done; ++slice) {
        const absl::Time next = window_start + slice * options.slice;
        if (stop.wait_until(lock, absl::ToChronoTime(next), [&] { return done; })) break;
        if (absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(pid); usage.ok()) {
          soak_rss_.push_back({absl::ToDoubleSeconds(absl::Now() - window_start), usage->rss_kib});
        }
      }
    });
    RunPhase("soak", options, pid, workload.Mixed(config_.mix));
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    stop.notify_all();
    sampler.join();
  }

  void JudgeTargets() {
    const bool check = absl::GetFlag(FLAGS_check_targets);
    auto judge = [&](const std::string& key, const std::string& line, bool met, json detail) {
      detail["met"] = met;
      targets_[key] = detail;
      target_lines_.push_back(absl::StrCat(met ? "met     " : "MISSED  ", line));
      if (!met && check) failure_.Note(absl::StrCat("target missed: ", line));
    };
    const double min_ratio = absl::GetFlag(FLAGS_min_ratio);
    if (echo_qps_ > 0 && read_qps_ > 0) {
      const double ratio = read_qps_ / echo_qps_;
      judge("read_to_echo_ratio",
            absl::StrFormat("GetAccount %.0f QPS / echo %.0f QPS = %.3f (target >= %.2f)", read_qps_, echo_qps_, ratio,
                            min_ratio),
            ratio >= min_ratio,
            {{"value", ratio}, {"min", min_ratio}, {"read_qps", read_qps_}, {"echo_qps", echo_qps_}});
    }
    const double max_p99_ms = absl::GetFlag(FLAGS_max_p99_ms);
    // The bare echo server's tail at the same rate, when echo_rate ran: what the read's is read against.
    const PhaseResult* echo_at_rate = nullptr;
    for (const PhaseReport& phase : phases_) {
      if (phase.name == "echo_rate") echo_at_rate = &phase.result.total;
    }
    for (const PhaseReport& phase : phases_) {
      if (phase.name != "read_rate") continue;
      const PhaseResult& total = phase.result.total;
      const double p99 = Ms(total.PercentileNs(99));
      json detail = {{"value", p99}, {"max", max_p99_ms}, {"rate_qps", total.offered_qps}, {"unsent", total.unsent}};
      std::string baseline;
      if (echo_at_rate != nullptr && echo_at_rate->ok > 0) {
        const double echo_p99 = Ms(echo_at_rate->PercentileNs(99));
        detail["echo_rate_p99_ms"] = echo_p99;
        baseline = absl::StrFormat("; the echo server at %.0f/s: p99 %.3f ms", echo_at_rate->offered_qps, echo_p99);
      }
      judge("read_rate_p99_ms",
            absl::StrFormat("GetAccount at %.0f/s: p99 %.3f ms (target <= %.2f ms), %lld never started%s",
                            total.offered_qps, p99, max_p99_ms, static_cast<long long>(total.unsent), baseline),
            total.ok > 0 && p99 <= max_p99_ms && total.unsent == 0, detail);
    }
    JudgeSoak(judge);
  }

  // RSS drift over the soak: the last sample against the first one past the settling time.
  void JudgeSoak(const std::function<void(const std::string&, const std::string&, bool, json)>& judge) {
    if (soak_rss_.empty()) return;
    const double settle = absl::GetFlag(FLAGS_soak_settle_seconds);
    const RssSample* settled = &soak_rss_.front();
    for (const RssSample& sample : soak_rss_) {
      if (sample.seconds >= settle) {
        settled = &sample;
        break;
      }
    }
    const RssSample& last = soak_rss_.back();
    const double drift = settled->rss_kib > 0 ? static_cast<double>(last.rss_kib - settled->rss_kib) /
                                                    static_cast<double>(settled->rss_kib)
                                              : 0;
    const double max_drift = absl::GetFlag(FLAGS_max_rss_drift);
    json samples = json::array();
    for (const RssSample& sample : soak_rss_) samples.push_back({{"s", sample.seconds}, {"rss_kib", sample.rss_kib}});
    judge("soak_rss_drift",
          absl::StrFormat("soak RSS %.1f MiB at %.0f s -> %.1f MiB at %.0f s: %+.1f %% (target <= %+.1f %%)",
                          settled->rss_kib / 1024.0, settled->seconds, last.rss_kib / 1024.0, last.seconds,
                          100 * drift, 100 * max_drift),
          drift <= max_drift, {{"value", drift}, {"max", max_drift}, {"samples", samples}});
  }

  std::string ServerLabel(const std::string& binary, const std::string& running) const {
    return running.empty() ? binary : absl::StrCat(running, " (running)");
  }

  void PrintReport() const {
    const std::string target = absl::GetFlag(FLAGS_target), db_url = absl::GetFlag(FLAGS_db);
    std::printf("crm_load: asynchronous load (gRPC callback client) on crm-server and a bare echo server\n");
    if (config_.RunsCrmServer()) {
      std::printf("  server        %s\n", ServerLabel(absl::GetFlag(FLAGS_server), target).c_str());
      std::printf("  database      %s\n", !target.empty()  ? "(the running server's)"
                                          : db_url.empty() ? "sqlite (fresh data directory)"
                                                           : DisplayUrl(db_url).c_str());
    }
    if (config_.RunsEchoServer()) {
      const std::string measured =
          account_response_bytes_ > 0 ? absl::StrCat(" (GetAccount's answered ", account_response_bytes_, ")") : "";
      std::printf("  echo server   %s; request %zu bytes, reply %zu bytes%s\n",
                  ServerLabel(absl::GetFlag(FLAGS_echo_server), absl::GetFlag(FLAGS_echo_target)).c_str(),
                  echo_request_bytes_, echo_reply_bytes_, measured.c_str());
    }
    std::printf("  machine       %u CPUs, %s; load average %s at start, %s at end\n", std::thread::hardware_concurrency(),
                CpuPlacement().c_str(), load_average_start_.c_str(), load_average_end_.c_str());
    std::printf("  build         %s\n\n", CRM_BUILD_TYPE);
    if (!seed_steps_.empty()) {
      std::printf("Seed: %zu accounts, %zu opportunities, %zu tickets\n", seeded_[0], seeded_[1], seeded_[2]);
      PrintHeader();
      for (const PhaseResult& step : seed_steps_) PrintRow(step.name, step, true);
      std::printf("\n");
    }
    for (const PhaseReport& phase : phases_) PrintPhase(phase);
    std::printf(
        "(latencies from each call's start; in fixed-rate phases from its scheduled start. errors include the "
        "warm-up; CPU columns: cores busy in the window)\n");
    std::printf("Targets%s:\n", absl::GetFlag(FLAGS_check_targets) ? "" : " (reported only: --check_targets=false)");
    for (const std::string& line : target_lines_) std::printf("  %s\n", line.c_str());
    if (target_lines_.empty()) std::printf("  (none applies to the phases run)\n");
    std::printf("%s\n\n", failure_.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");
  }

  std::string CpuPlacement() const {
    auto cpus = [](const std::vector<int>& list) {
      return list.empty() ? std::string("any CPU") : absl::StrCat("CPU ", absl::StrJoin(list, ","));
    };
    if (config_.server_cpus.empty() && config_.generator_cpus.empty()) {
      return "shared by the servers and the generator";
    }
    return absl::StrCat("servers on ", cpus(config_.server_cpus), ", generator on ", cpus(config_.generator_cpus));
  }

  json SummaryJson() const {
    const std::string target = absl::GetFlag(FLAGS_target), db_url = absl::GetFlag(FLAGS_db);
    const std::string echo_target = absl::GetFlag(FLAGS_echo_target);
    json phases = json::array();
    for (const PhaseReport& phase : phases_) phases.push_back(PhaseReportJson(phase));
    json seed_steps = json::array();
    for (const PhaseResult& step : seed_steps_) seed_steps.push_back(PhaseJson(step));
    json summary = SummaryHead("crm_load", failure_, db_url, target.empty() ? absl::GetFlag(FLAGS_server) : target,
                               load_average_start_, load_average_end_);
    if (!target.empty()) summary["db"] = "target";
    summary.update({{"targets_checked", absl::GetFlag(FLAGS_check_targets)},
                    {"targets", targets_},
                    {"echo_server", echo_target.empty() ? absl::GetFlag(FLAGS_echo_server) : echo_target},
                    {"server_cpus", config_.server_cpus},
                    {"generator_cpus", config_.generator_cpus},
                    {"peak_callers", config_.peak_callers},
                    {"callers", config_.callers},
                    {"channels", config_.channels},
                    {"warmup_s", absl::ToDoubleSeconds(config_.warmup)},
                    {"measure_s", absl::ToDoubleSeconds(config_.measure)},
                    {"echo_request_bytes", echo_request_bytes_},
                    {"echo_reply_bytes", echo_reply_bytes_},
                    {"get_account_response_bytes", account_response_bytes_},
                    {"seeded",
                     {{"accounts", seeded_[0]}, {"opportunities", seeded_[1]}, {"tickets", seeded_[2]}, {"steps", seed_steps}}},
                    {"phases", phases}});
    return summary;
  }

  const Config config_;
  Failure failure_{kProgram};
  std::unique_ptr<ScratchDir> scratch_;
  std::string load_average_start_, load_average_end_;
  size_t echo_request_bytes_ = 0, echo_reply_bytes_ = 0, account_response_bytes_ = 0;
  std::vector<PhaseResult> seed_steps_;
  std::array<size_t, 3> seeded_ = {0, 0, 0};  // accounts, opportunities, tickets
  std::vector<PhaseReport> phases_;
  double echo_qps_ = 0, read_qps_ = 0;
  struct RssSample {
    double seconds = 0;  // into the soak's measured window
    int64_t rss_kib = 0;
  };
  std::vector<RssSample> soak_rss_;
  json targets_ = json::object();
  std::vector<std::string> target_lines_;
};

int Main() {
  absl::StatusOr<Config> config = ReadFlags();
  if (!config.ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->RunsCrmServer() && absl::GetFlag(FLAGS_target).empty() && !IsExecutable(absl::GetFlag(FLAGS_server))) {
    std::fprintf(stderr, "%s: --server=%s is not an executable\n", kProgram, absl::GetFlag(FLAGS_server).c_str());
    return 2;
  }
  if (config->RunsEchoServer() && absl::GetFlag(FLAGS_echo_target).empty() &&
      !IsExecutable(absl::GetFlag(FLAGS_echo_server))) {
    std::fprintf(stderr, "%s: --echo_server=%s is not an executable\n", kProgram,
                 absl::GetFlag(FLAGS_echo_server).c_str());
    return 2;
  }
  if (absl::Status pinned = PinThisProcess(config->generator_cpus); !pinned.ok()) {
    std::fprintf(stderr, "%s: --generator_cpus: %s\n", kProgram, std::string(pinned.message()).c_str());
    return 1;
  }
  LoadRun run(*std::move(config));
  return run.Run();
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(
      argc, argv,
      "Drives crm-server and a bare gRPC echo server with an asynchronous load generator (closed loop and fixed "
      "rate): echo QPS, GetAccount QPS as a ratio to it, GetAccount p99 at a fixed rate, and a mixed workload. "
      "See bench/README.md.",
      crm::bench::Main);
}
