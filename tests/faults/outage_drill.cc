#include "tests/faults/outage_drill.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/faults/scratch_mariadb.h"

namespace crm::faults {
namespace {

constexpr size_t kMaxMessages = 4;
constexpr char kHealthService[] = "crm.v1.AccountService";
constexpr char kServing[] = "SERVING";
constexpr char kNotServing[] = "NOT_SERVING";

double MsBetween(absl::Time from, absl::Time to) { return absl::ToDoubleMilliseconds(to - from); }

// False once the process is gone or a zombie (exited, not yet reaped by its parent).
bool ProcessAlive(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  const char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

// Asks the health check every `period` from its own thread and keeps every answer.
class HealthProber {
 public:
  struct Answer {
    absl::Time at;        // when the answer arrived
    std::string status;   // SERVING, NOT_SERVING, ... or the RPC's error code
  };

  HealthProber(const std::string& address, absl::Duration period) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stub_ = grpc::health::v1::Health::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    thread_ = std::thread([this, period] {
      while (!stopping_.load()) {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
        grpc::health::v1::HealthCheckRequest request;
        request.set_service(kHealthService);
        grpc::health::v1::HealthCheckResponse response;
        const grpc::Status status = stub_->Check(&context, request, &response);
        answers_.push_back(
            {absl::Now(), status.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
                                      : bench::StatusCodeName(status.error_code())});
        absl::SleepFor(period);
      }
    });
  }
  ~HealthProber() { Stop(); }

  void Stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Valid after Stop().
  const std::vector<Answer>& answers() const { return answers_; }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::atomic<bool> stopping_{false};
  std::vector<Answer> answers_;
  std::thread thread_;
};

void Count(PhaseCalls& phase, const CallRecord& call) {
  ++phase.calls;
  ++phase.codes[bench::StatusCodeName(call.code)];
  if (call.ok()) return;
  phase.failed_ms.push_back(absl::ToDoubleMilliseconds(call.latency()));
  if (phase.messages.size() < kMaxMessages &&
      std::find(phase.messages.begin(), phase.messages.end(), call.message) == phase.messages.end()) {
    phase.messages.push_back(call.message);
  }
}

std::string Codes(const std::map<std::string, int64_t>& codes) {
  return absl::StrJoin(codes, ", ", [](std::string* out, const auto& code) {
    absl::StrAppend(out, code.first, " ", code.second);
  });
}

}  // namespace

OutageDrillResult RunOutageDrill(const OutageDrillOptions& options, uint64_t seed, bench::Failure& failure) {
  OutageDrillResult result;
  const std::string mariadb_dir = absl::StrCat(options.dir, "/mariadb");
  const std::string server_dir = absl::StrCat(options.dir, "/server");
  std::filesystem::create_directories(mariadb_dir);
  std::filesystem::create_directories(server_dir);

  absl::StatusOr<std::unique_ptr<ScratchMariadb>> created = ScratchMariadb::Create(mariadb_dir);
  if (!created.ok()) {
    failure.Note(absl::StrCat("starting a throw-away MariaDB: ", created.status().message()));
    return result;
  }
  std::unique_ptr<ScratchMariadb> mariadb = *std::move(created);
  std::fprintf(stderr, "outage drill: MariaDB on 127.0.0.1:%d (pid %d, files in %s)\n", mariadb->port(),
               static_cast<int>(mariadb->pid()), mariadb_dir.c_str());

  bench::ServerOptions server_options;
  server_options.binary = options.server_binary;
  server_options.db_url = absl::StrCat(mariadb->base_url(), "crm_outage");
  server_options.data_dir = server_dir;
  server_options.extra_flags = options.server_flags;
  absl::StatusOr<std::unique_ptr<bench::ServerProcess>> started = bench::ServerProcess::Start(server_options);
  if (!started.ok()) {
    failure.Note(absl::StrCat("starting crm-server: ", started.status().message()));
    return result;
  }
  std::unique_ptr<bench::ServerProcess> server = *std::move(started);
  result.ran = true;

  WriteLoadOptions load_options = options.load;
  load_options.stop_at_failure = false;
  load_options.seed = seed;
  WriteLoad load(load_options);
  load.Start(server->address(), server->token());
  HealthProber prober(server->address(), options.probe_period);
  absl::SleepFor(options.before);
  if (options.idle_outage) {
    load.Stop();
    absl::SleepFor(absl::Seconds(1));
  }

  std::fprintf(stderr, "outage drill: stopping MariaDB\n");
  const absl::Time stop_sent = absl::Now();
  if (absl::Status stopped = mariadb->Stop(); !stopped.ok()) {
    failure.Note(absl::StrCat("stopping MariaDB: ", stopped.message()));
    return result;
  }
  const absl::Time stopped = absl::Now();
  absl::SleepFor(stopped + options.outage - absl::Now());
  const bool up_during_outage = ProcessAlive(server->pid());

  std::fprintf(stderr, "outage drill: starting MariaDB again\n");
  const absl::Time start_sent = absl::Now();
  if (absl::Status restarted = mariadb->Start(); !restarted.ok()) {
    failure.Note(absl::StrCat("starting MariaDB again: ", restarted.message()));
    return result;
  }
  const absl::Time back = mariadb->accepting_since();
  if (options.idle_outage) {
    absl::SleepFor(back + options.recovery_limit - absl::Now());
    load.Start(server->address(), server->token());
  }
  absl::SleepFor(back + options.after - absl::Now());
  load.Stop();
  prober.Stop();
  result.server_stayed_up = up_during_outage && ProcessAlive(server->pid());
  if (!result.server_stayed_up) {
    failure.Note(absl::StrCat("crm-server did not stay up through the outage; its log:\n", server->LogTail()));
    return result;
  }
  result.mariadb_stop_ms = MsBetween(stop_sent, stopped);
  result.outage_ms = MsBetween(stopped, start_sent);
  result.mariadb_start_ms = MsBetween(start_sent, back);
  const absl::Time recovered = back + options.recovery_limit;

  // Calls, by when they started and ended.
  for (const CallRecord& call : load.TakeCalls()) {
    if (call.end >= start_sent) {
      const double ms = MsBetween(back, call.end);
      if (call.ok() && (result.first_ok_call_ms < 0 || ms < result.first_ok_call_ms)) result.first_ok_call_ms = ms;
      if (!call.ok()) result.last_failed_call_ms = std::max(result.last_failed_call_ms.value_or(ms), ms);
    }
    if (call.end < stop_sent) {
      Count(result.before, call);
    } else if (call.start < stopped) {
      Count(result.stopping, call);
    } else if (call.end < start_sent) {
      Count(result.outage, call);
    } else if (call.start < recovered) {
      Count(result.recovering, call);
    } else {
      Count(result.recovered, call);
    }
  }
  for (PhaseCalls* phase : {&result.before, &result.stopping, &result.outage, &result.recovering, &result.recovered}) {
    std::sort(phase->failed_ms.begin(), phase->failed_ms.end());
  }
  if (!result.before.failed_ms.empty()) {
    failure.Note(absl::StrCat(result.before.failed_ms.size(), " calls failed before MariaDB was stopped: ",
                              absl::StrJoin(result.before.messages, " | ")));
  }
  if (result.outage.calls == 0 && !options.idle_outage) failure.Note("no call was made during the outage");
  const int64_t outage_unavailable = result.outage.codes.count("UNAVAILABLE") ? result.outage.codes["UNAVAILABLE"] : 0;
  if (outage_unavailable != result.outage.calls) {
    failure.Note(absl::StrCat("calls during the outage must fail with UNAVAILABLE; got ", Codes(result.outage.codes),
                              ": ", absl::StrJoin(result.outage.messages, " | ")));
  }
  if (!result.outage.failed_ms.empty() &&
      result.outage.failed_ms.back() > absl::ToDoubleMilliseconds(options.fail_fast_limit)) {
    failure.Note(absl::StrCat("a call during the outage took ", result.outage.failed_ms.back(),
                              " ms to fail (limit ", absl::FormatDuration(options.fail_fast_limit), ")"));
  }
  for (const PhaseCalls* phase : {&result.stopping, &result.recovering}) {
    if (phase->codes.count("DEADLINE_EXCEEDED")) {
      failure.Note(absl::StrCat("calls hung to their deadline around the outage: ", Codes(phase->codes)));
    }
  }
  // Idle, the writers only resume at the limit: the calls after it are checked below.
  if (!options.idle_outage && (result.first_ok_call_ms < 0 ||
                               result.first_ok_call_ms > absl::ToDoubleMilliseconds(options.recovery_limit))) {
    failure.Note(absl::StrCat("the first call succeeded ", result.first_ok_call_ms,
                              " ms after MariaDB was back (limit ", absl::FormatDuration(options.recovery_limit),
                              "; -1: none)"));
  }
  if (result.recovered.calls == 0) failure.Note("no call was made after the recovery limit");
  if (!result.recovered.failed_ms.empty()) {
    failure.Note(absl::StrCat(result.recovered.failed_ms.size(), " calls failed more than ",
                              absl::FormatDuration(options.recovery_limit), " after MariaDB was back: ",
                              Codes(result.recovered.codes), ": ", absl::StrJoin(result.recovered.messages, " | ")));
  }

  // Health, by when each answer arrived.
  const std::vector<HealthProber::Answer>& answers = prober.answers();
  result.probes = static_cast<int64_t>(answers.size());
  std::optional<absl::Time> noticed, serving_again;
  int64_t not_serving_before = 0, not_serving_after = 0;
  for (const HealthProber::Answer& answer : answers) {
    if (answer.at < stop_sent) {
      if (answer.status != kServing) ++not_serving_before;
    } else if (answer.at < start_sent) {
      if (!noticed.has_value() && answer.status == kNotServing) noticed = answer.at;
      if (noticed.has_value()) ++result.health_during_outage[answer.status];
    } else {
      if (!serving_again.has_value() && answer.status == kServing) serving_again = answer.at;
      if (answer.at >= recovered && answer.status != kServing) ++not_serving_after;
    }
  }
  if (not_serving_before > 0) {
    failure.Note(absl::StrCat(not_serving_before, " health answers before the stop were not SERVING"));
  }
  if (!noticed.has_value()) {
    failure.Note("health never said NOT_SERVING during the outage");
  } else {
    result.health_not_serving_ms = MsBetween(stopped, *noticed);
    if (*noticed > stopped + options.notice_limit) {
      failure.Note(absl::StrCat("health said NOT_SERVING only ", result.health_not_serving_ms,
                                " ms after MariaDB had stopped (limit ", absl::FormatDuration(options.notice_limit),
                                ")"));
    }
    if (result.health_during_outage.size() != 1) {
      failure.Note(absl::StrCat("health during the outage, after saying NOT_SERVING, answered ",
                                Codes(result.health_during_outage)));
    }
  }
  if (!serving_again.has_value()) {
    failure.Note("health never said SERVING again after MariaDB was back");
  } else {
    result.health_serving_ms = MsBetween(back, *serving_again);
    if (*serving_again > recovered) {
      failure.Note(absl::StrCat("health said SERVING ", result.health_serving_ms, " ms after MariaDB was back (limit ",
                                absl::FormatDuration(options.recovery_limit), ")"));
    }
  }
  if (not_serving_after > 0) {
    failure.Note(absl::StrCat(not_serving_after, " health answers after the recovery limit were not SERVING"));
  }

  // Nothing acknowledged lost; resent creates made no duplicates.
  if (absl::Status resolved = load.ResolveUnknownCreates(server->address(), server->token()); !resolved.ok()) {
    failure.Note(std::string(resolved.message()));
  }
  absl::StatusOr<VerifyResult> verified = load.Verify(server->address(), server->token());
  if (!verified.ok()) {
    failure.Note(absl::StrCat("verification: ", verified.status().message()));
  } else {
    result.verify = *verified;
    if (!verified->ok()) {
      failure.Note(absl::StrCat(verified->lost_creates, " lost creates, ", verified->lost_updates, " lost updates, ",
                                verified->wrong_content, " with wrong content, ", verified->duplicates,
                                " duplicates, ", verified->unresolved,
                                " unresolved creates: ", absl::StrJoin(verified->samples, " | ")));
    }
  }
  result.tally = load.Tally();
  if (result.tally.bad_responses > 0) {
    failure.Note(absl::StrCat(result.tally.bad_responses, " acknowledged calls answered the wrong content: ",
                              absl::StrJoin(result.tally.bad_response_samples, " | ")));
  }

  absl::StatusOr<absl::Duration> server_stopped = server->Stop();
  if (server_stopped.ok()) {
    result.stop_result =
        absl::StrCat("exit 0 after ", absl::FormatDuration(absl::Trunc(*server_stopped, absl::Milliseconds(1))));
  } else {
    result.stop_result = std::string(server_stopped.status().message());
    failure.Note(absl::StrCat("crm-server's stop after the drill: ", server_stopped.status().message()));
  }
  return result;
}

}  // namespace crm::faults
