// PLACEHOLDER while the service lands area by area: finishes a call as UNIMPLEMENTED. Deleted
// once every area serves its methods.
#pragma once

#include <grpcpp/grpcpp.h>

namespace crm::servicedesk {

inline grpc::ServerUnaryReactor* NotYetServed(grpc::CallbackServerContext* context) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not served yet"));
  return reactor;
}

}  // namespace crm::servicedesk
