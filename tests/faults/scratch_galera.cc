#include "tests/faults/scratch_galera.h"

#include <pwd.h>
#include <signal.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/server_process.h"

namespace crm::faults {
namespace {

constexpr absl::Duration kJoinTimeout = absl::Seconds(90);
constexpr absl::Duration kStopTimeout = absl::Seconds(20);
constexpr absl::Duration kPollPeriod = absl::Milliseconds(10);

// A joiner binds its SQL, IST and SST ports only seconds after the cluster is planned, and its
// group port is written into every node's cluster address. Ports below the kernel's ephemeral
// range cannot be taken meanwhile by some process's outgoing connection, so they are picked
// there (verified free when picked); without such a range, any free port.
class PortPicker {
 public:
  PortPicker() : random_(std::random_device()()) {
    std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
    int low = 0, high = 0;
    if (range >> low >> high) ephemeral_low_ = low;
  }

  absl::StatusOr<int> Pick() {
    constexpr int kLowest = 10000;
    for (int attempt = 0; ephemeral_low_ > kLowest + 1000 && attempt < 200; ++attempt) {
      const int port = std::uniform_int_distribution<int>(kLowest, ephemeral_low_ - 1)(random_);
      if (picked_.count(port) == 0 && bench::PortFree(port)) {
        picked_.insert(port);
        return port;
      }
    }
    for (int attempt = 0; attempt < 20; ++attempt) {
      absl::StatusOr<int> port = bench::PickFreePort();
      if (!port.ok()) return port.status();
      if (picked_.insert(*port).second) return *port;
    }
    return absl::ResourceExhaustedError("no free loopback port found");
  }

