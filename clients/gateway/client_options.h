// Everything a caller configures about the gateway client: where the services live, how calls
// authenticate, how long they may take and how failed calls are retried.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace crm::client {

// Retries apply only to calls that are safe to repeat (see retry_loop.h) and only to
// UNAVAILABLE. The n-th delay is min(max_backoff, initial_backoff * multiplier^(n-1)),
// then shortened by a random fraction of up to `jitter` so that many clients failing together
// do not come back together.
struct RetryPolicy {
  // Attempts in total, including the first; 1 disables retries.
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  double multiplier = 2.0;
  // 0..1: each delay is drawn from [delay * (1 - jitter), delay].
  double jitter = 0.2;
};

struct TlsOptions {
  bool enabled = false;
  // PEM files. Empty root_ca_file: gRPC's default roots. The client certificate and key are
  // sent only when both are set (mutual TLS).
  std::string root_ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  // Host name to verify the server certificate against instead of the address's host, e.g.
  // "localhost" while dialling 127.0.0.1.
  std::string server_name_override;
};

// Per-service addresses, for deployments where services run as separate binaries. An empty
// entry falls back to ClientOptions::address (the all-in-one server). AdminService has no
// entry: every server binary hosts it, so it is called at ClientOptions::address; so is
// CustomFieldService, whose fields belong to the entities of every service. DuplicateService is
// called at the pipeline entry: the pipeline server hosts it (it compares accounts, contacts and
// leads).
struct ServiceAddresses {
  std::string accounts;
  std::string events;
  std::string pipeline;
  // Reserved for the services still to come, so options files need not change shape later.
  std::string servicedesk;
  std::string keyaccounts;
};

struct ClientOptions {
  // host:port of the all-in-one server (or any gRPC target string, e.g. "dns:///crm:50051"), or
  // a comma-separated list of IP host:port entries of several servers on one database: calls go
  // round-robin over them (see channel.h).
  std::string address = "127.0.0.1:50051";
  ServiceAddresses service_addresses;

  // Deadline of each attempt of a unary call.
  absl::Duration call_timeout = absl::Seconds(10);
  // Deadline of import and export streams; absl::InfiniteDuration() for none. Subscribe never
  // has a deadline: it follows the event stream until cancelled.
  absl::Duration stream_timeout = absl::Minutes(30);
  RetryPolicy retry;
  // How Subscribe resumes a broken stream: patient, since a follower should ride out a server
  // restart (about 2 minutes of consecutive failures with these defaults), and frequent, so it
  // resumes within seconds once the server is back. Any delivered event starts the count afresh.
  RetryPolicy subscribe_retry = {60, absl::Milliseconds(250), absl::Seconds(2), 2.0, 0.2};

  // Sent as `authorization: Bearer <token>` when not empty: the access token's secret, whose
  // user the server takes as the actor of every call (AdminService.CreateAccessToken).
  std::string bearer_token;

  TlsOptions tls;
  // Longest wait between the channel's attempts to reconnect to a server that went away. gRPC's
  // default (2 minutes) is meant for the open internet; meanwhile every call fails at once, so a
  // restarted server would stay unreachable long after it is back.
  absl::Duration max_reconnect_backoff = absl::Seconds(2);
  // Matches the server's default --max_message_bytes; gRPC's own default (4 MiB) is smaller
  // than a full page of large accounts.
  int max_receive_message_bytes = 16 * 1024 * 1024;
  // Prepended to gRPC's user agent, so server logs tell crmctl from other callers.
  std::string user_agent = "crm-client/0.1";
};

// The address to dial for one service: its own entry when set, else `address`.
std::string AccountsAddress(const ClientOptions& options);
std::string EventsAddress(const ClientOptions& options);
std::string PipelineAddress(const ClientOptions& options);
std::string ServiceDeskAddress(const ClientOptions& options);
std::string KeyAccountAddress(const ClientOptions& options);

}  // namespace crm::client
