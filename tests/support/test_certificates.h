// PEM files for TLS tests, made by openssl for each test: a CA, a server certificate for
// localhost / 127.0.0.1, a client certificate from that CA ("client") and one from another CA
// ("stranger"). The directory is removed again by the destructor.
#pragma once

#include <string>

namespace crm::testing {

class TestCertificates {
 public:
  TestCertificates();
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  // False when openssl could not make them.
  bool ok() const { return ok_; }
  // "ca.pem", "other-ca.pem", "server.pem" / "server.key", "client.pem" / "client.key",
  // "stranger.pem" / "stranger.key".
  std::string Path(const std::string& name) const;
  std::string Pem(const std::string& name) const;

 private:
  bool Run(const std::string& command);
  bool MakeCa(const std::string& name);
  bool MakeLeaf(const std::string& name, const std::string& ca, const std::string& common_name,
                const std::string& extensions);

  std::string dir_;
  bool ok_ = false;
};

}  // namespace crm::testing
