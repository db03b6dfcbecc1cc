// The one mapping from absl::Status to grpc::Status. Field violations travel as a
// google.rpc.Status-compatible message in the status details (grpc-status-details-bin).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace crm::server {

grpc::Status ToGrpcStatus(const absl::Status& status);
// The reverse, used by the client library: keeps code, message and field violations.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace crm::server
