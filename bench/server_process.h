// Runs a server binary (crm-server or a single-service server) as a child process for a
// benchmark: a free loopback port, a caller-chosen data directory, start-to-SERVING timing
// through the gRPC health check, an admin access token to call it with, resource readings from
// /proc, and a stop on SIGTERM that must end in exit code 0.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace crm::bench {

struct ServerOptions {
  std::string binary;
  // Passed as --db; empty means sqlite://<data_dir>/crm.db.
  std::string db_url;
  // Passed as --data_dir; must exist and be the benchmark's own. The server's stderr goes to
  // <data_dir>/server.log; the admin token the benchmark calls with is read from (or kept in) it.
  std::string data_dir;
  // Appended to the command line as they are, e.g. "--db_pool_size=16".
  std::vector<std::string> extra_flags;
  // The health-check service name that must answer SERVING. The server reports each hosted
  // service only after its first database ping, which makes this stricter than "".
  std::string health_service = "crm.v1.AccountService";
  absl::Duration start_timeout = absl::Seconds(60);
  // False for a server without database or authentication (bench/echo_server.cc): it is given
  // only --listen and extra_flags, and no token is fetched (token() stays empty).
  bool has_database = true;
  // False: no token is fetched (token() stays empty); for processes started together on one
  // database, where the caller takes the one first admin's token (bench_auth.h) for all of them.
  bool fetch_token = true;
  // When not empty, the server runs on these CPUs only (its affinity is set before exec).
  std::vector<int> cpus;
};

// Readings from /proc/<pid>/status and /proc/<pid>/stat.
struct ProcessUsage {
  int64_t rss_kib = 0;   // VmRSS: resident now
  int64_t hwm_kib = 0;   // VmHWM: resident at peak
  int threads = 0;
  double cpu_seconds = 0;  // user + system, all threads, since the process started
};

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid);

// User + system CPU time of this process, all threads.
double SelfCpuSeconds();

// "0", "1,3", "0-1": CPU numbers for an affinity; "" is an empty list (no pinning). Each must be
// a CPU this process may run on.
absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view text);

// Restricts every thread of this process to `cpus` (nothing when empty); threads started later
// inherit it from the thread that starts them.
absl::Status PinThisProcess(const std::vector<int>& cpus);

// A loopback port nobody listens on right now (bound once with port 0, then released).
absl::StatusOr<int> PickFreePort();

// True when something accepts TCP connections on 127.0.0.1:port. Refused connects on loopback
// return at once, so polling this every millisecond is cheap and does not depend on gRPC's
// reconnect backoff.
bool TcpAccepts(int port);

// True when a socket can bind 127.0.0.1:port right now (nobody holds it).
bool PortFree(int port);

class ServerProcess {
 public:
  // Spawns the server (environment without CRM_* variables, so only the flags configure it) and
  // waits until the health check answers SERVING; the time between is start_to_serving(). Then
  // gets the token() to call it with (bench/bench_auth.h: ServerToken), outside that time.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const ServerOptions& options);
  // Start in two steps, for several servers starting at once: Spawn forks the server and returns
  // at once; WaitUntilReady (from any thread) waits for SERVING and gets the token. Spawn from a
  // thread that outlives the server: the server gets SIGTERM when the thread that forked it ends
  // (PR_SET_PDEATHSIG belongs to the forking thread, not the process).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Spawn(const ServerOptions& options);
  absl::Status WaitUntilReady();
  // Kills the server (SIGKILL) if it still runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  // The secret of an admin access token on the server's database, for PrepareCall
  // (bench/bench_auth.h): `authorization: Bearer <token>`.
  const std::string& token() const { return token_; }
  // From fork until the first health check that answered SERVING.
  absl::Duration start_to_serving() const { return start_to_serving_; }
  // The server's own "... after N ms" figure from its log (time spent in ServerHost::Start),
  // once it has been printed.
  std::optional<int64_t> SelfReportedStartMs() const;
  // The last `lines` lines of the server's stderr.
  std::string LogTail(int lines = 20) const;

  // Sends SIGTERM and waits up to `timeout` for the exit; returns the time it took. Fails when
  // the server had to be killed or exited with anything but code 0.
  absl::StatusOr<absl::Duration> Stop(absl::Duration timeout = absl::Seconds(30));

 private:
  ServerProcess() = default;
  absl::Status WaitUntilServing(const ServerOptions& options, absl::Time spawned);
  // Non-blocking reap; true (and the exit status in `status`) once the child has exited.
  bool Reaped(int* status);

  ServerOptions options_;
  std::string db_url_;
  std::chrono::steady_clock::time_point spawned_;
  pid_t pid_ = -1;
  bool running_ = false;
  int port_ = 0;
  std::string address_;
  std::string log_path_;
  std::string token_;
  absl::Duration start_to_serving_;
};

}  // namespace crm::bench
