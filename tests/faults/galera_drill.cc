#include "tests/faults/galera_drill.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/load_runner.h"
#include "bench/server_process.h"

namespace crm::faults {
namespace {

constexpr int kNodes = 3;
constexpr int kServerNode = 0;    // where crm-server writes first
constexpr int kSpareNode = 2;     // killed in (a), rejoined before (b)
constexpr int kFailoverNode = 1;  // where the server is pointed in (b)
constexpr size_t kMaxMessages = 4;
constexpr char kDatabase[] = "crm_galera";

double MsBetween(absl::Time from, absl::Time to) { return absl::ToDoubleMilliseconds(to - from); }

// Polls one node from a thread of its own until it counts `size` nodes in a Primary cluster, and
// keeps the moment it first did.
class ClusterSizeWatch {
 public:
  ClusterSizeWatch(const ScratchGalera& cluster, int node, int64_t size, absl::Duration limit) {
    thread_ = std::thread([this, &cluster, node, size, limit] {
      const absl::Time deadline = absl::Now() + limit;
      while (!stopping_.load() && absl::Now() < deadline) {
        absl::StatusOr<GaleraNodeState> state = cluster.State(node);
        if (state.ok() && state->cluster_size == size && state->cluster_status == "Primary") {
          reached_ = absl::Now();
          return;
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    });
  }
  ~ClusterSizeWatch() { Stop(); }

  // Waits for the watch to end (reached, or its limit passed).
  std::optional<absl::Time> Wait() {
    if (thread_.joinable()) thread_.join();
    return reached_;
  }
  void Stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stopping_{false};
  std::optional<absl::Time> reached_;
  std::thread thread_;
};

WriteTally Minus(const WriteTally& total, const WriteTally& before) {
  WriteTally d;
  d.creates_acked = total.creates_acked - before.creates_acked;
  d.updates_acked = total.updates_acked - before.updates_acked;
  d.creates_failed = total.creates_failed - before.creates_failed;
  d.updates_failed = total.updates_failed - before.updates_failed;
  d.create_retries = total.create_retries - before.create_retries;
  d.retries_found_committed = total.retries_found_committed - before.retries_found_committed;
  d.retries_created = total.retries_created - before.retries_created;
  d.bad_responses = total.bad_responses - before.bad_responses;
  return d;
}

void NoteMessage(GaleraKill& kill, const CallRecord& call) {
  ++kill.failure_codes[bench::StatusCodeName(call.code)];
  if (kill.messages.size() < kMaxMessages &&
      std::find(kill.messages.begin(), kill.messages.end(), call.message) == kill.messages.end()) {
    kill.messages.push_back(call.message);
  }
}

// Calls made while the server wrote to its first node, sorted around the kill.
void CountAroundKill(const std::vector<CallRecord>& calls, absl::Time kill_time, GaleraKill& kill) {
  for (const CallRecord& call : calls) {
    ++kill.calls;
    if (call.start < kill_time && call.end >= kill_time) {
      kill.longest_in_flight_ms = std::max(kill.longest_in_flight_ms, absl::ToDoubleMilliseconds(call.latency()));
    }
    if (call.ok()) {
      if (call.start >= kill_time) {
        const double ms = MsBetween(kill_time, call.end);
        if (kill.recover_ms < 0 || ms < kill.recover_ms) kill.recover_ms = ms;
      }
      continue;
    }
    if (call.end < kill_time) {
      ++kill.failed_before_kill;
    } else if (call.start < kill_time) {
      ++kill.cut_off;
    } else {
      ++kill.refused;
      kill.refused_max_ms = std::max(kill.refused_max_ms, absl::ToDoubleMilliseconds(call.latency()));
    }
    NoteMessage(kill, call);
  }
}

// The promises every kill keeps: the cluster shrank by one on every survivor, nothing
// acknowledged is missing, and the resent creates made no duplicates.
void CheckAfterKill(const char* name, GaleraKill& kill, ScratchGalera& cluster, WriteLoad& load,
                    const bench::ServerProcess& server, bench::Failure& failure) {
  if (kill.cluster_size_before != cluster.nodes()) {
    failure.Note(absl::StrCat(name, ": node ", kill.server_node, " counted ", kill.cluster_size_before,
                              " nodes before the kill instead of ", cluster.nodes()));
  }
  for (int i = 0; i < cluster.nodes(); ++i) {
    if (!cluster.node(i).running()) continue;
    absl::StatusOr<GaleraNodeState> state = cluster.State(i);
    kill.cluster_size_after[i] = state.ok() ? state->cluster_size : -1;
    if (!state.ok() || !state->synced_primary() || state->cluster_size != kill.cluster_size_before - 1) {
      failure.Note(absl::StrCat(name, ": node ", i, " after the kill: ",
                                state.ok() ? absl::StrCat("cluster size ", state->cluster_size, ", ",
                                                          state->local_state, ", ", state->cluster_status)
                                           : std::string(state.status().message()),
                                "; expected Synced in a Primary cluster of ", kill.cluster_size_before - 1));
    }
  }
  if (kill.failed_before_kill > 0) {
    failure.Note(absl::StrCat(name, ": ", kill.failed_before_kill,
                              " calls failed before the kill: ", absl::StrJoin(kill.messages, " | ")));
  }
  if (kill.recover_ms < 0) failure.Note(absl::StrCat(name, ": no write sent after the kill was acknowledged"));
  if (absl::Status resolved = load.ResolveUnknownCreates(server.address(), server.token()); !resolved.ok()) {
    failure.Note(absl::StrCat(name, ": ", resolved.message()));
  }
  absl::StatusOr<VerifyResult> verified = load.Verify(server.address(), server.token());
  if (!verified.ok()) {
    failure.Note(absl::StrCat(name, ": verification: ", verified.status().message()));
    return;
  }
  kill.verify = *verified;
  if (!verified->ok()) {
    failure.Note(absl::StrCat(name, ": ", verified->lost_creates, " lost creates, ", verified->lost_updates,
                              " lost updates, ", verified->wrong_content, " with wrong content, ", verified->duplicates,
                              " duplicates, ", verified->unresolved,
                              " unresolved creates: ", absl::StrJoin(verified->samples, " | ")));
  }
}

// Keeps the log of a server that is about to be replaced: the next start truncates server.log.
void KeepServerLog(const std::string& data_dir, const std::string& name) {
  std::error_code ignored;
  std::filesystem::rename(absl::StrCat(data_dir, "/server.log"), absl::StrCat(data_dir, "/server-", name, ".log"),
                          ignored);
}

std::string StopResult(absl::StatusOr<absl::Duration> stopped) {
  if (!stopped.ok()) return std::string(stopped.status().message());
  return absl::StrCat("exit 0 after ", absl::FormatDuration(absl::Trunc(*stopped, absl::Milliseconds(1))));
}

}  // namespace

GaleraDrillResult RunGaleraDrill(const GaleraDrillOptions& options, uint64_t seed, bench::Failure& failure) {
  GaleraDrillResult result;
  result.nodes = kNodes;
  const std::string cluster_dir = absl::StrCat(options.dir, "/galera");
  const std::string server_dir = absl::StrCat(options.dir, "/server");
  std::filesystem::create_directories(cluster_dir);
  std::filesystem::create_directories(server_dir);

  std::fprintf(stderr, "galera drill: starting a %d-node cluster in %s\n", kNodes, cluster_dir.c_str());
  absl::StatusOr<std::unique_ptr<ScratchGalera>> created =
      ScratchGalera::Create(cluster_dir, kNodes, options.provider_options);
  if (!created.ok()) {
    failure.Note(absl::StrCat("starting the Galera cluster: ", created.status().message()));
    return result;
  }
  ScratchGalera& cluster = **created;
  result.cluster_start_ms = absl::ToDoubleMilliseconds(cluster.start_time());
  std::fprintf(stderr, "galera drill: %d nodes Synced after %.0f ms (SQL ports %d, %d, %d)\n", kNodes,
               result.cluster_start_ms, cluster.node(0).port(), cluster.node(1).port(), cluster.node(2).port());

  bench::ServerOptions server_options;
  server_options.binary = options.server_binary;
  server_options.db_url = absl::StrCat(cluster.base_url(kServerNode), kDatabase);
  server_options.data_dir = server_dir;
  server_options.extra_flags = options.server_flags;
  absl::StatusOr<std::unique_ptr<bench::ServerProcess>> started = bench::ServerProcess::Start(server_options);
  if (!started.ok()) {
    failure.Note(absl::StrCat("starting crm-server on node ", kServerNode, ": ", started.status().message()));
    return result;
  }
  std::unique_ptr<bench::ServerProcess> server = *std::move(started);
  result.first_start_ms = absl::ToDoubleMilliseconds(server->start_to_serving());
  result.ran = true;
  std::fprintf(stderr, "galera drill: crm-server on node %d SERVING after %.0f ms\n", kServerNode,
               result.first_start_ms);

  WriteLoadOptions load_options = options.load;
  load_options.stop_at_failure = false;
  load_options.seed = seed;
  WriteLoad load(load_options);

  // (a) A node the server does not use.
  {
    GaleraKill& kill = result.spare;
    kill.killed_node = kSpareNode;
    kill.server_node = kServerNode;
    const WriteTally before = load.Tally();
    load.Start(server->address(), server->token());
    absl::SleepFor(options.before);
    absl::StatusOr<GaleraNodeState> state = cluster.State(kServerNode);
    kill.cluster_size_before = state.ok() ? state->cluster_size : -1;
    ClusterSizeWatch watch(cluster, kServerNode, kNodes - 1, options.view_change_limit);
    std::fprintf(stderr, "galera drill (a): kill -9 of node %d, which the server does not use\n", kSpareNode);
    const absl::Time kill_time = absl::Now();
    cluster.Kill(kSpareNode);
    const std::optional<absl::Time> view_change = watch.Wait();
    if (view_change.has_value()) {
      kill.view_change_ms = MsBetween(kill_time, *view_change);
      absl::SleepFor(options.after);
    } else {
      failure.Note(absl::StrCat("(a): node ", kServerNode, " did not count ", kNodes - 1, " nodes within ",
                                absl::FormatDuration(options.view_change_limit), " of the kill"));
    }
    load.Stop();
    CountAroundKill(load.TakeCalls(), kill_time, kill);
    kill.ran = true;
    // Writes stall until Galera declares the node dead, then go on: none may fail.
    if (kill.cut_off + kill.refused > 0) {
      failure.Note(
          absl::StrCat("(a): ", kill.cut_off + kill.refused,
                       " calls failed although the server's node stayed up: ", absl::StrJoin(kill.messages, " | ")));
    }
    CheckAfterKill("(a)", kill, cluster, load, *server, failure);
    kill.tally = Minus(load.Tally(), before);
    std::fprintf(stderr,
                 "galera drill (a): view change after %.0f ms, first write sent after the kill acknowledged after "
                 "%.0f ms, longest call %.0f ms; %lld accounts, %s\n",
                 kill.view_change_ms, kill.recover_ms, kill.longest_in_flight_ms,
                 static_cast<long long>(kill.verify.accounts_listed), kill.verify.ok() ? "all present" : "PROBLEMS");
  }

  // The killed node comes back before the next kill: two of three must survive it.
  std::fprintf(stderr, "galera drill: rejoining node %d\n", kSpareNode);
  absl::StatusOr<GaleraRejoin> rejoined = cluster.Rejoin(kSpareNode);
  if (!rejoined.ok()) {
    failure.Note(absl::StrCat("rejoining node ", kSpareNode, ": ", rejoined.status().message()));
    return result;
  }
  result.rejoined = true;
  result.rejoin = *rejoined;
  std::fprintf(stderr, "galera drill: node %d Synced after %.0f ms (%s)\n", kSpareNode,
               absl::ToDoubleMilliseconds(result.rejoin.synced),
               result.rejoin.ist_write_sets >= 0
                   ? absl::StrCat("IST of ", result.rejoin.ist_write_sets, " write sets").c_str()
                   : "full state transfer");

  // (b) The node the server writes to.
  {
    GaleraKill& kill = result.serving;
    kill.killed_node = kServerNode;
    kill.server_node = kServerNode;
    kill.failover_node = kFailoverNode;
    const WriteTally before = load.Tally();
    load.Start(server->address(), server->token());
    absl::SleepFor(options.before);
    absl::StatusOr<GaleraNodeState> state = cluster.State(kServerNode);
    kill.cluster_size_before = state.ok() ? state->cluster_size : -1;
    ClusterSizeWatch watch(cluster, kFailoverNode, kNodes - 1, options.view_change_limit);
    std::fprintf(stderr, "galera drill (b): kill -9 of node %d, the server's\n", kServerNode);
    const absl::Time kill_time = absl::Now();
    cluster.Kill(kServerNode);
    absl::SleepFor(options.failover_delay);
    load.Stop();
    CountAroundKill(load.TakeCalls(), kill_time, kill);
    kill.ran = true;
    const int64_t unavailable = kill.failure_codes.count("UNAVAILABLE") > 0 ? kill.failure_codes.at("UNAVAILABLE") : 0;
    if (kill.refused == 0) failure.Note("(b): no call was refused while the server's node was dead");
    if (unavailable != kill.cut_off + kill.refused) {
      failure.Note(absl::StrCat("(b): calls on the dead node must fail with UNAVAILABLE; got ",
                                absl::StrJoin(kill.failure_codes, ", ", absl::PairFormatter(" ")), ": ",
                                absl::StrJoin(kill.messages, " | ")));
    }

    // As an operator would: the server is restarted with a survivor's URL.
    kill.old_server_stop = StopResult(server->Stop());
    if (!absl::StartsWith(kill.old_server_stop, "exit 0")) {
      failure.Note(absl::StrCat("(b): the server on the dead node did not stop cleanly: ", kill.old_server_stop));
    }
    server.reset();
    KeepServerLog(server_dir, absl::StrCat("node", kServerNode));
    server_options.db_url = absl::StrCat(cluster.base_url(kFailoverNode), kDatabase);
    started = bench::ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(
          absl::StrCat("(b): restarting crm-server on node ", kFailoverNode, ": ", started.status().message()));
      return result;
    }
    server = *std::move(started);
    kill.server_restart_ms = absl::ToDoubleMilliseconds(server->start_to_serving());
    load.Start(server->address(), server->token());
    absl::SleepFor(options.after);
    load.Stop();
    for (const CallRecord& call : load.TakeCalls()) {
      ++kill.calls;
      if (call.ok()) {
        const double ms = MsBetween(kill_time, call.end);
        if (kill.recover_ms < 0 || ms < kill.recover_ms) kill.recover_ms = ms;
        continue;
      }
      ++kill.failed_after_failover;
      NoteMessage(kill, call);
    }
    if (kill.failed_after_failover > 0) {
      failure.Note(absl::StrCat("(b): ", kill.failed_after_failover,
                                " calls failed after the server was restarted on node ", kFailoverNode, ": ",
                                absl::StrJoin(kill.messages, " | ")));
    }
    const std::optional<absl::Time> view_change = watch.Wait();
    if (view_change.has_value()) {
      kill.view_change_ms = MsBetween(kill_time, *view_change);
    } else {
      failure.Note(absl::StrCat("(b): node ", kFailoverNode, " did not count ", kNodes - 1, " nodes within ",
                                absl::FormatDuration(options.view_change_limit), " of the kill"));
    }
    CheckAfterKill("(b)", kill, cluster, load, *server, failure);
    kill.tally = Minus(load.Tally(), before);
    std::fprintf(stderr,
                 "galera drill (b): %lld cut off, %lld refused; server restarted on node %d, SERVING after %.0f ms; "
                 "view change after %.0f ms; first write sent after the kill acknowledged after %.0f ms; %lld "
                 "accounts, %s\n",
                 static_cast<long long>(kill.cut_off), static_cast<long long>(kill.refused), kFailoverNode,
                 kill.server_restart_ms, kill.view_change_ms, kill.recover_ms,
                 static_cast<long long>(kill.verify.accounts_listed), kill.verify.ok() ? "all present" : "PROBLEMS");
  }

