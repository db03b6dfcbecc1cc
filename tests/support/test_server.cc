#include "tests/support/test_server.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/auth/access_grant.h"
#include "common/auth/authenticator.h"
#include "common/auth/token_secret.h"
#include "services/server/all_modules.h"

namespace crm::testing {
namespace {

// The servers running in this process, latest last: CallAs takes its tokens from the latest.
std::mutex live_mu;
std::vector<TestServer*>& LiveServers() {
  static auto* servers = new std::vector<TestServer*>();
  return *servers;
}

}  // namespace

TestServer::TestServer(const TestDatabase& database, TestServerOptions options)
    : clock_(absl::FromUnixSeconds(1767225600)) {  // 2026-01-01T00:00:00Z
  char pattern[] = "/tmp/crm-test-server-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    status_ = absl::InternalError("cannot create a data directory");
    return;
  }
  data_dir_ = pattern;
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db_url = database.url();
  config.data_dir = data_dir_;
  config.tls = options.tls;
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
  std::lock_guard<std::mutex> lock(live_mu);
  LiveServers().push_back(this);
}

TestServer::~TestServer() {
  Stop();
  std::error_code ec;
  if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ec);
}

void TestServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(live_mu);
    auto& live = LiveServers();
    live.erase(std::remove(live.begin(), live.end(), this), live.end());
  }
  if (host_) host_->Shutdown(absl::Seconds(2));
}

std::string TestServer::TokenFor(const std::string& user, crm::v1::Role role) { return IssueToken(user, role); }

std::string TestServer::TokenFor(const std::string& user) { return IssueToken(user, std::nullopt); }

std::string TestServer::IssueToken(const std::string& user, std::optional<crm::v1::Role> role) {
  std::lock_guard<std::mutex> lock(tokens_mu_);
  auto kept = tokens_.find(user);
  if (kept != tokens_.end() && !role) return kept->second;
  // A user given a new role gets a new token as well; the old one stays valid.
  const std::string secret = auth::NewTokenSecret();
  absl::Status status = runtime().db->Write([&](db::Tx& tx) -> absl::Status {
    auth::AccessGrant grant;
    grant.user_id = user;
    grant.role = role;
    grant.token_description = "test";
    grant.created_by = "test";
    grant.now = clock_.Now();
    return GrantAccess(tx, grant, secret).status();
  });
  if (!status.ok()) return "";  // the test's calls then fail UNAUTHENTICATED and say so
  runtime().authenticator->ForgetAll();
  tokens_[user] = secret;
  return secret;
}

std::unique_ptr<grpc::ClientContext> CallWithToken(const std::string& token, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

std::unique_ptr<grpc::ClientContext> CallAs(const std::string& user, absl::Duration timeout) {
  TestServer* server = nullptr;
  {
    std::lock_guard<std::mutex> lock(live_mu);
    if (!LiveServers().empty()) server = LiveServers().back();
  }
  return CallWithToken(server != nullptr ? server->TokenFor(user) : "", timeout);
}

}  // namespace crm::testing
