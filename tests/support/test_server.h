// A real crm-server (every module) in-process on a free loopback port, over a fresh database of
// the chosen backend, with a fake clock, plus a channel to call it through. Authentication is on,
// as in production: calls carry access tokens the test server issues (TokenFor, CallAs).
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/core/clock.h"
#include "common/server/server_host.h"
#include "crm/v1/admin.pb.h"
#include "tests/support/test_backends.h"

namespace crm::testing {

struct TestServerOptions {
  // Period of background jobs (reminders, sweeps); tests usually drive them by hand.
  absl::Duration job_period = absl::Hours(1);
  absl::Duration event_poll_period = absl::Milliseconds(50);
  int db_pool_size = 4;
  // Serve TLS (or mutual TLS); channel() then is of no use, tests make their own.
  server::TlsConfig tls;
};

class TestServer {
 public:
  // Starts on `database`. Check ok() (and status()) before use.
  explicit TestServer(const TestDatabase& database, TestServerOptions options = {});
  ~TestServer();

  bool ok() const { return host_ != nullptr; }
  const absl::Status& status() const { return status_; }
  std::string address() const { return host_->address(); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  server::ServerHost& host() { return *host_; }
  server::Runtime& runtime() { return host_->runtime(); }
  FakeClock& clock() { return clock_; }

  // Stops the server (idempotent).
  void Stop();

  // An access token of `user`, made the first time and kept; `role` becomes the user's role
  // (written straight to the database, so a test needs no admin calls to set its cast up).
  std::string TokenFor(const std::string& user, crm::v1::Role role);
  // The token of `user` as it is: its kept one, or a new one of an admin user.
  std::string TokenFor(const std::string& user);
  // The data directory (the first admin's token file lands here).
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string IssueToken(const std::string& user, std::optional<crm::v1::Role> role);

  FakeClock clock_;
  std::string data_dir_;
  std::mutex tokens_mu_;
  std::map<std::string, std::string> tokens_;  // user -> secret
  absl::Status status_;
  std::unique_ptr<server::ServerHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context with a deadline, carrying the access token of `user` (an admin unless the test
// gave the user another role through TokenFor) from the latest TestServer still running.
std::unique_ptr<grpc::ClientContext> CallAs(const std::string& user = "alice",
                                            absl::Duration timeout = absl::Seconds(10));
// A client context with a deadline and `token` as its bearer token ("" for none).
std::unique_ptr<grpc::ClientContext> CallWithToken(const std::string& token,
                                                   absl::Duration timeout = absl::Seconds(10));

}  // namespace crm::testing
