// What a handler knows about the caller and the call, passed to the domain logic so that it
// never sees gRPC types. Making it authenticates and authorizes the call.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/core/current_call.h"
#include "crm/v1/admin.pb.h"

namespace grpc {
class CallbackServerContext;
namespace experimental {
class ServerInterceptorFactoryInterface;
}
}  // namespace grpc

namespace crm::auth {
class Authenticator;
}

namespace crm::server {

struct CallContext {
  // The authenticated user's id: what records name as actor.
  std::string actor = "anonymous";
  crm::v1::Role role = crm::v1::ROLE_UNSPECIFIED;
  // The user's sales team ("" for none).
  std::string team_id;
  // "crm.v1.AccountService/UpdateAccount".
  std::string method;
  // Whose accounts, leads and opportunities the caller may change and list.
  OwnerScope owners;
  // Correlation id from the `x-request-id` metadata, if the caller sent one.
  std::string correlation_id;
  // The call's deadline; work stops once it passes.
  absl::Time deadline = absl::InfiniteFuture();
};

// The caller of `context`, once its bearer token names an active user whose role the method's
// policy (common/auth/access_policy.h) admits: UNAUTHENTICATED for a missing or bad token,
// PERMISSION_DENIED for a role the method does not admit or a method without a policy — both
// before anything about the request is looked at. Blocks on a database read when the token is not
// cached, so unary calls make it on a worker.
absl::StatusOr<CallContext> MakeCallContext(const grpc::CallbackServerContext& context);

// `call` as the thread's current call, which the server names (ScopedCurrentCall) around the
// handler's work.
inline CurrentCall CurrentCallOf(const CallContext& call) {
  return CurrentCall{call.actor, call.method, call.correlation_id, call.owners};
}

// For the server builder: tells MakeCallContext which method each call is for (gRPC gives a
// handler no way to ask) and which authenticator the server uses.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallAuthInterceptorFactory(
    auth::Authenticator* authenticator);

}  // namespace crm::server
