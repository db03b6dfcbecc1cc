// crm-echo-server: the bare gRPC server the load benchmark (bench/crm_load.cc) measures as its
// baseline. It answers crm.bench.EchoService/Echo inline, on gRPC's own thread, with the callback
// API: no authentication, no worker pool, no database. Everything else is built as crm-server
// builds its server (common/server/server_host.cc): the default health service (SERVING for ""
// and for crm.bench.EchoService), reflection, the same message size limits, and SIGTERM / SIGINT
// drain the calls and end with exit code 0.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/echo.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "Address to listen on (host:port); port 0 picks a free one.");
ABSL_FLAG(int, max_message_bytes, 16 * 1024 * 1024, "Largest request or response message (as crm-server).");
ABSL_FLAG(int, drain_seconds, 10, "Grace period for running calls on SIGTERM.");

namespace crm::bench {
namespace {

constexpr char kProgram[] = "crm-echo-server";

class EchoHandler final : public crm::bench::EchoService::CallbackService {
 public:
  explicit EchoHandler(uint32_t max_reply_bytes) : max_reply_bytes_(max_reply_bytes) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoRequest* request,
                                 EchoResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->reply_bytes() > max_reply_bytes_) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("reply_bytes: at most ", max_reply_bytes_)));
      return reactor;
    }
    std::string* payload = response->mutable_payload();
    *payload = request->payload();
    if (payload->size() < request->reply_bytes()) payload->resize(request->reply_bytes(), '\0');
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const uint32_t max_reply_bytes_;
};

int Main() {
  // Block the termination signals before gRPC starts threads, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const absl::Time started = absl::Now();
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const int max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (max_message_bytes < 1024) {
    std::fprintf(stderr, "%s: --max_message_bytes must be at least 1024\n", kProgram);
    return 2;
  }
  // Leave room for the payload's field tag and length in the reply.
  EchoHandler service(static_cast<uint32_t>(max_message_bytes - 16));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(max_message_bytes);
  builder.SetMaxSendMessageSize(max_message_bytes);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "%s: could not listen on %s\n", kProgram, listen.c_str());
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(crm::bench::EchoService::service_full_name(), true);
  std::fprintf(stderr, "%s: serving on port %d (%s) after %lld ms\n", kProgram, port, listen.c_str(),
               static_cast<long long>(absl::ToInt64Milliseconds(absl::Now() - started)));
  std::fflush(stderr);

  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "%s: signal %d, draining\n", kProgram, received);
  server->GetHealthCheckService()->Shutdown();
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_seconds))));
  server->Wait();
  std::fprintf(stderr, "%s: stopped\n", kProgram);
  return 0;
}

}  // namespace
}  // namespace crm::bench

int main(int argc, char** argv) {
  // As crm-server does: no lock-order graph in gRPC's mutexes (Debian's Abseil keeps it on).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "crm-echo-server: a bare gRPC echo server (callback API, answered inline, no auth or database), the "
      "baseline of bench/crm_load. See bench/README.md.");
  absl::ParseCommandLine(argc, argv);
  return crm::bench::Main();
}
