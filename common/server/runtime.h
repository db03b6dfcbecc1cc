// The shared infrastructure every service module is built on, and the module interface the
// server host assembles. A module is one gRPC service plus its schema and background jobs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/core/clock.h"
#include "common/core/page_token.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "common/events/event_hub.h"
#include "common/events/outbox.h"
#include "common/server/worker_pool.h"

namespace crm::auth {
class Authenticator;
}

namespace crm::server {

struct RuntimeSettings {
  // How often background jobs (reminders, sweeps) run.
  absl::Duration job_period = absl::Seconds(5);
  // How often live subscribers look for events written by other processes.
  absl::Duration event_poll_period = absl::Milliseconds(200);
};

struct Runtime {
  db::Database* db = nullptr;
  events::EventHub* hub = nullptr;
  events::Outbox* outbox = nullptr;
  WorkerPool* workers = nullptr;
  const PageTokenCodec* page_tokens = nullptr;
  const Clock* clock = nullptr;
  // Checks the callers' tokens; AdminService tells it of revocations.
  auth::Authenticator* authenticator = nullptr;
  // Unique per process; names lease holders.
  std::string instance_id;
  RuntimeSettings settings;
};

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  // Full gRPC service name, e.g. "crm.v1.AccountService" (health status is reported under it).
  virtual std::string service_name() const = 0;
  virtual grpc::Service* service() = 0;
  // Background jobs start after the server is SERVING and stop before it drains.
  virtual void StartBackground() {}
  virtual void StopBackground() {}
};

// Describes how to build a module: its migrations (applied before any module is created) and
// a factory.
struct ModuleSpec {
  std::string name;
  std::function<std::vector<db::MigrationSet>()> migrations;
  std::function<std::unique_ptr<ServiceModule>(Runtime&)> create;
};

}  // namespace crm::server
