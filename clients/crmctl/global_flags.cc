#include "clients/crmctl/global_flags.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "Server address host:port (any gRPC target), or a comma-separated list of IP host:port "
          "entries to spread calls over round-robin. Env: CRM_ADDRESS");
ABSL_FLAG(std::string, token, "",
          "Access token secret, sent as a bearer token with every call; its user is who you are. "
          "Env: CRM_TOKEN (used when neither --token nor --token_file is given)");
ABSL_FLAG(std::string, token_file, "",
          "File whose first line is the access token secret, e.g. the server's data/admin-token; "
          "read when --token is empty. Env: CRM_TOKEN_FILE (used when neither flag nor CRM_TOKEN is given)");
ABSL_FLAG(std::string, output, "table", "Output format: table or json. Env: CRM_OUTPUT");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline of each call attempt, e.g. 30s");
ABSL_FLAG(bool, tls, false, "Use TLS (also implied by --ca_cert / --client_cert)");
ABSL_FLAG(std::string, ca_cert, "", "PEM file of the CA to trust (default: system roots)");
ABSL_FLAG(std::string, client_cert, "", "PEM client certificate, for mutual TLS");
ABSL_FLAG(std::string, client_key, "", "PEM key of --client_cert");
ABSL_FLAG(std::string, tls_server_name, "",
          "Name to verify the server certificate against, e.g. localhost");

namespace crm::crmctl {

const std::vector<std::string>& GlobalFlagNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "address", "token",   "token_file",  "output",     "timeout",
      "tls",     "ca_cert", "client_cert", "client_key", "tls_server_name"};
  return *kNames;
}

bool IsSecretFlag(const std::string& name) { return name == "token"; }

void ApplyEnvironmentDefaults() {
  auto apply = [](const char* name, absl::Flag<std::string>& flag) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
      absl::SetFlag(&flag, value);
    }
  };
  apply("CRM_ADDRESS", FLAGS_address);
  apply("CRM_OUTPUT", FLAGS_output);
  // CRM_TOKEN and CRM_TOKEN_FILE are read by ClientOptionsFromFlags: as flag defaults, a
  // CRM_TOKEN in the environment would beat a --token_file given on the command line.
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read token file ", path, ": ", std::strerror(errno)));
  }
  std::string line;
  std::getline(in, line);
  if (in.bad()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read token file ", path));
  }
  absl::string_view token = absl::StripAsciiWhitespace(line);
  if (token.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("token file ", path, " has no token on its first line"));
  }
  return std::string(token);
}

absl::StatusOr<client::ClientOptions> ClientOptionsFromFlags() {
  client::ClientOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  // The first given of --token, --token_file, CRM_TOKEN, CRM_TOKEN_FILE: the command line
  // beats the environment, and a secret beats a file at the same level.
  std::string token = absl::GetFlag(FLAGS_token);
  std::string token_file = absl::GetFlag(FLAGS_token_file);
  const char* token_file_source = "--token_file";
  if (token.empty() && token_file.empty()) {
    auto env = [](const char* name) -> std::string {
      const char* value = std::getenv(name);
      return value != nullptr ? value : "";
    };
    token = env("CRM_TOKEN");
    token_file = env("CRM_TOKEN_FILE");
    token_file_source = "CRM_TOKEN_FILE";
  }
  if (token.empty() && !token_file.empty()) {
    absl::StatusOr<std::string> from_file = ReadTokenFile(token_file);
    if (!from_file.ok()) {
      return absl::Status(from_file.status().code(),
                          absl::StrCat(token_file_source, ": ", from_file.status().message()));
    }
    token = *std::move(from_file);
  }
  options.bearer_token = std::move(token);
  options.call_timeout = absl::GetFlag(FLAGS_timeout);
  options.tls.root_ca_file = absl::GetFlag(FLAGS_ca_cert);
  options.tls.client_cert_file = absl::GetFlag(FLAGS_client_cert);
  options.tls.client_key_file = absl::GetFlag(FLAGS_client_key);
  options.tls.server_name_override = absl::GetFlag(FLAGS_tls_server_name);
  options.tls.enabled = absl::GetFlag(FLAGS_tls) || !options.tls.root_ca_file.empty() ||
                        !options.tls.client_cert_file.empty();
  options.user_agent = "crmctl/0.1";
  return options;
}

absl::StatusOr<OutputFormat> OutputFormatFromFlags() {
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output == "table") return OutputFormat::kTable;
  if (output == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output must be table or json, not '", output, "'"));
}

}  // namespace crm::crmctl
