#include "common/server/call_context.h"

#include <mutex>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/container/flat_hash_map.h"
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

// The method and authenticator of every call in progress, by its server context. An entry lives
// exactly as long as the call's interceptor, which gRPC creates before the handler runs and
// destroys once the call is over.
struct CallInfo {
  const char* method;
  auth::Authenticator* authenticator;
};

class CallRegistry {
 public:
  static CallRegistry& Instance() {
    static auto* registry = new CallRegistry();
    return *registry;
  }
  void Add(const grpc::ServerContextBase* context, CallInfo info) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.insert_or_assign(context, info);
  }
  void Remove(const grpc::ServerContextBase* context) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.erase(context);
  }
  std::optional<CallInfo> Find(const grpc::ServerContextBase* context) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = calls_.find(context);
    if (it == calls_.end()) return std::nullopt;
    return it->second;
  }

 private:
  // std::mutex rather than absl::Mutex: calls start and end on many threads, and ThreadSanitizer
  // cannot see Debian's uninstrumented absl::Mutex (tests/sanitize.sh).
  std::mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, CallInfo> calls_;  // guarded by mu_
};

class CallAuthInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallAuthInterceptor(grpc::experimental::ServerRpcInfo* info, auth::Authenticator* authenticator)
      : context_(info->server_context()) {
    CallRegistry::Instance().Add(context_, CallInfo{info->method(), authenticator});
  }
  ~CallAuthInterceptor() override { CallRegistry::Instance().Remove(context_); }

  // gRPC answers a request that does not parse (e.g. a string field holding invalid UTF-8) with
  // a bare UNIMPLEMENTED; the caller sent bad input, so it gets INVALID_ARGUMENT saying so.
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_request_ = true;
    }
    if (unparsable_request_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          "the request is not a valid message of its type (a string field must hold valid UTF-8)"));
    }
    methods->Proceed();
  }

 private:
  const grpc::ServerContextBase* context_;
  bool unparsable_request_ = false;
};

class CallAuthInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallAuthInterceptorFactory(auth::Authenticator* authenticator) : authenticator_(authenticator) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new CallAuthInterceptor(info, authenticator_);
  }

 private:
  auth::Authenticator* authenticator_;
};

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

absl::StatusOr<CallContext> MakeCallContext(const grpc::CallbackServerContext& context) {
  CallContext call;
  call.correlation_id = Metadata(context, "x-request-id").substr(0, 200);
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(deadline);
  }

  const std::optional<CallInfo> info = CallRegistry::Instance().Find(&context);
  if (!info) return absl::InternalError("the call did not pass the server's authentication interceptor");
  call.method = std::string(absl::StripPrefix(info->method, "/"));
  const auth::MethodPolicy* policy = auth::FindMethodPolicy(info->method);
  if (policy == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("no access policy for ", info->method, ": refused to every caller"));
  }
  if (policy->open) return call;

  const std::string authorization = Metadata(context, "authorization");
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing bearer token: send `authorization: Bearer <token>`");
  }
  const std::string secret = BearerSecret(authorization);
  if (secret.empty()) return absl::UnauthenticatedError("authorization metadata is not `Bearer <token>`");
  absl::StatusOr<auth::Principal> principal = info->authenticator->Authenticate(secret, call.deadline);
  if (!principal.ok()) return principal.status();
  if (!policy->Allows(principal->role)) {
    return absl::PermissionDeniedError(absl::StrCat("role ", auth::RoleDisplayName(principal->role),
                                                    " may not call ", absl::StripPrefix(info->method, "/")));
  }
  call.owners = OwnerScopeOf(*principal);
  call.actor = std::move(principal->user_id);
  call.role = principal->role;
  call.team_id = std::move(principal->team_id);
  return call;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallAuthInterceptorFactory(
    auth::Authenticator* authenticator) {
  return std::make_unique<CallAuthInterceptorFactory>(authenticator);
}

}  // namespace crm::server
