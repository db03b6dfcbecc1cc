// accounts_bench: end-to-end figures for crm-server as a separate process, driven over gRPC.
//
//   1. start-to-SERVING: fork/exec of crm-server on a fresh data directory until the gRPC health
//      check for crm.v1.AccountService answers SERVING, repeated --starts times (min / median),
//      and the time each idle server takes to exit on SIGTERM;
//   2. resident memory (VmRSS) of the idle server after start, and again after the load;
//   3. closed-loop load of --callers concurrent callers: CreateAccount (distinct names and
//      request ids), then GetAccount on random ids among those created, per channel layout in
//      --channels; calls, errors by status code, QPS and latency percentiles per phase.
//
// Prints a table and, as its last line, a one-line JSON summary. Exits 1 when any call failed or
// the server did not start or stop cleanly. See bench/README.md.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "crm/v1/account.grpc.pb.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif
#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "unknown"
#endif

ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(std::string, db, "",
          "Database URL for the server (e.g. mysql://crm:crm@127.0.0.1:33306/crm_bench). "
          "Empty: SQLite in a fresh temporary data directory per start.");
ABSL_FLAG(int, starts, 5, "Server starts timed for start-to-SERVING; the last one serves the load.");
ABSL_FLAG(int, callers, 16, "Concurrent callers (one thread each, blocking stubs), closed loop.");
ABSL_FLAG(double, seconds, 10, "Measured seconds per load phase.");
ABSL_FLAG(double, warmup_seconds, 2, "Warm-up seconds before each phase's measurement (not counted).");
ABSL_FLAG(std::vector<std::string>, channels, std::vector<std::string>({"1", "16"}),
          "Channel layouts to load, comma-separated: 1 = every caller shares one channel (one HTTP/2 "
          "connection); N = callers spread round-robin over N channels with connections of their own.");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags, space-separated (e.g. \"--db_pool_size=16\").");
ABSL_FLAG(int, call_deadline_ms, 10000, "Deadline of every benchmark call.");
ABSL_FLAG(double, settle_seconds, 1, "Idle time after the last start before reading the idle RSS.");
ABSL_FLAG(std::string, tmp_dir, "", "Where to make the temporary data directories. Empty: $TMPDIR or /tmp.");
ABSL_FLAG(bool, keep_data, false, "Keep the temporary data directories (and server logs).");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

json SummaryJson(const std::vector<double>& values) {
  const Spread s = SpreadOf(values);
  return {{"samples", values}, {"min", s.min}, {"median", s.median}, {"max", s.max}};
}

