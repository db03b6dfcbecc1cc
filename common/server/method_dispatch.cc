#include "common/server/method_dispatch.h"

#include <grpc/byte_buffer.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/impl/service_type.h>

#include <deque>

#include "absl/strings/str_cat.h"
#include "common/server/call_context.h"
#include "google/protobuf/descriptor.h"

namespace crm::server {
namespace {

using grpc::internal::MethodHandler;
using grpc::internal::RpcMethod;
using grpc::internal::RpcServiceMethod;

// gRPC shows a service's handlers to its subclasses only. Naming the member through a subclass
// gives a pointer to grpc::Service's own member, which may be used on any service.
struct HandlerAccess : grpc::Service {
  static MethodHandler* Handler(grpc::Service& service, int index) {
    return (service.*(&HandlerAccess::GetHandler))(index);
  }
};

RpcMethod::RpcType RpcTypeOf(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return RpcMethod::BIDI_STREAMING;
  if (method.client_streaming()) return RpcMethod::CLIENT_STREAMING;
  if (method.server_streaming()) return RpcMethod::SERVER_STREAMING;
  return RpcMethod::NORMAL_RPC;
}

// Runs the generated handler of one method with the method named in the thread's CallStart.
class NamedMethodHandler final : public MethodHandler {
 public:
  NamedMethodHandler(const char* method, RpcMethod::RpcType type, MethodHandler* generated,
                     auth::Authenticator* authenticator)
      : method_(method), type_(type), generated_(generated), authenticator_(authenticator) {}

  // gRPC's server calls this, then RunHandler with what it returned, on the same call.
  void* Deserialize(grpc_call* call, grpc_byte_buffer* request, grpc::Status* status, void** handler_data) override {
    void* parsed = generated_->Deserialize(call, request, status, handler_data);
    if (status->ok() || type_ != RpcMethod::SERVER_STREAMING) return parsed;
    // A server-streaming handler destroys a request that failed to parse, and would hand its
    // handler a null one: it parses an empty message instead, which the failed status (kept)
    // stops anyone from acting on. A unary handler keeps the partly parsed request it owns.
    grpc::Status empty_status;
    grpc_byte_buffer* empty = grpc_raw_byte_buffer_create(nullptr, 0);
    void* placeholder = generated_->Deserialize(call, empty, &empty_status, handler_data);
    return empty_status.ok() ? placeholder : parsed;
  }

  void RunHandler(const HandlerParameter& param) override {
    const CallStart start{method_, authenticator_, param.status.ok()};
    const ScopedCallStart starting(start);
    const bool has_request = type_ == RpcMethod::NORMAL_RPC || param.request != nullptr;
    if (param.status.ok() || !has_request) {
      generated_->RunHandler(param);
      return;
    }
    // The handler runs with the request's failure in its CallStart rather than in the status, so
    // that the caller gets INVALID_ARGUMENT from MakeCallContext instead of gRPC's UNIMPLEMENTED.
    generated_->RunHandler(HandlerParameter(param.call, param.server_context, param.request, grpc::Status::OK,
                                            param.internal_data, param.call_requester));
  }

 private:
  const char* method_;
  RpcMethod::RpcType type_;
  MethodHandler* generated_;
  auth::Authenticator* authenticator_;
};

class NamedService final : public grpc::Service {
 public:
  // Adds `path` (kept by this service) as a callback method running `handler` (taken).
  void AddNamedMethod(std::string path, RpcMethod::RpcType type, MethodHandler* generated,
                      auth::Authenticator* authenticator) {
    const char* name = paths_.emplace_back(std::move(path)).c_str();
    auto* method = new RpcServiceMethod(name, type, new NamedMethodHandler(name, type, generated, authenticator));
    method->SetServerApiType(RpcServiceMethod::ApiType::CALL_BACK);
    AddMethod(method);
  }

 private:
  // A deque keeps each path where it is as more are added: gRPC holds on to the pointers.
  std::deque<std::string> paths_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<grpc::Service>> DispatchByName(grpc::Service& service, const std::string& service_name,
                                                              auth::Authenticator* authenticator) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  if (descriptor == nullptr) return absl::NotFoundError(absl::StrCat("no service ", service_name, " is linked in"));
  auto named = std::make_unique<NamedService>();
  // The generated code adds a service's methods in the order the descriptor lists them.
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *descriptor->method(i);
    MethodHandler* generated = HandlerAccess::Handler(service, i);
    if (generated == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(service_name, "/", method.name(), " has no handler: its service is not a CallbackService"));
    }
    named->AddNamedMethod(absl::StrCat("/", service_name, "/", method.name()), RpcTypeOf(method), generated,
                          authenticator);
  }
  return named;
}

}  // namespace crm::server
