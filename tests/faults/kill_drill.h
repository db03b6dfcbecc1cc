// The kill -9 drill: crm-server is killed with SIGKILL at a random moment of write load, round
// after round, and restarted on the same database each time. After every restart the creates the
// kill cut off are sent again with their request ids, and the server's accounts are checked
// against everything the server had acknowledged (tests/faults/write_load.h).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_report.h"
#include "tests/faults/write_load.h"

namespace crm::faults {

struct KillDrillOptions {
  std::string server_binary;
  // Empty: SQLite in data_dir.
  std::string db_url;
  // The server's data directory, the same for every start.
  std::string data_dir;
  std::vector<std::string> server_flags;
  int rounds = 20;
  // Each round kills the server this long after its writers started, uniformly at random.
  absl::Duration min_load = absl::Milliseconds(200);
  absl::Duration max_load = absl::Milliseconds(1500);
  WriteLoadOptions load;
};

struct KillDrillResult {
  int rounds = 0;
  WriteTally tally;
  // Failed calls by when they started: before the kill (cut off in flight) or after it (refused
  // by the dead server). Both have unknown outcomes as far as the writers can tell.
  int64_t cut_off_creates = 0;
  int64_t cut_off_updates = 0;
  int64_t refused_after_kill = 0;
  int64_t failed_before_kill = 0;  // must be 0: the server was up
  double first_start_ms = 0;
  std::vector<double> restart_ms;  // fork until SERVING, one per round
  std::vector<double> kill_after_ms;
  VerifyResult verify;  // summed over the rounds' verifications
  std::string stop_result = "not stopped";
};

// Runs the drill; every broken promise is noted in `failure`.
KillDrillResult RunKillDrill(const KillDrillOptions& options, uint64_t seed, bench::Failure& failure);

}  // namespace crm::faults
