// group_commit_bench: durable write throughput of crm-server on SQLite with group commit
// (--sqlite_group_commit, the default) against one commit per write, in the same run.
//
// For each mode it starts crm-server on a fresh SQLite file (synchronous=FULL: a commit is on
// disk before it is acknowledged) and runs --callers concurrent CreateAccount callers, closed
// loop. Every --poison_every-th call of each caller reuses one request id with a different body,
// which the server refuses inside the write transaction: with group commit that call fails
// alone while the writes grouped with it commit. After each phase every acknowledged account is
// looked up in a full ListAccounts scan.
//
// Prints a table and, as its last line, a one-line JSON summary. Exits 1 when a call other than
// the poisoned ones failed, an acknowledged write is missing, or grouped writes reach less than
// --min_speedup times the QPS of one commit per write. See bench/README.md.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/bench_auth.h"
#include "bench/bench_report.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "crm/v1/account.grpc.pb.h"
#include "nlohmann/json.hpp"

#ifndef CRM_SERVER_PATH
#define CRM_SERVER_PATH "crm-server"
#endif

ABSL_FLAG(std::string, server, CRM_SERVER_PATH, "The crm-server binary to start.");
ABSL_FLAG(int, callers, 32, "Concurrent CreateAccount callers (one thread each), closed loop.");
ABSL_FLAG(double, seconds, 10, "Measured seconds per mode.");
ABSL_FLAG(double, warmup_seconds, 2, "Warm-up seconds before each measurement (not counted).");
ABSL_FLAG(int, poison_every, 20,
          "Every N-th call of each caller reuses a request id with a different body and must fail "
          "alone (0: none).");
ABSL_FLAG(std::string, server_flags, "", "Extra crm-server flags for both modes, space-separated.");
ABSL_FLAG(double, min_speedup, 3.0, "Fail when grouped QPS / one-commit-per-write QPS is below this (0: report only).");
ABSL_FLAG(std::string, tmp_dir, "", "Where to make the temporary data directories. Empty: $TMPDIR or /tmp.");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON summary to this file.");

