#include "tests/faults/kill_drill.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"

namespace crm::faults {
namespace {

// Keeps the log of the server that was just killed: the next start truncates server.log.
void KeepServerLog(const std::string& data_dir, int round) {
  std::error_code ignored;
  std::filesystem::rename(absl::StrCat(data_dir, "/server.log"), absl::StrCat(data_dir, "/server-", round, ".log"),
                          ignored);
}

}  // namespace

KillDrillResult RunKillDrill(const KillDrillOptions& options, uint64_t seed, bench::Failure& failure) {
  KillDrillResult result;
  bench::ServerOptions server_options;
  server_options.binary = options.server_binary;
  server_options.db_url = options.db_url;
  server_options.data_dir = options.data_dir;
  server_options.extra_flags = options.server_flags;

  absl::StatusOr<std::unique_ptr<bench::ServerProcess>> started = bench::ServerProcess::Start(server_options);
  if (!started.ok()) {
    failure.Note(absl::StrCat("first start: ", started.status().message()));
    return result;
  }
  std::unique_ptr<bench::ServerProcess> server = *std::move(started);
  result.first_start_ms = absl::ToDoubleMilliseconds(server->start_to_serving());

  WriteLoadOptions load_options = options.load;
  load_options.stop_at_failure = true;
  load_options.seed = seed;
  WriteLoad load(load_options);
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> load_us(absl::ToInt64Microseconds(options.min_load),
                                                 absl::ToInt64Microseconds(options.max_load));

  for (int round = 1; round <= options.rounds; ++round) {
    const WriteTally before = load.Tally();
    const absl::Time load_start = absl::Now();
    load.Start(server->address(), server->token());
    absl::SleepFor(absl::Microseconds(load_us(random)));
    const absl::Time kill_time = absl::Now();
    kill(server->pid(), SIGKILL);
    load.Stop();
    server.reset();  // reaps the killed process
    KeepServerLog(options.data_dir, round);
    result.kill_after_ms.push_back(absl::ToDoubleMilliseconds(kill_time - load_start));

    int64_t cut_off = 0, refused = 0, failed_before = 0;
    for (const CallRecord& call : load.TakeCalls()) {
      if (call.ok()) continue;
      if (call.end < kill_time) {
        ++failed_before;
        if (failed_before <= 3) {
          failure.Note(absl::StrCat("round ", round, ": a call failed before the kill: ",
                                    bench::StatusCodeName(call.code), ": ", call.message));
        }
      } else if (call.start < kill_time) {
        ++cut_off;
        ++(call.kind == CallRecord::Kind::kUpdate ? result.cut_off_updates : result.cut_off_creates);
      } else {
        ++refused;
      }
    }
    result.refused_after_kill += refused;
    result.failed_before_kill += failed_before;

    started = bench::ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(absl::StrCat("round ", round, ": restart after the kill: ", started.status().message()));
      return result;
    }
    server = *std::move(started);
    result.restart_ms.push_back(absl::ToDoubleMilliseconds(server->start_to_serving()));

    if (absl::Status resolved = load.ResolveUnknownCreates(server->address(), server->token()); !resolved.ok()) {
      failure.Note(absl::StrCat("round ", round, ": ", resolved.message()));
    }
    absl::StatusOr<VerifyResult> verified = load.Verify(server->address(), server->token());
    if (!verified.ok()) {
      failure.Note(absl::StrCat("round ", round, ": verification: ", verified.status().message()));
      return result;
    }
    result.verify.Add(*verified);
    if (!verified->ok()) {
      failure.Note(absl::StrCat("round ", round, ": ", verified->lost_creates, " lost creates, ",
                                verified->lost_updates, " lost updates, ", verified->wrong_content,
                                " with wrong content, ", verified->duplicates, " duplicates, ", verified->unresolved,
                                " unresolved creates: ", absl::StrJoin(verified->samples, " | ")));
    }
    result.rounds = round;

    WriteTally round_tally = load.Tally();
    std::fprintf(stderr,
                 "kill drill: round %2d: killed %4.0f ms into the load; acknowledged %lld creates + %lld updates; "
                 "%lld cut off, %lld refused; restart to SERVING %.0f ms; %lld accounts, %s\n",
                 round, result.kill_after_ms.back(),
                 static_cast<long long>(round_tally.creates_acked - before.creates_acked),
                 static_cast<long long>(round_tally.updates_acked - before.updates_acked),
                 static_cast<long long>(cut_off), static_cast<long long>(refused), result.restart_ms.back(),
                 static_cast<long long>(verified->accounts_listed), verified->ok() ? "all present" : "PROBLEMS");
  }
  result.tally = load.Tally();
  if (result.tally.bad_responses > 0) {
    failure.Note(absl::StrCat(result.tally.bad_responses, " acknowledged calls answered the wrong content: ",
                              absl::StrJoin(result.tally.bad_response_samples, " | ")));
  }

  // The last restart must also end cleanly.
  absl::StatusOr<absl::Duration> stopped = server->Stop();
  if (stopped.ok()) {
    result.stop_result = absl::StrCat("exit 0 after ", absl::FormatDuration(absl::Trunc(*stopped, absl::Milliseconds(1))));
  } else {
    result.stop_result = std::string(stopped.status().message());
    failure.Note(absl::StrCat("stop after the last round: ", stopped.status().message()));
  }
  return result;
}

}  // namespace crm::faults
