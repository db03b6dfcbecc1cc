// How the server hands a call to a service's handler, so that the handler learns which method was
// called and whether the request parsed: gRPC tells a callback handler neither. The handler reads
// both through StartingCall() (common/server/call_context.h) while gRPC is creating its reactor.
//
//   absl::StatusOr<std::unique_ptr<grpc::Service>> dispatch =
//       DispatchByName(*module->service(), module->service_name(), authenticator);
//   builder.RegisterService(dispatch->get());  // *dispatch kept until the server is gone
//
// A server interceptor could tell the same, but with any interceptor gRPC runs its hook machinery
// on every batch of every call: 8-15 % of the server's CPU per GetAccount (bench/README).
#pragma once

#include <grpcpp/impl/service_type.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace crm::auth {
class Authenticator;
}

namespace crm::server {

// A service to register with the server in place of `service`: each of its methods, under the
// name the protobuf descriptor of `service_name` gives it, runs `service`'s handler. `service`
// must be a generated CallbackService (every method a callback method) and must outlive the
// result; the result must outlive the server. NOT_FOUND when `service_name` is not a linked-in
// service.
absl::StatusOr<std::unique_ptr<grpc::Service>> DispatchByName(grpc::Service& service, const std::string& service_name,
                                                              auth::Authenticator* authenticator);

}  // namespace crm::server
