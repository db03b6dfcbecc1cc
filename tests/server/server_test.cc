// The server host: health (NOT_SERVING while the database is away, UNAVAILABLE calls, then
// recovery), message size limits, and a graceful stop on SIGTERM of the real binary.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/server/all_modules.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::CallAs;

HealthCheckResponse::ServingStatus Health(grpc::health::v1::Health::Stub* stub, const std::string& service = "") {
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status s = stub->Check(CallAs().get(), request, &response);
  if (!s.ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

bool WaitForHealth(grpc::health::v1::Health::Stub* stub, HealthCheckResponse::ServingStatus want,
                   absl::Duration timeout = absl::Seconds(15)) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (Health(stub) == want) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

class ServerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
  }
  std::unique_ptr<testing::TestDatabase> database_;
};

TEST_P(ServerTest, ReportsServingForEveryService) {
  testing::TestServer server(*database_);
  ASSERT_TRUE(server.ok()) << server.status();
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  EXPECT_EQ(Health(health.get()), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(health.get(), "crm.v1.AccountService"), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(health.get(), "crm.v1.EventService"), HealthCheckResponse::SERVING);
  for (const char* service : {"crm.v1.PipelineService", "crm.v1.ServiceDeskService", "crm.v1.KeyAccountService",
                              "crm.v1.AdminService"}) {
    EXPECT_EQ(Health(health.get(), service), HealthCheckResponse::SERVING) << service;
  }
}

TEST_P(ServerTest, OversizedRequestsAreRefused) {
  testing::TestServer server(*database_);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = crm::v1::AccountService::NewStub(server.channel());
  crm::v1::CreateAccountRequest request;
  request.mutable_account()->set_name("big");
  request.mutable_account()->set_industry(std::string(17 * 1024 * 1024, 'x'));
  crm::v1::Account out;
  EXPECT_EQ(stub->CreateAccount(CallAs().get(), request, &out).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A merely long field is a validation error naming it.
  request.mutable_account()->set_industry(std::string(5000, 'x'));
  EXPECT_TRUE(testing::HasCodeAndField(stub->CreateAccount(CallAs().get(), request, &out),
                                       grpc::StatusCode::INVALID_ARGUMENT, "account.industry"));
}

// MariaDB only: a database that goes away turns health NOT_SERVING and calls UNAVAILABLE,
// and the server recovers by itself when it comes back.
TEST_P(ServerTest, DatabaseOutageTurnsHealthNotServingAndRecovers) {
  if (GetParam() != "mysql") GTEST_SKIP() << "an embedded SQLite file cannot go away";
  absl::StatusOr<db::ConnectionSpec> admin_spec = db::ParseDatabaseUrl(database_->url());
  ASSERT_TRUE(admin_spec.ok());
  const std::string admin = absl::StrCat("user=", admin_spec->user, " password=", admin_spec->password,
                                         " host=", admin_spec->host, " port=", admin_spec->port);
  const std::string user = absl::StrCat("crm_h", getpid());
  soci::session sql(soci::mysql, admin);
  sql << "CREATE DATABASE IF NOT EXISTS `" + admin_spec->database + "`";
  sql << "DROP USER IF EXISTS '" + user + "'@'127.0.0.1'";
  sql << "CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY 'pw'";
  sql << "GRANT ALL ON `" + admin_spec->database + "`.* TO '" + user + "'@'127.0.0.1'";

  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db_url = absl::StrCat("mysql://", user, ":pw@", admin_spec->host, ":", admin_spec->port, "/",
                               admin_spec->database);
  config.db_pool_size = 2;
  config.health_check_period = absl::Milliseconds(100);
  char data_dir[] = "/tmp/crm-outage-XXXXXX";
  ASSERT_NE(mkdtemp(data_dir), nullptr);
  config.data_dir = data_dir;
  auto host = server::ServerHost::Start(config, AllModules());
  ASSERT_TRUE(host.ok()) << host.status();
  std::string token;
  std::ifstream(std::string(data_dir) + "/admin-token") >> token;
  std::filesystem::remove_all(data_dir);
  ASSERT_FALSE(token.empty());
  auto channel = grpc::CreateChannel((*host)->address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto accounts = crm::v1::AccountService::NewStub(channel);
  ASSERT_TRUE(WaitForHealth(health.get(), HealthCheckResponse::SERVING));

  // Take the database away from this server: lock its user and cut its connections.
  sql << "ALTER USER '" + user + "'@'127.0.0.1' ACCOUNT LOCK";
  std::vector<long long> ids(100);
  sql << "SELECT id FROM information_schema.processlist WHERE user = :u", soci::use(user), soci::into(ids);
  for (long long id : ids) {
    try {
      sql << "KILL " + std::to_string(id);
    } catch (const soci::soci_error&) {
    }
  }
  EXPECT_TRUE(WaitForHealth(health.get(), HealthCheckResponse::NOT_SERVING));
  crm::v1::CreateAccountRequest request;
  request.mutable_account()->set_name("during outage");
  crm::v1::Account out;
  // The token cannot be checked either: UNAVAILABLE, not UNAUTHENTICATED.
  grpc::Status during = accounts->CreateAccount(testing::CallWithToken(token).get(), request, &out);
  EXPECT_EQ(during.error_code(), grpc::StatusCode::UNAVAILABLE) << during.error_message();

  sql << "ALTER USER '" + user + "'@'127.0.0.1' ACCOUNT UNLOCK";
  EXPECT_TRUE(WaitForHealth(health.get(), HealthCheckResponse::SERVING));
  request.mutable_account()->set_name("after outage");
  EXPECT_GRPC_OK(accounts->CreateAccount(testing::CallWithToken(token).get(), request, &out));
  (*host)->Shutdown(absl::Seconds(1));
  sql << "DROP USER IF EXISTS '" + user + "'@'127.0.0.1'";
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

// The real binary starts, serves, and stops cleanly and promptly on SIGTERM.
TEST(ServerProcessTest, SigtermDrainsAndExitsZero) {
  std::string dir = (std::filesystem::temp_directory_path() / "crm-proc-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  int err_pipe[2];
  ASSERT_EQ(pipe(err_pipe), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(err_pipe[1], 2);
    close(err_pipe[0]);
    const std::string data_dir = "--data_dir=" + dir;
    execl(CRM_SERVER_BINARY, CRM_SERVER_BINARY, "--listen=127.0.0.1:0", data_dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(err_pipe[1]);
  FILE* err = fdopen(err_pipe[0], "r");
  char line[1024];
  std::string address;
  while (fgets(line, sizeof(line), err) != nullptr) {
    std::string text(line);
    const size_t at = text.find("serving on ");
    if (at != std::string::npos) {
      address = text.substr(at + 11, text.find(' ', at + 11) - (at + 11));
      break;
    }
  }
  ASSERT_FALSE(address.empty());
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(Health(health.get()), HealthCheckResponse::SERVING);
  // An idle client channel answers the server's graceful GOAWAY only on its 5 s backup poll;
  // close it so the measurement is of the server alone.
  health.reset();

  const absl::Time start = absl::Now();
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fclose(err);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace crm
