// crmctl's global flags (Abseil flags), their CRM_* environment defaults, and the ClientOptions
// they amount to.
#pragma once

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/crmctl/output.h"
#include "clients/gateway/client_options.h"

ABSL_DECLARE_FLAG(std::string, address);
ABSL_DECLARE_FLAG(std::string, token);
ABSL_DECLARE_FLAG(std::string, token_file);
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(absl::Duration, timeout);
ABSL_DECLARE_FLAG(bool, tls);
ABSL_DECLARE_FLAG(std::string, ca_cert);
ABSL_DECLARE_FLAG(std::string, client_cert);
ABSL_DECLARE_FLAG(std::string, client_key);
ABSL_DECLARE_FLAG(std::string, tls_server_name);

namespace crm::crmctl {

// The names of the flags above: only these are taken from the command line as global flags.
const std::vector<std::string>& GlobalFlagNames();

// Flags whose value is a secret: never shown, not even in `crmctl help`.
bool IsSecretFlag(const std::string& name);

// CRM_ADDRESS and CRM_OUTPUT set the flags' defaults; the command line wins. (The token's
// variables are read by ClientOptionsFromFlags.)
void ApplyEnvironmentDefaults();

// The secret in a token file: its first line without surrounding blanks. FAILED_PRECONDITION
// when the file cannot be read or holds no token; the message names the file.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// The token is the first given of --token, --token_file, CRM_TOKEN and CRM_TOKEN_FILE. Fails only
// when the file chosen cannot be read (the message names the flag or variable).
absl::StatusOr<client::ClientOptions> ClientOptionsFromFlags();
absl::StatusOr<OutputFormat> OutputFormatFromFlags();

}  // namespace crm::crmctl