 private:
  std::mt19937 random_;
  int ephemeral_low_ = 0;
  std::set<int> picked_;
};

struct NodePorts {
  int sql = 0, group = 0, ist = 0, sst = 0;
};

// Run as root, mariadbd starts the SST script as root, and the rsync daemon the script starts on
// a joiner drops to rsyncd's default user, nobody: the joiner's data directory must be nobody's,
// and every directory above it must let nobody through.
absl::Status PrepareJoinerDataDir(const std::string& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) return absl::InternalError(absl::StrCat("creating ", data_dir, ": ", error.message()));
  if (geteuid() != 0) return absl::OkStatus();
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) return absl::FailedPreconditionError("user nobody (rsync's SST user under root) is missing");
  if (chown(data_dir.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
    return absl::InternalError(absl::StrCat("chown nobody ", data_dir, ": ", std::strerror(errno)));
  }
  for (std::filesystem::path dir = std::filesystem::path(data_dir).parent_path(); dir.has_relative_path();
       dir = dir.parent_path()) {
    struct stat info {};
    if (stat(dir.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir.string(),
                       " does not let other users through (o+x): rsync's state transfer runs as "
                       "nobody and cannot reach the joiner's data directory"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> NodeArgs(int index, const std::vector<NodePorts>& ports, const std::string& provider,
                                  const std::string& provider_options) {
  std::vector<std::string> group_addresses;
  for (const NodePorts& p : ports) group_addresses.push_back(absl::StrCat("127.0.0.1:", p.group));
  // A write-set cache of 64 MiB instead of 128 (each node allocates it in full): a rejoin after a
  // drill's load still finds every write set it missed there and takes IST.
  std::string options = absl::StrCat("gmcast.listen_addr=tcp://127.0.0.1:", ports[index].group,
                                     ";ist.recv_addr=127.0.0.1:", ports[index].ist, ";gcache.size=64M");
  if (!provider_options.empty()) absl::StrAppend(&options, ";", provider_options);
  return {
      "--wsrep-on=ON",
      absl::StrCat("--wsrep-provider=", provider),
      "--wsrep-cluster-name=crm-fault-drill",
      absl::StrCat("--wsrep-cluster-address=gcomm://", absl::StrJoin(group_addresses, ",")),
      absl::StrCat("--wsrep-node-name=node", index),
      "--wsrep-node-address=127.0.0.1",
      absl::StrCat("--wsrep-provider-options=", options),
      "--wsrep-sst-method=rsync",
      absl::StrCat("--wsrep-sst-receive-address=127.0.0.1:", ports[index].sst),
      // What Galera requires of every node.
      "--binlog-format=ROW",
      "--default-storage-engine=InnoDB",
      "--innodb-autoinc-lock-mode=2",
      // Each joiner's state transfer copies the redo log: 16 MiB instead of the default 96.
      "--innodb-log-file-size=16M",
  };
}

// "Receiving IST: 5 writesets, seqnos 6-10" in a joiner's log; -1 when it did not take IST.
int64_t IstWriteSets(const std::string& log) {
  constexpr char kMarker[] = "Receiving IST: ";
  const size_t at = log.rfind(kMarker);
  if (at == std::string::npos) return -1;
  const size_t start = at + (sizeof(kMarker) - 1);
  const size_t end = log.find(' ', start);
  int64_t n = -1;
  if (end == std::string::npos || !absl::SimpleAtoi(log.substr(start, end - start), &n)) return -1;
  return n;
}

}  // namespace

std::string ScratchGalera::ProviderPath() {
  for (const char* path : {"/usr/lib/galera/libgalera_smm.so", "/usr/lib/libgalera_smm.so",
                           "/usr/lib64/galera-4/libgalera_smm.so", "/usr/lib64/galera/libgalera_smm.so"}) {
    if (access(path, R_OK) == 0) return path;
  }
  return "";
}

bool ScratchGalera::Installed() {
  return ScratchMariadb::Installed() && !ProviderPath().empty() && !FindMariadbTool("wsrep_sst_rsync").empty() &&
         !FindMariadbTool("rsync").empty();
}

absl::StatusOr<std::unique_ptr<ScratchGalera>> ScratchGalera::Create(const std::string& dir, int nodes,
                                                                     const std::string& provider_options) {
  if (!Installed()) {
    return absl::FailedPreconditionError("mariadbd, mariadb-install-db, galera-4, wsrep_sst_rsync or rsync is missing");
  }
  if (nodes < 1) return absl::InvalidArgumentError("a cluster needs a node");
  std::unique_ptr<ScratchGalera> cluster(new ScratchGalera());
  PortPicker picker;
  std::vector<NodePorts> ports(nodes);
  for (NodePorts& p : ports) {
    for (int* port : {&p.sql, &p.group, &p.ist, &p.sst}) {
      absl::StatusOr<int> picked = picker.Pick();
      if (!picked.ok()) return picked.status();
      *port = *picked;
    }
  }
  // Others (nobody, for rsync) pass through to the joiners' data directories; they list nothing.
  if (geteuid() == 0) chmod(dir.c_str(), 0711);

  const absl::Time start = absl::Now();
  for (int i = 0; i < nodes; ++i) {
    const std::string node_dir = absl::StrCat(dir, "/node", i);
    std::error_code error;
    std::filesystem::create_directories(node_dir, error);
    if (error) return absl::InternalError(absl::StrCat("creating ", node_dir, ": ", error.message()));
    if (geteuid() == 0) chmod(node_dir.c_str(), 0711);
    ScratchMariadbOptions options;
    options.extra_args = NodeArgs(i, ports, ProviderPath(), provider_options);
    options.port = ports[i].sql;
    options.parent_death_signal = SIGKILL;
    if (i == 0) {
      options.first_start_args = {"--wsrep-new-cluster"};
    } else {
      options.initialize = false;
      if (absl::Status prepared = PrepareJoinerDataDir(absl::StrCat(node_dir, "/data")); !prepared.ok()) {
        return prepared;
      }
    }
    // One at a time: joiners started together may form a group of their own first and take
    // seconds to merge, and the donor serves one state transfer at a time anyway.
    absl::StatusOr<std::unique_ptr<ScratchMariadb>> node = ScratchMariadb::Create(node_dir, options);
    if (!node.ok()) {
      return absl::Status(node.status().code(), absl::StrCat("node ", i, ": ", node.status().message()));
    }
    cluster->nodes_.push_back(*std::move(node));
    absl::Status synced = cluster->WaitForState(
        i, "Synced", [](const GaleraNodeState& s) { return s.synced_primary(); }, kJoinTimeout);
    if (!synced.ok()) return synced;
  }
  if (absl::Status complete = cluster->WaitUntilComplete(kJoinTimeout); !complete.ok()) return complete;
  cluster->start_time_ = absl::Now() - start;
  return cluster;
}

ScratchGalera::~ScratchGalera() {
  for (auto& node : nodes_) {
    if (node->running() && !node->Stop(kStopTimeout).ok()) node->Kill();
  }
}

absl::StatusOr<GaleraNodeState> ScratchGalera::State(int i) const {
  const ScratchMariadb& node = *nodes_[i];
  if (!node.running()) return absl::UnavailableError(absl::StrCat("node ", i, " is not running"));
  GaleraNodeState state;
  try {
    // As root over the node's socket: no TCP port of the ephemeral range is used per poll.
    soci::session session(soci::mysql, absl::StrCat("user=root unix_socket=", node.dir(),
                                                    "/sock connect_timeout=2 read_timeout=5 write_timeout=5"));
    std::vector<std::string> names(200), values(200);
    session << "SHOW GLOBAL STATUS LIKE 'wsrep%'", soci::into(names), soci::into(values);
    for (size_t k = 0; k < names.size(); ++k) {
      const std::string& name = names[k];
      const std::string& value = values[k];
      if (name == "wsrep_cluster_size") {
        if (!absl::SimpleAtoi(value, &state.cluster_size)) state.cluster_size = 0;
      } else if (name == "wsrep_ready") {
        state.ready = value == "ON";
      } else if (name == "wsrep_local_state_comment") {
        state.local_state = value;
      } else if (name == "wsrep_cluster_status") {
        state.cluster_status = value;
      } else if (name == "wsrep_last_committed") {
        if (!absl::SimpleAtoi(value, &state.last_committed)) state.last_committed = -1;
      }
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("node ", i, ": ", e.what()));
  }
  return state;
}

absl::Status ScratchGalera::WaitForState(int i, const std::string& what,
                                         absl::FunctionRef<bool(const GaleraNodeState&)> done,
                                         absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (true) {
    absl::StatusOr<GaleraNodeState> state = State(i);
    if (state.ok() && done(*state)) return absl::OkStatus();
    last = state.ok() ? absl::StrCat("cluster size ", state->cluster_size, ", ", state->local_state, ", ",
                                     state->cluster_status, ", ready ", state->ready ? "ON" : "OFF")
                      : std::string(state.status().message());
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("node ", i, " was not ", what, " within ",
                                                      absl::FormatDuration(timeout), " (last: ", last, "); its log:\n",
                                                      nodes_[i]->LogTail()));
    }
    absl::SleepFor(kPollPeriod);
  }
}

absl::Status ScratchGalera::WaitUntilComplete(absl::Duration timeout) const {
  int64_t running = 0;
  for (const auto& node : nodes_) running += node->running() ? 1 : 0;
  for (int i = 0; i < nodes(); ++i) {
    if (!nodes_[i]->running()) continue;
    absl::Status counted = WaitForState(
        i, absl::StrCat("Synced in a Primary cluster of ", running),
        [running](const GaleraNodeState& s) { return s.synced_primary() && s.cluster_size == running; }, timeout);
    if (!counted.ok()) return counted;
  }
  return absl::OkStatus();
}

void ScratchGalera::Kill(int i) { nodes_[i]->Kill(); }

absl::StatusOr<GaleraRejoin> ScratchGalera::Rejoin(int i, absl::Duration timeout) {
  GaleraRejoin rejoin;
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> position = nodes_[i]->RecoverWsrepPosition();
  if (!position.ok()) return position.status();
  rejoin.position = *position;
  if (absl::Status started = nodes_[i]->Start({absl::StrCat("--wsrep-start-position=", *position)}); !started.ok()) {
    return absl::Status(started.code(), absl::StrCat("restarting node ", i, ": ", started.message()));
  }
  rejoin.start = absl::Now() - start;
  if (absl::Status complete = WaitUntilComplete(timeout); !complete.ok()) return complete;
  rejoin.synced = absl::Now() - start;
  rejoin.ist_write_sets = IstWriteSets(nodes_[i]->Log());
  return rejoin;
}

}  // namespace crm::faults
