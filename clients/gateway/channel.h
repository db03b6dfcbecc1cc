// Creates the gRPC channel to one service address from ClientOptions: insecure by default,
// TLS or mutual TLS when configured.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"

namespace crm::client {

// Fails (NOT_FOUND / INVALID_ARGUMENT) only when a configured certificate or key file cannot be
// read or the TLS options are incomplete; connecting itself happens lazily on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address,
                                                           const ClientOptions& options);

}  // namespace crm::client
