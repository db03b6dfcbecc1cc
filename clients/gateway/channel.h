// Creates the gRPC channel to one service address (or a list of them) from ClientOptions: insecure by default,
// TLS or mutual TLS when configured.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"

namespace crm::client {

// The gRPC target for an address: one host:port (or any gRPC target string) as it is; a
// comma-separated list of IP host:port entries, e.g. "10.0.0.1:50051,10.0.0.2:50051", as an
// ipv4: / ipv6: target naming them all. Fails (INVALID_ARGUMENT, naming the entry) for a list
// holding a host name or mixing IPv4 and IPv6: one DNS name resolving to several addresses is
// the way to name servers by name.
absl::StatusOr<std::string> ChannelTarget(const std::string& address);

// The channel balances calls round-robin over every address its target resolves to (a list, or
// a DNS name with several addresses), so several server processes share the load; a server
// that goes away is skipped until it is back.
// Fails (NOT_FOUND / INVALID_ARGUMENT) when the address is malformed or a configured certificate
// or key file cannot be read or the TLS options are incomplete; connecting itself happens lazily
// on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address,
                                                           const ClientOptions& options);

}  // namespace crm::client
