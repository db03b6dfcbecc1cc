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
ABSL_DECLARE_FLAG(std::string, user);
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

// CRM_ADDRESS, CRM_TOKEN, CRM_USER and CRM_OUTPUT set the defaults; the command line wins.
void ApplyEnvironmentDefaults();

client::ClientOptions ClientOptionsFromFlags();
absl::StatusOr<OutputFormat> OutputFormatFromFlags();

}  // namespace crm::crmctl
