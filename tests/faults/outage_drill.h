// The MariaDB outage drill: crm-server on a throw-away MariaDB under write load; MariaDB is
// stopped (clean shutdown), kept down, and started again on the same data directory. A prober
// asks the gRPC health check all along. Promises checked: the server process stays up; calls
// during the outage fail fast with UNAVAILABLE; health says NOT_SERVING during the outage and
// SERVING again, with calls succeeding, within the recovery limit of MariaDB accepting
// connections again; nothing acknowledged is lost and resent creates make no duplicates.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_report.h"
#include "tests/faults/write_load.h"

namespace crm::faults {

struct OutageDrillOptions {
  std::string server_binary;
  // The drill's own directory: MariaDB's files go to <dir>/mariadb, the server's to <dir>/server.
  std::string dir;
  std::vector<std::string> server_flags;
  WriteLoadOptions load;
  absl::Duration before = absl::Seconds(3);  // load with MariaDB up, before the stop
  absl::Duration outage = absl::Seconds(10);
  absl::Duration after = absl::Seconds(5);  // load after MariaDB accepts connections again
  // Health SERVING and calls succeeding, counted from MariaDB accepting connections again.
  absl::Duration recovery_limit = absl::Seconds(2);
  // The longest a call may take to fail while MariaDB is down.
  absl::Duration fail_fast_limit = absl::Seconds(1);
  // The longest health may take to say NOT_SERVING once MariaDB is gone.
  absl::Duration notice_limit = absl::Seconds(2);
  absl::Duration probe_period = absl::Milliseconds(20);
  // The writers pause from a second before the stop until the recovery limit after the restart:
  // the pool's connections sit idle through the outage, and the first calls after it must still
  // succeed. (Busy, the default: the writers call all through the outage.)
  bool idle_outage = false;
};

// Calls of one phase of the drill: how many, their status codes, how long the failed ones took.
struct PhaseCalls {
  int64_t calls = 0;
  std::map<std::string, int64_t> codes;
  std::vector<double> failed_ms;       // sorted
  std::vector<std::string> messages;   // distinct failure messages, the first few
};

struct OutageDrillResult {
  bool ran = false;
  double mariadb_stop_ms = 0;   // SIGTERM until mariadbd exited
  double outage_ms = 0;         // exited until started again
  double mariadb_start_ms = 0;  // started until it accepted connections
  PhaseCalls before, stopping, outage, recovering, recovered;
  // From MariaDB accepting connections again (may be negative for health noticed early).
  double first_ok_call_ms = -1;
  // The end of the last failed call among those that ended after MariaDB was started again
  // (negative: before it accepted connections).
  std::optional<double> last_failed_call_ms;
  double health_serving_ms = -1;
  // From mariadbd's exit to the first NOT_SERVING answer (negative: noticed while it shut down).
  double health_not_serving_ms = -1;
  int64_t probes = 0;
  std::map<std::string, int64_t> health_during_outage;  // answers between the notice and the restart
  bool server_stayed_up = false;
  WriteTally tally;
  VerifyResult verify;
  std::string stop_result = "not stopped";
};

// Runs the drill; every broken promise is noted in `failure`.
OutageDrillResult RunOutageDrill(const OutageDrillOptions& options, uint64_t seed, bench::Failure& failure);

}  // namespace crm::faults
