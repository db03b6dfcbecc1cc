#include "common/server/server_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/base/call_once.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/auth/authenticator.h"
#include "common/auth/first_admin.h"
#include "common/core/ids.h"
#include "common/db/shared_state.h"
#include "common/server/host_migrations.h"
#include "common/server/method_dispatch.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "Address to listen on (host:port). Env: CRM_LISTEN");
ABSL_FLAG(std::string, db, "", "Database URL: sqlite://<path> or mysql://user:pass@host:port/db. "
                               "Default: sqlite://<data_dir>/crm.db. Env: CRM_DB");
ABSL_FLAG(std::string, data_dir, "./data", "Directory for the embedded database and local files. Env: CRM_DATA_DIR");
ABSL_FLAG(int, db_pool_size, 8,
          "Database connections; the worker threads follow it unless --workers says otherwise. Env: CRM_DB_POOL_SIZE");
ABSL_FLAG(bool, sqlite_group_commit, true,
          "SQLite: concurrent writes share one durable commit (off: a commit, and a WAL sync, per write). "
          "Env: CRM_SQLITE_GROUP_COMMIT=0|1");
ABSL_FLAG(int, workers, 0,
          "Worker threads for blocking work; 0 = db_pool_size, or 4 x db_pool_size on SQLite with group commit. "
          "Env: CRM_WORKERS");
ABSL_FLAG(bool, inline_reads, true,
          "SQLite: reads by key run on gRPC's threads, without the hand-off to a worker. "
          "Env: CRM_INLINE_READS=0|1");
ABSL_FLAG(int, max_message_bytes, 16 * 1024 * 1024, "Largest request or response message. Env: CRM_MAX_MESSAGE_BYTES");
ABSL_FLAG(int, job_period_ms, 5000, "Period of background jobs (reminders, sweeps). Env: CRM_JOB_PERIOD_MS");
ABSL_FLAG(std::string, tls_cert_file, "", "PEM server certificate (chain): serve TLS only. Env: CRM_TLS_CERT_FILE");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file. Env: CRM_TLS_KEY_FILE");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA: require client certificates it signed (mutual TLS). Env: CRM_TLS_CLIENT_CA_FILE");
ABSL_FLAG(bool, allow_insecure_remote, false,
          "Allow listening on a non-loopback address without TLS (tokens would travel in the clear)");
ABSL_FLAG(int, drain_seconds, 10, "Grace period for running calls on SIGTERM. Env: CRM_DRAIN_SECONDS");

namespace crm::server {
namespace {

constexpr char kPageTokenSecret[] = "page_token";

// CRM_<FLAG> environment variables set a flag's default; the command line still wins.
void ApplyEnvironmentOverrides() {
  auto str = [](const char* env, absl::Flag<std::string>& flag) {
    if (const char* v = std::getenv(env); v != nullptr && *v) absl::SetFlag(&flag, v);
  };
  auto num = [](const char* env, absl::Flag<int>& flag) {
    int value;
    if (const char* v = std::getenv(env); v != nullptr && absl::SimpleAtoi(v, &value)) absl::SetFlag(&flag, value);
  };
  auto boolean = [](const char* env, absl::Flag<bool>& flag) {
    bool value;
    if (const char* v = std::getenv(env); v != nullptr && absl::SimpleAtob(v, &value)) absl::SetFlag(&flag, value);
  };
  str("CRM_LISTEN", FLAGS_listen);
  str("CRM_DB", FLAGS_db);
  str("CRM_DATA_DIR", FLAGS_data_dir);
  num("CRM_DB_POOL_SIZE", FLAGS_db_pool_size);
  num("CRM_WORKERS", FLAGS_workers);
  boolean("CRM_SQLITE_GROUP_COMMIT", FLAGS_sqlite_group_commit);
  boolean("CRM_INLINE_READS", FLAGS_inline_reads);
  num("CRM_MAX_MESSAGE_BYTES", FLAGS_max_message_bytes);
  num("CRM_JOB_PERIOD_MS", FLAGS_job_period_ms);
  num("CRM_DRAIN_SECONDS", FLAGS_drain_seconds);
  str("CRM_TLS_CERT_FILE", FLAGS_tls_cert_file);
  str("CRM_TLS_KEY_FILE", FLAGS_tls_key_file);
  str("CRM_TLS_CLIENT_CA_FILE", FLAGS_tls_client_ca_file);
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot open ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  if (contents.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " holds no PEM block"));
  }
  return contents.str();
}

// Credentials for `config`: TLS (mutual with a client CA) or plaintext, which is refused on a
// non-loopback address unless allowed.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListeningCredentials(const ServerConfig& config) {
  const TlsConfig& tls = config.tls;
  if (!tls.enabled()) {
    if (!IsLoopbackAddress(config.listen) && !config.allow_insecure_remote) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listening on ", config.listen, " without TLS would send tokens in the clear: give --tls_cert_file and ",
          "--tls_key_file, or --allow_insecure_remote"));
    }
    return grpc::InsecureServerCredentials();
  }
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert_file and --tls_key_file");
  }
  absl::StatusOr<std::string> cert = ReadPemFile(tls.cert_file, "--tls_cert_file");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile(tls.key_file, "--tls_key_file");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!tls.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPemFile(tls.client_ca_file, "--tls_client_ca_file");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// glibc gives a thread that finds the arenas busy an arena of its own, up to eight per core.
