#include "tests/support/test_server.h"

#include "services/server/all_modules.h"

namespace crm::testing {

TestServer::TestServer(const TestDatabase& database, TestServerOptions options)
    : clock_(absl::FromUnixSeconds(1767225600)) {  // 2026-01-01T00:00:00Z
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db_url = database.url();
  config.db_pool_size = options.db_pool_size;
  config.runtime.job_period = options.job_period;
  config.runtime.event_poll_period = options.event_poll_period;
  absl::StatusOr<std::unique_ptr<server::ServerHost>> host = server::ServerHost::Start(config, AllModules(), &clock_);
  if (!host.ok()) {
    status_ = host.status();
    return;
  }
  host_ = *std::move(host);
  channel_ = grpc::CreateChannel(host_->address(), grpc::InsecureChannelCredentials());
}

TestServer::~TestServer() { Stop(); }

void TestServer::Stop() {
  if (host_) host_->Shutdown(absl::Seconds(2));
}

std::unique_ptr<grpc::ClientContext> CallAs(const std::string& user, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-crm-user", user);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

}  // namespace crm::testing
