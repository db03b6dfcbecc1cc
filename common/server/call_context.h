// What a handler knows about the caller and the call, passed to the domain logic so that it
// never sees gRPC types. Making it authenticates and authorizes the call.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/core/current_call.h"
#include "crm/v1/admin.pb.h"

namespace grpc {
class CallbackServerContext;
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

// What the server's dispatch (common/server/method_dispatch.h) knows of a call as it hands it to
// the handler, and gRPC does not tell the handler.
struct CallStart {
  // "/crm.v1.AccountService/UpdateAccount"; null for a call that did not come through the dispatch.
  const char* method = nullptr;
  auth::Authenticator* authenticator = nullptr;
  // False when the request is not a valid message of its type: the handler then gets an empty or
  // partly parsed request, which MakeCallContext refuses before anyone acts on it.
  bool request_parsed = true;
};

// The call whose handler gRPC is starting on this thread. Valid only in the handler method itself,
// before it returns its reactor: whatever works on the call later must capture it there.
CallStart StartingCall();

// For the dispatch: `start` is what StartingCall() returns on this thread while this lives.
class ScopedCallStart {
 public:
  explicit ScopedCallStart(const CallStart& start);
  ~ScopedCallStart();
  ScopedCallStart(const ScopedCallStart&) = delete;
  ScopedCallStart& operator=(const ScopedCallStart&) = delete;

 private:
  const CallStart* previous_;
};

// The caller of `context`, once its bearer token names an active user whose role the method's
// policy (common/auth/access_policy.h) admits: UNAUTHENTICATED for a missing or bad token,
// PERMISSION_DENIED for a role the method does not admit or a method without a policy — both
// before anything about the request is looked at — then INVALID_ARGUMENT for a request that did
// not parse. Blocks on a database read when the token is not cached, so unary calls make it on a
// worker. `start` is the call's StartingCall().
absl::StatusOr<CallContext> MakeCallContext(const grpc::CallbackServerContext& context, const CallStart& start);

// `call` as the thread's current call, which the server names (ScopedCurrentCall) around the
// handler's work.
inline CurrentCall CurrentCallOf(const CallContext& call) {
  return CurrentCall{call.actor, call.method, call.correlation_id, call.owners};
}

}  // namespace crm::server