namespace crm::bench {
namespace {

using nlohmann::json;

constexpr char kPoisonRequestId[] = "group-commit-bench-poison";

struct ModeResult {
  std::string mode;
  PhaseResult phase;
  int64_t acknowledged = 0;
  int64_t poisoned = 0;          // calls that reused the request id
  int64_t poisoned_refused = 0;  // ... and were refused, as they must be
  int64_t missing = 0;           // acknowledged but not found afterwards
};

crm::v1::CreateAccountRequest CreateRequest(const std::string& request_id, const std::string& name) {
  crm::v1::CreateAccountRequest request;
  request.set_request_id(request_id);
  crm::v1::Account* account = request.mutable_account();
  account->set_name(name);
  account->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
  account->set_industry("Software");
  account->set_region("EMEA");
  return request;
}

// Every account id on the server, through ListAccounts pages.
absl::StatusOr<std::set<std::string>> ListAllAccountIds(crm::v1::AccountService::Stub& stub, const std::string& token) {
  std::set<std::string> ids;
  crm::v1::ListAccountsRequest request;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    PrepareCall(context, token, absl::Seconds(30));
    crm::v1::ListAccountsResponse response;
    const grpc::Status status = stub.ListAccounts(&context, request, &response);
    if (!status.ok()) return absl::UnavailableError(absl::StrCat("ListAccounts: ", status.error_message()));
    for (const crm::v1::Account& account : response.accounts()) ids.insert(account.id());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return ids;
}

ModeResult RunMode(bool grouped, const std::string& root, Failure& failure) {
  ModeResult result;
  result.mode = grouped ? "group commit" : "commit per write";
  ServerOptions options;
  options.binary = absl::GetFlag(FLAGS_server);
  options.data_dir = absl::StrCat(root, grouped ? "/grouped" : "/alone");
  options.extra_flags = absl::StrSplit(absl::GetFlag(FLAGS_server_flags), ' ', absl::SkipWhitespace());
  options.extra_flags.push_back(absl::StrCat("--sqlite_group_commit=", grouped ? "true" : "false"));
  std::filesystem::create_directories(options.data_dir);
  absl::StatusOr<std::unique_ptr<ServerProcess>> started = ServerProcess::Start(options);
  if (!started.ok()) {
    failure.Note(absl::StrCat(result.mode, ": server did not start: ", started.status().message()));
    return result;
  }
  ServerProcess& server = **started;
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      ConnectChannels(server.address(), 1, absl::Seconds(10));
  if (!channels.ok()) {
    failure.Note(std::string(channels.status().message()));
    return result;
  }
  std::unique_ptr<crm::v1::AccountService::Stub> stub = crm::v1::AccountService::NewStub(channels->front());

  // The request id the poisoned calls reuse, first used by a create of its own.
  {
    grpc::ClientContext context;
    PrepareCall(context, server.token(), absl::Seconds(10));
    crm::v1::Account first;
    const grpc::Status status =
        stub->CreateAccount(&context, CreateRequest(kPoisonRequestId, "Poison original"), &first);
    if (!status.ok()) {
      failure.Note(absl::StrCat(result.mode, ": first create failed: ", status.error_message()));
      return result;
    }
  }

  LoadOptions load;
  load.callers = absl::GetFlag(FLAGS_callers);
  load.warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds));
  load.measure = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  load.server_pid = server.pid();
  const int poison_every = absl::GetFlag(FLAGS_poison_every);
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int64_t> poisoned{0}, poisoned_refused{0};
  result.phase = RunClosedLoop(result.mode, load, [&](int caller, int64_t seq) {
    const bool poison = poison_every > 0 && seq % poison_every == poison_every - 1;
    const std::string key = absl::StrCat(caller, "-", seq);
    const crm::v1::CreateAccountRequest request =
        CreateRequest(poison ? kPoisonRequestId : absl::StrCat("gcb-", key), absl::StrCat("Durable ", key));
    grpc::ClientContext context;
    PrepareCall(context, server.token(), absl::Seconds(30));
    crm::v1::Account response;
    const grpc::Status status = stub->CreateAccount(&context, request, &response);
    if (poison) {
      ++poisoned;
      if (status.ok()) return CallOutcome::BadResponse("a reused request id with a different body was accepted");
      ++poisoned_refused;
      return CallOutcome::Ok();
    }
    if (!status.ok()) return CallOutcome::FromStatus(status);
    std::lock_guard<std::mutex> lock(mu);
    acknowledged.push_back(response.id());
    return CallOutcome::Ok();
  });
  result.poisoned = poisoned;
  result.poisoned_refused = poisoned_refused;
  result.acknowledged = static_cast<int64_t>(acknowledged.size());

  absl::StatusOr<std::set<std::string>> stored = ListAllAccountIds(*stub, server.token());
  if (!stored.ok()) {
    failure.Note(absl::StrCat(result.mode, ": ", stored.status().message()));
  } else {
    for (const std::string& id : acknowledged) result.missing += stored->count(id) == 0 ? 1 : 0;
  }
  if (result.phase.failures() > 0) {
    failure.Note(absl::StrCat(result.mode, ": ", result.phase.failures(), " calls failed, e.g. ",
                              absl::StrJoin(result.phase.error_samples, " | ")));
  }
  if (result.missing > 0) failure.Note(absl::StrCat(result.mode, ": ", result.missing, " acknowledged creates missing"));
  if (absl::StatusOr<absl::Duration> stopped = server.Stop(); !stopped.ok()) {
    failure.Note(absl::StrCat(result.mode, ": stop: ", stopped.status().message()));
  }
  return result;
}

