// Builds and runs a gRPC server hosting a set of service modules: database, migrations,
// callback-API services, health (NOT_SERVING while the database is unreachable), reflection,
// message limits, background jobs, and a graceful drain.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/runtime.h"

namespace crm::server {

// PEM files. With a certificate and key the server speaks TLS only; with a client CA as well it
// demands a client certificate signed by that CA (mutual TLS).
struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty(); }
};

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";
  TlsConfig tls;
  // Listening beyond loopback without TLS sends tokens in the clear: refused unless set.
  bool allow_insecure_remote = false;
  std::string db_url;
  std::string data_dir;
  int db_pool_size = 8;
  // See db::DatabaseOptions::sqlite_group_commit.
  bool sqlite_group_commit = true;
  // Worker threads for blocking work; 0 means the database pool size.
  int workers = 0;
  // SQLite: reads by key run on gRPC's threads rather than a worker's (see ServeRead).
  bool inline_reads = true;
  int max_message_bytes = 16 * 1024 * 1024;
  absl::Duration health_check_period = absl::Seconds(1);
  RuntimeSettings runtime;
};

class ServerHost {
 public:
  // Opens the database, applies migrations, creates the modules and starts serving.
  // `clock` may be null (system clock); tests pass a FakeClock.
  static absl::StatusOr<std::unique_ptr<ServerHost>> Start(const ServerConfig& config,
                                                           const std::vector<ModuleSpec>& modules,
                                                           const Clock* clock = nullptr);
  ~ServerHost();

  int port() const { return port_; }
  std::string address() const;
  Runtime& runtime() { return runtime_; }
  ServiceModule* module(const std::string& name);
  // The full gRPC names of the services hosted, e.g. "crm.v1.AccountService".
  std::vector<std::string> ServiceNames() const;

  // Stops accepting calls, lets running calls finish until `grace` passes, then cancels them.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  ServerHost() = default;
  void HealthLoop();
  // Pings the database and sets every service's health status; true when serving.
  bool CheckHealth();

  ServerConfig config_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<events::EventHub> hub_;
  std::unique_ptr<events::Outbox> outbox_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<PageTokenCodec> page_tokens_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  Runtime runtime_;
  std::vector<std::pair<std::string, std::unique_ptr<ServiceModule>>> modules_;
  // What the server calls each module's service through (method_dispatch.h); outlives server_.
  std::vector<std::unique_ptr<grpc::Service>> dispatches_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool serving_at_start_ = false;
  std::thread health_thread_;
  std::atomic<bool> shut_down_{false};
};

// True for 127.x.x.x, ::1 and localhost (with or without a port).
bool IsLoopbackAddress(absl::string_view listen);

// Standard main for every binary: flags (with CRM_* environment overrides), signal handling,
// start, wait for SIGTERM / SIGINT, drain. Returns the process exit code.
int RunServerMain(int argc, char** argv, const std::string& program,
                  const std::vector<ModuleSpec>& modules);

}  // namespace crm::server
