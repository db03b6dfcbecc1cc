// A throw-away Galera cluster on loopback for the fault drills: N mariadbd nodes (scratch_mariadb.h)
// with Debian's galera-4 provider, each with its own data directory and its own SQL, group
// communication, IST and SST ports. Node 0 is initialised (mariadb-install-db, user crm/crm) and
// bootstraps the cluster; the others start empty and join one at a time, each filled by an rsync
// state transfer. A node can be killed with SIGKILL and rejoined the way an operator would
// restart it. The destructor stops every node.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/faults/scratch_mariadb.h"

namespace crm::faults {

// One node's view of the cluster (SHOW GLOBAL STATUS LIKE 'wsrep%').
struct GaleraNodeState {
  int64_t cluster_size = 0;     // wsrep_cluster_size
  bool ready = false;           // wsrep_ready: the node accepts queries
  std::string local_state;      // wsrep_local_state_comment: Synced, Joining, Donor/Desynced, ...
  std::string cluster_status;   // wsrep_cluster_status: Primary or non-Primary
  int64_t last_committed = -1;  // wsrep_last_committed: the last write set applied here

  bool synced_primary() const { return ready && local_state == "Synced" && cluster_status == "Primary"; }
};

// How a killed node came back.
struct GaleraRejoin {
  std::string position;         // recovered from its files (uuid:seqno)
  int64_t ist_write_sets = -1;  // write sets it received by IST; -1: it needed a full state transfer
  absl::Duration start;         // until it accepted logins again
  absl::Duration synced;        // until it was Synced and every running node counted it
};

class ScratchGalera {
 public:
  // The provider library (galera-4), or empty when not installed.
  static std::string ProviderPath();
  // True when mariadbd, mariadb-install-db, the provider, wsrep_sst_rsync and rsync are found.
  static bool Installed();
  // Makes the nodes' directories under `dir` (which must exist and be the caller's own) and
  // starts the cluster; returns once every node is Synced in a Primary cluster of `nodes`.
  // `provider_options` are appended to wsrep_provider_options (e.g. "evs.suspect_timeout=PT2S").
  static absl::StatusOr<std::unique_ptr<ScratchGalera>> Create(const std::string& dir, int nodes,
                                                               const std::string& provider_options = "");
  // Stops every running node (SIGTERM, SIGKILL when one does not stop in time).
  ~ScratchGalera();
  ScratchGalera(const ScratchGalera&) = delete;
  ScratchGalera& operator=(const ScratchGalera&) = delete;

  int nodes() const { return static_cast<int>(nodes_.size()); }
  ScratchMariadb& node(int i) { return *nodes_[i]; }
  // mysql://crm:crm@127.0.0.1:<node i's SQL port>/ : append a database name.
  std::string base_url(int i) const { return nodes_[i]->base_url(); }
  // From the first node's start until every node was Synced.
  absl::Duration start_time() const { return start_time_; }

  absl::StatusOr<GaleraNodeState> State(int i) const;
  // Polls node i until `done` holds for its state; `what` names the wait in the error.
  absl::Status WaitForState(int i, const std::string& what, absl::FunctionRef<bool(const GaleraNodeState&)> done,
                            absl::Duration timeout) const;

  // SIGKILL of node i.
  void Kill(int i);
  // Restarts killed node i the way systemd's unit does (position recovery, then a start from
  // that position) and waits until it is Synced and every running node counts it.
  absl::StatusOr<GaleraRejoin> Rejoin(int i, absl::Duration timeout = absl::Seconds(60));

 private:
  ScratchGalera() = default;
  absl::Status WaitUntilComplete(absl::Duration timeout) const;

  std::vector<std::unique_ptr<ScratchMariadb>> nodes_;
  absl::Duration start_time_;
};

}  // namespace crm::faults
