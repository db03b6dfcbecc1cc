#include "clients/gateway/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace crm::client {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " file '", path, "'"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeCredentials(const TlsOptions& tls) {
  if (!tls.enabled) return grpc::InsecureChannelCredentials();
  if (tls.client_cert_file.empty() != tls.client_key_file.empty()) {
    return absl::InvalidArgumentError("mutual TLS needs both a client certificate and its key");
  }
  grpc::SslCredentialsOptions ssl;
  if (!tls.root_ca_file.empty()) {
    absl::StatusOr<std::string> roots = ReadFile(tls.root_ca_file, "root CA");
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *std::move(roots);
  }
  if (!tls.client_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadFile(tls.client_cert_file, "client certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(tls.client_key_file, "client key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

enum class IpFamily { kNone, kV4, kV6 };

// The address family of a host:port entry's host when it is an IP literal ("[::1]:50051" for
// IPv6).
IpFamily FamilyOf(absl::string_view entry) {
  if (absl::ConsumePrefix(&entry, "[")) {
    const size_t close = entry.find(']');
    if (close == absl::string_view::npos) return IpFamily::kNone;
    in6_addr v6;
    return inet_pton(AF_INET6, std::string(entry.substr(0, close)).c_str(), &v6) == 1 ? IpFamily::kV6
                                                                                      : IpFamily::kNone;
  }
  const size_t colon = entry.rfind(':');
  if (colon == absl::string_view::npos) return IpFamily::kNone;
  in_addr v4;
  return inet_pton(AF_INET, std::string(entry.substr(0, colon)).c_str(), &v4) == 1 ? IpFamily::kV4
                                                                                     : IpFamily::kNone;
}

}  // namespace

absl::StatusOr<std::string> ChannelTarget(const std::string& address) {
  if (address.find(',') == std::string::npos) return address;
  std::vector<std::string> entries = absl::StrSplit(address, ',', absl::SkipWhitespace());
  IpFamily family = IpFamily::kNone;
  for (std::string& entry : entries) {
    entry = std::string(absl::StripAsciiWhitespace(entry));
    const IpFamily entry_family = FamilyOf(entry);
    if (entry_family == IpFamily::kNone) {
      return absl::InvalidArgumentError(absl::StrCat(
          "address: \"", entry, "\" in a list of addresses is not an IP host:port; give IP addresses, or one DNS ",
          "name that resolves to all the servers"));
    }
    if (family != IpFamily::kNone && entry_family != family) {
      return absl::InvalidArgumentError("address: a list of addresses cannot mix IPv4 and IPv6");
    }
    family = entry_family;
  }
  return absl::StrCat(family == IpFamily::kV4 ? "ipv4:" : "ipv6:", absl::StrJoin(entries, ","));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address,
                                                           const ClientOptions& options) {
  absl::StatusOr<std::string> target = ChannelTarget(address);
  if (!target.ok()) return target.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  const auto reconnect_ms = absl::ToInt64Milliseconds(options.max_reconnect_backoff);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(reconnect_ms));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(std::min<int64_t>(reconnect_ms, 1000)));
  if (!options.user_agent.empty()) args.SetUserAgentPrefix(options.user_agent);
  if (options.tls.enabled && !options.tls.server_name_override.empty()) {
    args.SetSslTargetNameOverride(options.tls.server_name_override);
  }
  args.SetLoadBalancingPolicyName("round_robin");
  // Retries are the connection layer's job (it knows which calls are safe to repeat); gRPC's
  // transparent retries stay on since they only repeat calls that never left the client.
  return grpc::CreateCustomChannel(*target, *credentials, args);
}

}  // namespace crm::client
