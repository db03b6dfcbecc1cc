#include "common/server/call_context.h"

#include <grpcpp/grpcpp.h>

#include "absl/time/clock.h"

namespace crm::server {
namespace {

std::string Metadata(const grpc::CallbackServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

CallContext MakeCallContext(const grpc::CallbackServerContext& context) {
  CallContext call;
  std::string user = Metadata(context, "x-crm-user");
  if (!user.empty() && user.size() <= 200) call.actor = user;
  call.correlation_id = Metadata(context, "x-request-id").substr(0, 200);
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(deadline);
  }
  return call;
}

}  // namespace crm::server