double MiB(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

struct RunResult {
  int channels = 0;
  int64_t accounts_created = 0;
  std::vector<PhaseResult> phases;
  int64_t rss_kib_after = 0;
};

// CreateAccount then GetAccount, closed loop, over `channel_count` channels.
RunResult LoadAccounts(const ServerProcess& server, int channel_count, const std::string& tag, Failure& failure) {
  const std::string& address = server.address();
  RunResult run;
  run.channels = channel_count;
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      ConnectChannels(address, channel_count, absl::Seconds(10));
  if (!channels.ok()) {
    failure.Note(std::string(channels.status().message()));
    return run;
  }
  std::vector<std::unique_ptr<crm::v1::AccountService::Stub>> stubs;
  for (auto& channel : *channels) stubs.push_back(crm::v1::AccountService::NewStub(channel));

  LoadOptions options;
  options.callers = absl::GetFlag(FLAGS_callers);
  options.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  options.measure = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  options.server_pid = server.pid();
  const absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_call_deadline_ms));
  auto stub_of = [&](int caller) { return stubs[caller % stubs.size()].get(); };
  auto prepare = [&](grpc::ClientContext& context) { PrepareCall(context, server.token(), deadline); };

  // Phase 1: creates. Every caller keeps the ids it created (warm-up included) for phase 2.
  std::vector<std::vector<std::string>> created(options.callers);
  run.phases.push_back(RunClosedLoop("CreateAccount", options, [&](int caller, int64_t seq) {
    const std::string key = absl::StrCat(tag, "-", caller, "-", seq);
    crm::v1::CreateAccountRequest request;
    request.set_request_id(absl::StrCat("bench-", key));
    crm::v1::Account* account = request.mutable_account();
    account->set_name(absl::StrCat("Bench account ", key));
    account->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
    account->set_industry("Software");
    account->set_region("EMEA");
    account->set_size_band(crm::v1::SIZE_BAND_SMALL);
    account->set_lifecycle_stage(crm::v1::LIFECYCLE_STAGE_PROSPECT);
    grpc::ClientContext context;
    prepare(context);
    crm::v1::Account response;
    const grpc::Status status = stub_of(caller)->CreateAccount(&context, request, &response);
    if (!status.ok()) return CallOutcome::FromStatus(status);
    if (response.id().empty() || response.name() != account->name()) {
      return CallOutcome::BadResponse(absl::StrCat("create ", key, " answered id \"", response.id(), "\" name \"",
                                                   response.name(), "\""));
    }
    created[caller].push_back(response.id());
    return CallOutcome::Ok();
  }));

  std::vector<std::string> ids;
  for (auto& list : created) ids.insert(ids.end(), list.begin(), list.end());
  run.accounts_created = static_cast<int64_t>(ids.size());
  if (ids.empty()) {
    failure.Note("no account was created; skipping GetAccount");
    return run;
  }

  // Phase 2: reads of random accounts among those just created.
  std::vector<std::mt19937_64> rngs;
  for (int caller = 0; caller < options.callers; ++caller) rngs.emplace_back(0x5eed + caller);
  run.phases.push_back(RunClosedLoop("GetAccount", options, [&](int caller, int64_t) {
    std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
    crm::v1::GetAccountRequest request;
    request.set_id(ids[pick(rngs[caller])]);
    grpc::ClientContext context;
    prepare(context);
    crm::v1::Account response;
    const grpc::Status status = stub_of(caller)->GetAccount(&context, request, &response);
    if (!status.ok()) return CallOutcome::FromStatus(status);
    if (response.id() != request.id()) {
      return CallOutcome::BadResponse(absl::StrCat("get ", request.id(), " answered id \"", response.id(), "\""));
    }
    return CallOutcome::Ok();
  }));

  if (absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(server.pid()); usage.ok()) {
    run.rss_kib_after = usage->rss_kib;
  }
  for (const PhaseResult& phase : run.phases) {
    if (phase.failures() > 0) {
      failure.Note(absl::StrCat(phase.name, " over ", channel_count, " channel(s): ", phase.failures(),
                                " failed calls, e.g. ", absl::StrJoin(phase.error_samples, " | ")));
    }
  }
  return run;
}

