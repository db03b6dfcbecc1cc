// The gateway client and crmctl over TLS and mutual TLS to a real in-process server, on every
// backend, with certificates openssl makes for the test: with the CA and a client certificate
// they get through; without the client certificate, or with one from another CA, they do not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/client/client_e2e_fixture.h"
#include "tests/support/test_certificates.h"

namespace crm {
namespace {

using ::testing::HasSubstr;

class TlsEndToEndTest : public ClientEndToEndTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.ok()) << "openssl could not make the test certificates";
    ClientEndToEndTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // The same database, served again with mutual TLS.
    server_.reset();
    testing::TestServerOptions options;
    options.tls.cert_file = certs_.Path("server.pem");
    options.tls.key_file = certs_.Path("server.key");
    options.tls.client_ca_file = certs_.Path("ca.pem");
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    crmctl_token_ = server_->TokenFor("dave");
  }

  absl::StatusOr<v1::User> WhoAmIWith(const std::string& client_certificate) {
    client::ClientOptions options;
    options.address = server_->address();
    options.bearer_token = server_->TokenFor("carol");
    options.tls.enabled = true;
    options.tls.root_ca_file = certs_.Path("ca.pem");
    options.tls.server_name_override = "localhost";
    options.retry.max_attempts = 1;
    if (!client_certificate.empty()) {
      options.tls.client_cert_file = certs_.Path(client_certificate + ".pem");
      options.tls.client_key_file = certs_.Path(client_certificate + ".key");
    }
    absl::StatusOr<client::GatewayClient> gateway = client::GatewayClient::Create(options);
    if (!gateway.ok()) return gateway.status();
    return gateway->admin().WhoAmI(v1::WhoAmIRequest());
  }

  std::vector<std::string> TlsFlags(const std::string& client_certificate) {
    return {"--token=" + crmctl_token_, "--ca_cert=" + certs_.Path("ca.pem"), "--tls_server_name=localhost",
            "--client_cert=" + certs_.Path(client_certificate + ".pem"),
            "--client_key=" + certs_.Path(client_certificate + ".key")};
  }

  testing::TestCertificates certs_;
};

TEST_P(TlsEndToEndTest, TheClientLibraryCallsOverMutualTls) {
  absl::StatusOr<v1::User> me = WhoAmIWith("client");
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->id(), "carol");
  EXPECT_FALSE(WhoAmIWith("").ok());
  EXPECT_FALSE(WhoAmIWith("stranger").ok());
}

TEST_P(TlsEndToEndTest, CrmctlCallsOverMutualTls) {
  std::string out, err;
  EXPECT_EQ(CrmctlWithCredentials(TlsFlags("client"), {"whoami"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("dave"));
  EXPECT_NE(CrmctlWithCredentials(TlsFlags("stranger"), {"whoami"}, &out, &err), 0);
  // Plaintext to a TLS server does not get through either.
  EXPECT_NE(Crmctl({"whoami"}, &out, &err), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsEndToEndTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
