#include "tests/support/test_certificates.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace crm::testing {

TestCertificates::TestCertificates() {
  char pattern[] = "/tmp/crm-tls-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return;
  dir_ = pattern;
  ok_ = MakeCa("ca") && MakeCa("other-ca") &&
        MakeLeaf("server", "ca", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth") &&
        MakeLeaf("client", "ca", "crm-client", "extendedKeyUsage=clientAuth") &&
        MakeLeaf("stranger", "other-ca", "stranger", "extendedKeyUsage=clientAuth");
}

TestCertificates::~TestCertificates() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string TestCertificates::Path(const std::string& name) const { return absl::StrCat(dir_, "/", name); }

std::string TestCertificates::Pem(const std::string& name) const {
  std::ifstream in(Path(name));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool TestCertificates::Run(const std::string& command) {
  return std::system(absl::StrCat("cd ", dir_, " && ", command, " >/dev/null 2>&1").c_str()) == 0;
}

bool TestCertificates::MakeCa(const std::string& name) {
  return Run(absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ", name,
                          ".key -out ", name, ".pem -days 2 -subj /CN=", name));
}

bool TestCertificates::MakeLeaf(const std::string& name, const std::string& ca, const std::string& common_name,
                                const std::string& extensions) {
  std::ofstream(Path(name + ".ext")) << extensions << "\n";
  return Run(absl::StrCat("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ", name,
                          ".key -out ", name, ".csr -subj /CN=", common_name)) &&
         Run(absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca, ".pem -CAkey ", ca,
                          ".key -CAcreateserial -days 2 -out ", name, ".pem -extfile ", name, ".ext"));
}

}  // namespace crm::testing