  // The other survivor (the node rejoined after (a)) must hold the same: once it has applied
  // everything the failover node committed, a server of its own lists the run's accounts.
  {
    const int survivor = kSpareNode;
    result.survivor_node = survivor;
    absl::StatusOr<GaleraNodeState> leader = cluster.State(kFailoverNode);
    if (!leader.ok()) {
      failure.Note(absl::StrCat("survivor check: ", leader.status().message()));
    } else {
      const int64_t target = leader->last_committed;
      absl::Status applied = cluster.WaitForState(
          survivor, absl::StrCat("caught up to write set ", target),
          [target](const GaleraNodeState& s) { return s.last_committed >= target; }, absl::Seconds(30));
      if (!applied.ok()) failure.Note(absl::StrCat("survivor check: ", applied.message()));
    }
    result.stop_result = StopResult(server->Stop());
    if (!absl::StartsWith(result.stop_result, "exit 0")) {
      failure.Note(absl::StrCat("stopping the server on node ", kFailoverNode, ": ", result.stop_result));
    }
    server.reset();
    KeepServerLog(server_dir, absl::StrCat("node", kFailoverNode));
    server_options.db_url = absl::StrCat(cluster.base_url(survivor), kDatabase);
    started = bench::ServerProcess::Start(server_options);
    if (!started.ok()) {
      failure.Note(
          absl::StrCat("survivor check: starting crm-server on node ", survivor, ": ", started.status().message()));
      return result;
    }
    server = *std::move(started);
    absl::StatusOr<VerifyResult> verified = load.Verify(server->address(), server->token());
    if (!verified.ok()) {
      failure.Note(absl::StrCat("survivor check on node ", survivor, ": ", verified.status().message()));
    } else {
      result.survivor_checked = true;
      result.survivor_verify = *verified;
      if (!verified->ok()) {
        failure.Note(absl::StrCat("survivor check on node ", survivor, ": ", verified->lost_creates, " lost creates, ",
                                  verified->lost_updates, " lost updates, ", verified->wrong_content,
                                  " with wrong content, ", verified->duplicates,
                                  " duplicates: ", absl::StrJoin(verified->samples, " | ")));
      }
    }
    const std::string last_stop = StopResult(server->Stop());
    if (!absl::StartsWith(last_stop, "exit 0")) {
      failure.Note(absl::StrCat("stopping the server on node ", survivor, ": ", last_stop));
    }
  }

  result.tally = load.Tally();
  if (result.tally.bad_responses > 0) {
    failure.Note(absl::StrCat(result.tally.bad_responses, " acknowledged calls answered the wrong content: ",
                              absl::StrJoin(result.tally.bad_response_samples, " | ")));
  }
  return result;
}

}  // namespace crm::faults
