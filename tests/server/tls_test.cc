// TLS and mutual TLS on the server, with a real handshake: the certificates are made by openssl
// for each test (tests/support/test_certificates.h).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/auth/first_admin.h"
#include "crm/v1/admin.grpc.pb.h"
#include "services/server/all_modules.h"
#include "tests/support/test_certificates.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

class TlsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.ok()) << "openssl could not make the test certificates";
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
  }

  void StartServer(bool mutual) {
    testing::TestServerOptions options;
    options.tls.cert_file = certs_.Path("server.pem");
    options.tls.key_file = certs_.Path("server.key");
    if (mutual) options.tls.client_ca_file = certs_.Path("ca.pem");
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    std::ifstream(server_->data_dir() + "/" + auth::kAdminTokenFile) >> admin_token_;
  }

  // WhoAmI as the first admin over `credentials`, dialling 127.0.0.1 but checking the name
  // "localhost" the server certificate carries.
  grpc::Status WhoAmI(const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel(server_->address(), credentials, args);
    auto stub = crm::v1::AdminService::NewStub(channel);
    crm::v1::User me;
    grpc::Status status = stub->WhoAmI(testing::CallWithToken(admin_token_, absl::Seconds(5)).get(),
                                       crm::v1::WhoAmIRequest(), &me);
    if (status.ok()) {
      EXPECT_EQ(me.id(), auth::kFirstAdminUser);
    }
    return status;
  }

  std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& ca, const std::string& client = "") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = certs_.Pem(ca + ".pem");
    if (!client.empty()) {
      options.pem_cert_chain = certs_.Pem(client + ".pem");
      options.pem_private_key = certs_.Pem(client + ".key");
    }
    return grpc::SslCredentials(options);
  }

  testing::TestCertificates certs_;
  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::string admin_token_;
};

TEST_P(TlsTest, ATlsServerAnswersOnlyOverTlsToClientsThatTrustItsCa) {
  StartServer(/*mutual=*/false);
  EXPECT_TRUE(WhoAmI(Tls("ca")).ok());
  EXPECT_EQ(WhoAmI(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(WhoAmI(Tls("other-ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_P(TlsTest, MutualTlsAdmitsOnlyClientCertificatesOfItsCa) {
  StartServer(/*mutual=*/true);
  EXPECT_TRUE(WhoAmI(Tls("ca", "client")).ok());
  EXPECT_NE(WhoAmI(Tls("ca")).error_code(), grpc::StatusCode::OK);
  EXPECT_NE(WhoAmI(Tls("ca", "stranger")).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(WhoAmI(grpc::InsecureChannelCredentials()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_P(TlsTest, BadTlsSettingsStopTheStartNamingTheFlag) {
  server::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.db_url = database_->url();
  config.data_dir = ::testing::TempDir();
  config.tls.cert_file = certs_.Path("server.pem");
  auto started = server::ServerHost::Start(config, AllModules());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("--tls_key_file"), std::string::npos) << started.status();

  config.tls.key_file = certs_.Path("no-such.key");
  started = server::ServerHost::Start(config, AllModules());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("--tls_key_file: cannot open"), std::string::npos) << started.status();

  config.tls.key_file = certs_.Path("server.ext");  // a file, but no PEM
  started = server::ServerHost::Start(config, AllModules());
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("no PEM"), std::string::npos) << started.status();
}

TEST_P(TlsTest, PlaintextBeyondLoopbackNeedsTheExplicitFlag) {
  server::ServerConfig config;
  config.listen = "0.0.0.0:0";
  config.db_url = database_->url();
  char data_dir[] = "/tmp/crm-insecure-XXXXXX";
  ASSERT_NE(mkdtemp(data_dir), nullptr);
  config.data_dir = data_dir;
  auto refused = server::ServerHost::Start(config, AllModules());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--allow_insecure_remote"), std::string::npos) << refused.status();

  config.allow_insecure_remote = true;
  auto allowed = server::ServerHost::Start(config, AllModules());
  EXPECT_TRUE(allowed.ok()) << allowed.status();
  if (allowed.ok()) (*allowed)->Shutdown(absl::Seconds(1));

  // With TLS the same address needs no flag.
  config.allow_insecure_remote = false;
  config.tls.cert_file = certs_.Path("server.pem");
  config.tls.key_file = certs_.Path("server.key");
  auto secure = server::ServerHost::Start(config, AllModules());
  EXPECT_TRUE(secure.ok()) << secure.status();
  if (secure.ok()) (*secure)->Shutdown(absl::Seconds(1));
  std::filesystem::remove_all(data_dir);
}

TEST(LoopbackAddressTest, TellsLoopbackFromEverythingElse) {
  for (const char* loopback : {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "[::1]:50051", "::1"}) {
    EXPECT_TRUE(server::IsLoopbackAddress(loopback)) << loopback;
  }
  for (const char* remote : {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:50051", "crm.example.com:443", "128.0.0.1:1"}) {
    EXPECT_FALSE(server::IsLoopbackAddress(remote)) << remote;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
