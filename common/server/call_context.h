// What a handler knows about the caller and the call, passed to the domain logic so that it
// never sees gRPC types.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace grpc {
class CallbackServerContext;
}

namespace crm::server {

struct CallContext {
  // The authenticated user id ("anonymous" until authentication is configured).
  std::string actor = "anonymous";
  // Correlation id from the `x-request-id` metadata, if the caller sent one.
  std::string correlation_id;
  // The call's deadline; work stops once it passes.
  absl::Time deadline = absl::InfiniteFuture();
};

CallContext MakeCallContext(const grpc::CallbackServerContext& context);

}  // namespace crm::server