// With 32 workers on two cores the server's data spread over 16 arenas, each keeping its own
// free memory: in the 10-minute soak RSS settled at 94 MiB, against 61 MiB with four arenas,
// and only after two minutes (+8 % from 60 s to 600 s). Two per core leave malloc as uncontended
// on the cores there are. An operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES still decides.
void LimitMallocArenas() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr || (tunables != nullptr && absl::StrContains(tunables, "arena_max"))) {
    return;
  }
  mallopt(M_ARENA_MAX, 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

// A worker that writes holds a connection while its transaction runs, so by default there are
// as many workers as connections. With SQLite group commit a writer instead waits for the shared
// commit holding none, and a commit can share no more writes than there are workers to wait on
// it: four per connection let groups grow (32 callers of CreateAccount: 3.3x the durable
// writes of one commit per write with 32 workers, 2.4x with 8; bench/README.md).
int WorkerCount(const ServerConfig& config, db::Backend backend) {
  if (config.workers > 0) return config.workers;
  const bool writers_wait_without_connection = backend == db::Backend::kSqlite && config.sqlite_group_commit;
  return writers_wait_without_connection ? 4 * config.db_pool_size : config.db_pool_size;
}

}  // namespace

bool IsLoopbackAddress(absl::string_view listen) {
  absl::string_view host = listen;
  if (absl::ConsumePrefix(&host, "[")) {
    host = host.substr(0, host.find(']'));
  } else if (host.find(':') == host.rfind(':') && host.find(':') != absl::string_view::npos) {
    host = host.substr(0, host.find(':'));  // host:port (a bare IPv6 address has several colons)
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::unique_ptr<ServerHost>> ServerHost::Start(const ServerConfig& config,
                                                              const std::vector<ModuleSpec>& modules,
                                                              const Clock* clock) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ListeningCredentials(config);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<ServerHost> host(new ServerHost());
  host->config_ = config;

  db::DatabaseOptions db_options;
  db_options.url = config.db_url;
  db_options.pool_size = config.db_pool_size;
  db_options.sqlite_group_commit = config.sqlite_group_commit;
  absl::StatusOr<std::unique_ptr<db::Database>> db = db::Database::Open(db_options);
  if (!db.ok()) return db.status();
  host->db_ = *std::move(db);

  if (absl::Status status = db::ApplyMigrations(*host->db_, HostMigrations(modules)); !status.ok()) return status;

  absl::StatusOr<std::string> secret = db::GetOrCreateSecret(*host->db_, kPageTokenSecret);
  if (!secret.ok()) return secret.status();
  host->page_tokens_ = std::make_unique<PageTokenCodec>(*secret);
  const Clock* effective_clock = clock != nullptr ? clock : &SystemClock::Instance();
  absl::StatusOr<std::optional<std::string>> admin_token =
      auth::EnsureFirstAdmin(*host->db_, *effective_clock, config.data_dir);
  if (!admin_token.ok()) return admin_token.status();
  if (admin_token->has_value()) {
    std::fprintf(stderr,
                 "first start: created user \"%s\" (role admin) and its access token in %s (mode 0600); "
                 "callers send it as `authorization: Bearer <token>`\n",
                 auth::kFirstAdminUser, (*admin_token)->c_str());
  }
  host->authenticator_ = std::make_unique<auth::Authenticator>(host->db_.get(), effective_clock);
  host->hub_ = std::make_unique<events::EventHub>();
  host->outbox_ = std::make_unique<events::Outbox>(host->hub_.get());
  host->workers_ = std::make_unique<WorkerPool>(WorkerCount(config, host->db_->backend()));
  host->workers_->set_inline_reads(config.inline_reads && host->db_->backend() == db::Backend::kSqlite);

  Runtime& rt = host->runtime_;
  rt.db = host->db_.get();
  rt.hub = host->hub_.get();
  rt.outbox = host->outbox_.get();
  rt.workers = host->workers_.get();
  rt.page_tokens = host->page_tokens_.get();
  rt.clock = effective_clock;
  rt.authenticator = host->authenticator_.get();
  rt.instance_id = NewId("proc");
  rt.settings = config.runtime;

  for (const ModuleSpec& spec : modules) host->modules_.emplace_back(spec.name, spec.create(rt));

  // Process-wide gRPC settings: set once, since servers of one process (tests, the scale-out
  // drill) may start at the same time, and the health flag is a plain global inside gRPC.
  static absl::once_flag grpc_settings_once;
  absl::call_once(grpc_settings_once, [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, *credentials, &host->port_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  for (auto& [name, module] : host->modules_) {
    absl::StatusOr<std::unique_ptr<grpc::Service>> dispatch =
        DispatchByName(*module->service(), module->service_name(), host->authenticator_.get());
    if (!dispatch.ok()) return dispatch.status();
    builder.RegisterService(host->dispatches_.emplace_back(*std::move(dispatch)).get());
  }
  host->server_ = builder.BuildAndStart();
  if (host->server_ == nullptr || host->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("could not listen on ", config.listen));
  }

  // The poller also seeds the hub with the current sequence before anyone subscribes.
  host->hub_->StartPolling(host->db_.get(), config.runtime.event_poll_period);
  // Every service reports a status before Start returns; the loop then follows the database.
  host->serving_at_start_ = host->CheckHealth();
  host->health_thread_ = std::thread([h = host.get()] { h->HealthLoop(); });
  for (auto& [name, module] : host->modules_) module->StartBackground();
  return host;
}

bool ServerHost::CheckHealth() {
  const bool serving = db_->Ping(absl::Now() + absl::Seconds(2)).ok();
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(serving);
  for (auto& [name, module] : modules_) health->SetServingStatus(module->service_name(), serving);
  return serving;
}

void ServerHost::HealthLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool last = serving_at_start_;
  while (!stopping_) {
    cv_.wait_for(lock, absl::ToChronoMilliseconds(config_.health_check_period), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const bool serving = CheckHealth();
    if (serving != last) {
      std::fprintf(stderr, "health: database %s\n", serving ? "reachable again, SERVING" : "unreachable, NOT_SERVING");
      last = serving;
    }
    lock.lock();
  }
}

ServiceModule* ServerHost::module(const std::string& name) {
  for (auto& [module_name, module] : modules_) {
    if (module_name == name) return module.get();
  }
  return nullptr;
}

std::vector<std::string> ServerHost::ServiceNames() const {
  std::vector<std::string> names;
  for (const auto& [module_name, module] : modules_) names.push_back(module->service_name());
  return names;
}

std::string ServerHost::address() const {
  const std::string& listen = config_.listen;
  const size_t colon = listen.rfind(':');
  return absl::StrCat(colon == std::string::npos ? listen : listen.substr(0, colon), ":", port_);
}

void ServerHost::Shutdown(absl::Duration grace) {
  if (shut_down_.exchange(true)) return;
  for (auto& [name, module] : modules_) module->StopBackground();
  if (server_) {
    server_->GetHealthCheckService()->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  if (hub_) hub_->Stop();
  if (workers_) workers_->Stop();
  if (server_) server_->Wait();
}

ServerHost::~ServerHost() { Shutdown(absl::ZeroDuration()); }

int RunServerMain(int argc, char** argv, const std::string& program, const std::vector<ModuleSpec>& modules) {
  // Debian builds Abseil without NDEBUG, so every absl::Mutex (gRPC's included) keeps a lock-order
  // graph for deadlock detection: a few percent of a busy server's CPU. The tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  LimitMallocArenas();
  absl::SetProgramUsageMessage(absl::StrCat(program, ": CRM gRPC server. Flags also read CRM_* environment variables."));
  ApplyEnvironmentOverrides();
  absl::ParseCommandLine(argc, argv);

  // Block the termination signals before gRPC starts threads, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  config.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  config.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  config.allow_insecure_remote = absl::GetFlag(FLAGS_allow_insecure_remote);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.db_url = absl::GetFlag(FLAGS_db);
  config.db_pool_size = absl::GetFlag(FLAGS_db_pool_size);
  config.workers = absl::GetFlag(FLAGS_workers);
  config.sqlite_group_commit = absl::GetFlag(FLAGS_sqlite_group_commit);
  config.inline_reads = absl::GetFlag(FLAGS_inline_reads);
  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  config.runtime.job_period = absl::Milliseconds(std::max(50, absl::GetFlag(FLAGS_job_period_ms)));
  if (config.db_url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) {
      std::fprintf(stderr, "%s: cannot create data directory %s: %s\n", program.c_str(), config.data_dir.c_str(),
                   ec.message().c_str());
      return 1;
    }
    config.db_url = absl::StrCat("sqlite://", config.data_dir, "/crm.db");
  }

  const absl::Time started = absl::Now();
  absl::StatusOr<std::unique_ptr<ServerHost>> host = ServerHost::Start(config, modules);
  if (!host.ok()) {
    std::fprintf(stderr, "%s: failed to start: %s\n", program.c_str(), host.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "%s: serving on %s (database %s, %d services) after %lld ms\n", program.c_str(),
               (*host)->address().c_str(), (*host)->runtime().db->spec().display.c_str(),
               static_cast<int>(modules.size()),
               static_cast<long long>(absl::ToInt64Milliseconds(absl::Now() - started)));
  std::fflush(stderr);

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "%s: signal %d, draining (up to %d s)\n", program.c_str(), received,
               absl::GetFlag(FLAGS_drain_seconds));
  (*host)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
  std::fprintf(stderr, "%s: stopped\n", program.c_str());
  return 0;
}

}  // namespace crm::server
