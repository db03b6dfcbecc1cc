// The Galera drill: crm-server on a three-node Galera cluster on loopback (scratch_galera.h),
// under write load, loses a node to SIGKILL twice.
//   (a) A node the server does not use: the survivors form a two-node cluster and the server's
//       writes go on; no call fails (writes stall until Galera has declared the node dead).
//   (b) After the first node has rejoined, the node the server writes to: the server's calls fail
//       with UNAVAILABLE until it is restarted on a survivor's URL, as an operator or a proxy
//       would point it; then every call succeeds again.
// After each kill: every acknowledged write is present (an acknowledged commit was certified by
// the whole cluster, so the survivors hold it) and the creates the kill cut off, resent with their
// request ids, made no duplicates. At the end the other survivor, which was the node killed in
// (a) and rejoined, is checked the same way through a server of its own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_report.h"
#include "tests/faults/scratch_galera.h"
#include "tests/faults/write_load.h"

namespace crm::faults {

struct GaleraDrillOptions {
  std::string server_binary;
  // The drill's own directory: the cluster goes to <dir>/galera, the server's files to <dir>/server.
  std::string dir;
  std::vector<std::string> server_flags;
  WriteLoadOptions load;
  // Appended to every node's wsrep_provider_options; empty keeps Galera's defaults (a dead node is
  // suspected after evs.suspect_timeout, 5 s).
  std::string provider_options;
  absl::Duration before = absl::Seconds(3);  // load before each kill
  // Load after the survivors formed their cluster (a), after the server's restart (b).
  absl::Duration after = absl::Seconds(5);
  // (b): how long the server keeps answering from its dead node before it is pointed elsewhere.
  absl::Duration failover_delay = absl::Seconds(1);
  // The survivors must count one node fewer within this of the kill.
  absl::Duration view_change_limit = absl::Seconds(30);
};

// One node killed under load, and what the writers saw.
struct GaleraKill {
  bool ran = false;
  int killed_node = -1;
  int server_node = -1;    // the node the server wrote to at the kill
  int failover_node = -1;  // (b): the survivor the server was restarted on
  int64_t cluster_size_before = 0;
  std::map<int, int64_t> cluster_size_after;  // by surviving node
  double view_change_ms = -1;                 // kill → a survivor counted one node fewer
  double recover_ms = -1;                     // kill → the first acknowledged write among those sent after the kill
  double longest_in_flight_ms = 0;            // the longest call in flight at the kill: how long writes stalled
  double server_restart_ms = -1;              // (b): the restarted server's start until SERVING
  int64_t calls = 0;
  int64_t failed_before_kill = 0;                // must be 0
  int64_t cut_off = 0;                           // in flight at the kill, failed: outcome unknown
  int64_t refused = 0;                           // sent after the kill, failed
  int64_t failed_after_failover = 0;             // (b): through the restarted server; must be 0
  double refused_max_ms = 0;                     // the slowest refusal
  std::map<std::string, int64_t> failure_codes;  // cut off and refused calls
  std::vector<std::string> messages;             // distinct failure messages, the first few
  WriteTally tally;                              // this kill's share of the run's writes
  VerifyResult verify;                           // after the kill, through the server
  std::string old_server_stop;                   // (b): how the server on the dead node stopped
};

struct GaleraDrillResult {
  bool ran = false;
  int nodes = 0;
  double cluster_start_ms = 0;
  double first_start_ms = 0;  // crm-server's first start: its schema made through Galera
  GaleraKill spare;           // (a)
  bool rejoined = false;
  GaleraRejoin rejoin;  // the node of (a) back before (b)
  GaleraKill serving;   // (b)
  bool survivor_checked = false;
  int survivor_node = -1;
  VerifyResult survivor_verify;  // the other survivor, through a server of its own
  WriteTally tally;
  std::string stop_result = "not stopped";
};

// Runs the drill; every broken promise is noted in `failure`.
GaleraDrillResult RunGaleraDrill(const GaleraDrillOptions& options, uint64_t seed, bench::Failure& failure);

}  // namespace crm::faults
