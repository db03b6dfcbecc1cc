// A real crm-server (every module) in-process on a free loopback port, over a fresh database of
// the chosen backend, with a fake clock, plus a channel to call it through.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/core/clock.h"
#include "common/server/server_host.h"
#include "tests/support/test_backends.h"

namespace crm::testing {

struct TestServerOptions {
  // Period of background jobs (reminders, sweeps); tests usually drive them by hand.
  absl::Duration job_period = absl::Hours(1);
  absl::Duration event_poll_period = absl::Milliseconds(50);
  int db_pool_size = 4;
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

 private:
  FakeClock clock_;
  absl::Status status_;
  std::unique_ptr<server::ServerHost> host_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A client context with a deadline and the given user as actor.
std::unique_ptr<grpc::ClientContext> CallAs(const std::string& user = "alice",
                                            absl::Duration timeout = absl::Seconds(10));

}  // namespace crm::testing