int Main() {
  Failure failure("accounts_bench");
  const std::string server_binary = absl::GetFlag(FLAGS_server);
  const std::string db_url = absl::GetFlag(FLAGS_db);
  const int starts = absl::GetFlag(FLAGS_starts);
  const int callers = absl::GetFlag(FLAGS_callers);
  std::vector<int> channel_layouts;
  for (const std::string& text : absl::GetFlag(FLAGS_channels)) {
    int n = 0;
    if (!absl::SimpleAtoi(text, &n) || n < 1) {
      std::fprintf(stderr, "accounts_bench: --channels wants positive numbers, got \"%s\"\n", text.c_str());
      return 2;
    }
    channel_layouts.push_back(n);
  }
  if (starts < 1 || callers < 1 || absl::GetFlag(FLAGS_seconds) <= 0 || absl::GetFlag(FLAGS_warmup_seconds) < 0) {
    std::fprintf(stderr, "accounts_bench: --starts and --callers must be at least 1, --seconds positive\n");
    return 2;
  }
  if (access(server_binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "accounts_bench: --server=%s is not an executable\n", server_binary.c_str());
    return 2;
  }
  std::vector<std::string> server_flags =
      absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());

  std::string tmp_parent = absl::GetFlag(FLAGS_tmp_dir);
  if (tmp_parent.empty()) tmp_parent = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
  std::string root_template = absl::StrCat(tmp_parent, "/crm-accounts-bench-XXXXXX");
  if (mkdtemp(root_template.data()) == nullptr) {
    std::fprintf(stderr, "accounts_bench: cannot create a directory under %s\n", tmp_parent.c_str());
    return 2;
  }
  const std::string root = root_template;
  const std::string load_average_start = LoadAverage();
  const std::string tag = absl::StrCat(getpid(), "-", absl::ToUnixMillis(absl::Now()));
  std::fprintf(stderr, "accounts_bench: %s, data under %s, load average %s\n", server_binary.c_str(), root.c_str(),
               load_average_start.c_str());

  // 1. Starts: each on a fresh data directory (on MySQL the database is shared: only a first
  //    start on a missing database creates the schema). The last server stays up for the load.
  std::vector<double> start_ms, self_reported_ms, stop_ms;
  std::unique_ptr<ServerProcess> server;
  for (int i = 0; i < starts && !failure.any; ++i) {
    ServerOptions options;
    options.binary = server_binary;
    options.db_url = db_url;
    options.data_dir = absl::StrCat(root, "/start-", i);
    options.extra_flags = server_flags;
    std::filesystem::create_directories(options.data_dir);
    absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(options);
    if (!started.ok()) {
      failure.Note(absl::StrCat("start ", i + 1, " failed: ", started.status().message()));
      break;
    }
    server = *std::move(started);
    start_ms.push_back(absl::ToDoubleMilliseconds(server->start_to_serving()));
    std::fprintf(stderr, "accounts_bench: start %d SERVING after %.1f ms (pid %d, %s)\n", i + 1, start_ms.back(),
                 static_cast<int>(server->pid()), server->address().c_str());
    if (i + 1 < starts) {
      absl::StatusOr<absl::Duration> stopped = server->Stop();
      if (!stopped.ok()) {
        failure.Note(absl::StrCat("stop after start ", i + 1, ": ", stopped.status().message()));
        break;
      }
      stop_ms.push_back(absl::ToDoubleMilliseconds(*stopped));
      if (std::optional<int64_t> own = server->SelfReportedStartMs()) self_reported_ms.push_back(*own);
      server.reset();
    }
  }

  // 2. Idle memory, then 3. load per channel layout.
  ProcessUsage idle, after;
  std::vector<RunResult> runs;
  if (server != nullptr && !failure.any) {
    std::this_thread::sleep_for(std::chrono::duration<double>(absl::GetFlag(FLAGS_settle_seconds)));
    if (std::optional<int64_t> own = server->SelfReportedStartMs()) self_reported_ms.push_back(*own);
    if (absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(server->pid()); usage.ok()) idle = *usage;
    for (int layout : channel_layouts) {
      std::fprintf(stderr, "accounts_bench: load, %d callers over %d channel(s)\n", callers, layout);
      runs.push_back(LoadAccounts(*server, layout, absl::StrCat(tag, "-c", layout), failure));
    }
    if (absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(server->pid()); usage.ok()) after = *usage;
    absl::StatusOr<absl::Duration> stopped = server->Stop();
    if (stopped.ok()) {
      stop_ms.push_back(absl::ToDoubleMilliseconds(*stopped));
    } else {
      failure.Note(absl::StrCat("stop after the load: ", stopped.status().message()));
    }
    server.reset();
  }
  const std::string load_average_end = LoadAverage();

  // The report.
  const std::string db_display = db_url.empty() ? "sqlite (fresh data directory per start)" : DisplayUrl(db_url);
  std::printf("crm-server accounts benchmark\n");
  std::printf("  server        %s (benchmark built as %s)\n", server_binary.c_str(), CRM_BUILD_TYPE);
  std::printf("  database      %s\n", db_display.c_str());
  std::printf("  machine       %u CPUs shared by server and load generator; load average %s at start, %s at end\n",
              std::thread::hardware_concurrency(), load_average_start.c_str(), load_average_end.c_str());
  std::printf("  load          %d callers, closed loop, %.0f s warm-up + %.0f s measured per phase\n\n", callers,
              absl::GetFlag(FLAGS_warmup_seconds), absl::GetFlag(FLAGS_seconds));

  const Spread start = SpreadOf(start_ms), own = SpreadOf(self_reported_ms), stop = SpreadOf(stop_ms);
  std::printf("Start to SERVING (fork/exec until grpc.health.v1 Check(\"crm.v1.AccountService\") = SERVING), %zu starts\n",
              start_ms.size());
  std::printf("  min %.1f ms, median %.1f ms, max %.1f ms   [%s]\n", start.min, start.median, start.max,
              absl::StrJoin(start_ms, " ", [](std::string* out, double v) { absl::StrAppendFormat(out, "%.1f", v); })
                  .c_str());
  std::printf("  server's own \"after N ms\" (inside ServerHost::Start): min %.0f ms, median %.0f ms\n", own.min,
              own.median);
  if (!db_url.empty()) {
    std::printf("  (MySQL: only a start that finds the database missing creates it and the schema; later starts find both)\n");
  }
  std::printf("  stop on SIGTERM until exit code 0: min %.1f ms, median %.1f ms, max %.1f ms (%zu stops)\n\n",
              stop.min, stop.median, stop.max, stop_ms.size());

  std::printf("Memory (VmRSS of the server)\n");
  std::printf("  idle after start  %7.1f MiB   (%d threads)\n", MiB(idle.rss_kib), idle.threads);
  std::printf("  after the load    %7.1f MiB   (peak VmHWM %.1f MiB, %d threads)\n\n", MiB(after.rss_kib),
              MiB(after.hwm_kib), after.threads);

  std::printf("%-9s %-14s %9s %7s %9s %8s %8s %8s %8s %8s %8s %8s\n", "channels", "phase", "calls", "errors", "QPS",
              "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "srv CPU", "bench CPU");
  for (const RunResult& run : runs) {
    for (const PhaseResult& p : run.phases) {
      const double window = p.cpu_window_seconds > 0 ? p.cpu_window_seconds : 1;
      std::printf("%-9d %-14s %9lld %7lld %9.1f %8.3f %8.3f %8.3f %8.3f %8.3f %8.2f %8.2f\n", run.channels,
                  p.name.c_str(), static_cast<long long>(p.calls), static_cast<long long>(p.failures()), p.Qps(),
                  Ms(p.PercentileNs(50)), Ms(p.PercentileNs(90)), Ms(p.PercentileNs(99)), Ms(p.PercentileNs(99.9)),
                  Ms(p.latencies_ns.empty() ? 0 : p.latencies_ns.back()), p.server_cpu_seconds / window,
                  p.bench_cpu_seconds / window);
      for (const auto& [code, count] : p.errors) std::printf("%26s %lld\n", code.c_str(), static_cast<long long>(count));
    }
  }
  std::printf("(errors include the warm-up; CPU columns are cores busy during the measured window)\n");
  std::printf("%s\n\n", failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok, no call failed");

  json runs_json = json::array();
  for (const RunResult& run : runs) {
    json phases = json::array();
    for (const PhaseResult& p : run.phases) phases.push_back(PhaseJson(p));
    runs_json.push_back({{"channels", run.channels},
                         {"accounts_created", run.accounts_created},
                         {"rss_kib_after", run.rss_kib_after},
                         {"phases", phases}});
  }
  json summary = SummaryHead("accounts", failure, db_url, server_binary, load_average_start, load_average_end);
  summary.update({{"callers", callers},
                  {"warmup_s", absl::GetFlag(FLAGS_warmup_seconds)},
                  {"measure_s", absl::GetFlag(FLAGS_seconds)},
                  {"start_to_serving_ms", SummaryJson(start_ms)},
                  {"self_reported_start_ms", SummaryJson(self_reported_ms)},
                  {"stop_ms", SummaryJson(stop_ms)},
                  {"rss_kib", {{"idle", idle.rss_kib}, {"after_load", after.rss_kib}, {"peak", after.hwm_kib}}},
                  {"threads", {{"idle", idle.threads}, {"after_load", after.threads}}},
                  {"runs", runs_json}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));

  if (!absl::GetFlag(FLAGS_keep_data)) {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  } else {
    std::fprintf(stderr, "accounts_bench: kept %s\n", root.c_str());
  }
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(
      argc, argv,
      "Starts crm-server as a process and measures start-to-SERVING, idle and loaded RSS, and "
      "CreateAccount / GetAccount throughput and latency. See bench/README.md.",
      crm::bench::Main);
}
