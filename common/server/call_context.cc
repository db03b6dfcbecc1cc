#include "common/server/call_context.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/access_policy.h"
#include "common/auth/authenticator.h"

namespace crm::server {
namespace {

std::string Metadata(const grpc::CallbackServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

thread_local const CallStart* starting_call = nullptr;

// gRPC would answer a request that does not parse (e.g. a string field holding invalid UTF-8)
// with a bare UNIMPLEMENTED; the caller sent bad input, so it is told so.
absl::Status UnparsableRequest() {
  return absl::InvalidArgumentError(
      "the request is not a valid message of its type (a string field must hold valid UTF-8)");
}

// The secret of "Bearer <secret>" (the scheme in any case); "" when there is none.
std::string BearerSecret(const std::string& authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(authorization).substr(0, kScheme.size()), kScheme)) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(absl::string_view(authorization).substr(kScheme.size())));
}

// A sales rep works its own records, a sales manager with a team its team's; a manager without a
// team (head of sales) and every other role are not narrowed: their policy decides what they
// may call at all.
OwnerScope OwnerScopeOf(const auth::Principal& principal) {
  // The caller's name for errors is made only for the roles that are narrowed (every call runs this).
  auto holder = [&] { return absl::StrCat(auth::RoleDisplayName(principal.role), " ", principal.user_id); };
  if (principal.role == crm::v1::ROLE_SALES_REP) {
    return OwnerScope::Only({principal.user_id}, holder(), "the records it owns");
  }
  if (principal.role == crm::v1::ROLE_SALES_MANAGER && !principal.team_id.empty()) {
    std::vector<std::string> owners = principal.team_members;
    owners.push_back(principal.user_id);
    return OwnerScope::Only(std::move(owners), holder(), absl::StrCat("the records of team ", principal.team_id));
  }
  return OwnerScope::Everyone();
}

}  // namespace

CallStart StartingCall() { return starting_call != nullptr ? *starting_call : CallStart{}; }

ScopedCallStart::ScopedCallStart(const CallStart& start) : previous_(starting_call) { starting_call = &start; }

ScopedCallStart::~ScopedCallStart() { starting_call = previous_; }

absl::StatusOr<CallContext> MakeCallContext(const grpc::CallbackServerContext& context, const CallStart& start) {
  CallContext call;
  call.correlation_id = Metadata(context, "x-request-id").substr(0, 200);
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(deadline);
  }

  if (start.method == nullptr || start.authenticator == nullptr) {
    return absl::InternalError("the call did not come through the server's method dispatch");
  }
  call.method = std::string(absl::StripPrefix(start.method, "/"));
  const auth::MethodPolicy* policy = auth::FindMethodPolicy(start.method);
  if (policy == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("no access policy for ", start.method, ": refused to every caller"));
  }
  if (policy->open) {
    if (!start.request_parsed) return UnparsableRequest();
    return call;
  }

  const std::string authorization = Metadata(context, "authorization");
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing bearer token: send `authorization: Bearer <token>`");
  }
  const std::string secret = BearerSecret(authorization);
  if (secret.empty()) return absl::UnauthenticatedError("authorization metadata is not `Bearer <token>`");
  absl::StatusOr<auth::Principal> principal = start.authenticator->Authenticate(secret, call.deadline);
  if (!principal.ok()) return principal.status();
  if (!policy->Allows(principal->role)) {
    return absl::PermissionDeniedError(absl::StrCat("role ", auth::RoleDisplayName(principal->role),
                                                    " may not call ", absl::StripPrefix(start.method, "/")));
  }
  if (!start.request_parsed) return UnparsableRequest();
  call.owners = OwnerScopeOf(*principal);
  call.actor = std::move(principal->user_id);
  call.role = principal->role;
  call.team_id = std::move(principal->team_id);
  return call;
}

}  // namespace crm::server
