#include "clients/crmctl/global_flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "Server address host:port (any gRPC target). Env: CRM_ADDRESS");
ABSL_FLAG(std::string, token, "", "Bearer token sent with every call. Env: CRM_TOKEN");
ABSL_FLAG(std::string, user, "", "Acting user id, sent as x-crm-user. Env: CRM_USER");
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
      "address", "token",   "user",        "output",     "timeout",
      "tls",     "ca_cert", "client_cert", "client_key", "tls_server_name"};
  return *kNames;
}

void ApplyEnvironmentDefaults() {
  auto apply = [](const char* name, absl::Flag<std::string>& flag) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
      absl::SetFlag(&flag, value);
    }
  };
  apply("CRM_ADDRESS", FLAGS_address);
  apply("CRM_TOKEN", FLAGS_token);
  apply("CRM_USER", FLAGS_user);
  apply("CRM_OUTPUT", FLAGS_output);
}

client::ClientOptions ClientOptionsFromFlags() {
  client::ClientOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.bearer_token = absl::GetFlag(FLAGS_token);
  options.user = absl::GetFlag(FLAGS_user);
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