int Main() {
  Failure failure("group_commit_bench");
  if (absl::GetFlag(FLAGS_callers) < 1 || absl::GetFlag(FLAGS_seconds) <= 0 || absl::GetFlag(FLAGS_poison_every) < 0) {
    std::fprintf(stderr, "group_commit_bench: --callers must be at least 1, --seconds positive, --poison_every >= 0\n");
    return 2;
  }
  if (access(absl::GetFlag(FLAGS_server).c_str(), X_OK) != 0) {
    std::fprintf(stderr, "group_commit_bench: --server=%s is not an executable\n", absl::GetFlag(FLAGS_server).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch =
      ScratchDir::Make(absl::GetFlag(FLAGS_tmp_dir), "crm-group-commit-bench", /*keep=*/false);
  if (!scratch.ok()) {
    std::fprintf(stderr, "group_commit_bench: %s\n", std::string(scratch.status().message()).c_str());
    return 2;
  }
  const std::string& root = (*scratch)->path();
  const std::string load_average_start = LoadAverage();
  std::vector<ModeResult> modes;
  modes.push_back(RunMode(false, root, failure));
  modes.push_back(RunMode(true, root, failure));
  const double alone_qps = modes[0].phase.Qps(), grouped_qps = modes[1].phase.Qps();
  const double speedup = alone_qps > 0 ? grouped_qps / alone_qps : 0;
  const double min_speedup = absl::GetFlag(FLAGS_min_speedup);
  if (min_speedup > 0 && speedup < min_speedup) {
    failure.Note(absl::StrFormat("group commit reached %.2fx the QPS of one commit per write; the target is %.2fx",
                                 speedup, min_speedup));
  }

  std::printf("crm-server durable writes on SQLite (synchronous=FULL): group commit against one commit per write\n");
  std::printf("  %d CreateAccount callers, closed loop, %.0f s warm-up + %.0f s measured; every %d-th call reuses a "
              "request id and must fail alone\n",
              absl::GetFlag(FLAGS_callers), absl::GetFlag(FLAGS_warmup_seconds), absl::GetFlag(FLAGS_seconds),
              absl::GetFlag(FLAGS_poison_every));
  const std::string load_average_end = LoadAverage();
  std::printf("  machine: %u CPUs shared by server and load generator; load average %s at start, %s at end\n\n",
              std::thread::hardware_concurrency(), load_average_start.c_str(), load_average_end.c_str());
  std::printf("%-17s %9s %9s %8s %8s %8s %8s %9s %9s %8s\n", "mode", "acked", "QPS", "p50 ms", "p99 ms", "p99.9 ms",
              "errors", "poisoned", "refused", "missing");
  for (const ModeResult& m : modes) {
    const PhaseResult& p = m.phase;
    std::printf("%-17s %9lld %9.1f %8.3f %8.3f %8.3f %8lld %9lld %9lld %8lld\n", m.mode.c_str(),
                static_cast<long long>(m.acknowledged), p.Qps(), Ms(p.PercentileNs(50)), Ms(p.PercentileNs(99)),
                Ms(p.PercentileNs(99.9)), static_cast<long long>(p.failures()), static_cast<long long>(m.poisoned),
                static_cast<long long>(m.poisoned_refused), static_cast<long long>(m.missing));
  }
  std::printf("\ngroup commit / one commit per write: %.2fx (target %.2fx)\n", speedup, min_speedup);
  std::printf("%s\n\n", failure.any ? "RESULT: FAILED (see messages on stderr)" : "RESULT: ok");

  json modes_json = json::array();
  for (const ModeResult& m : modes) {
    json phase = PhaseJson(m.phase);
    phase["mode"] = m.mode;
    phase["acknowledged"] = m.acknowledged;
    phase["poisoned"] = m.poisoned;
    phase["poisoned_refused"] = m.poisoned_refused;
    phase["missing"] = m.missing;
    modes_json.push_back(phase);
  }
  json summary = SummaryHead("group_commit", failure, /*db_url=*/"", absl::GetFlag(FLAGS_server), load_average_start,
                             load_average_end);
  summary.update({{"callers", absl::GetFlag(FLAGS_callers)},
                  {"speedup", speedup},
                  {"min_speedup", min_speedup},
                  {"modes", modes_json}});
  EmitSummary(summary, absl::GetFlag(FLAGS_json_out));
  return failure.any ? 1 : 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  return crm::bench::RunBenchmark(argc, argv,
                                  "Durable CreateAccount throughput on SQLite with group commit against one commit "
                                  "per write, in one run. See bench/README.md.",
                                  crm::bench::Main);
}
