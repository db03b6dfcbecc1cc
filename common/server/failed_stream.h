// A streaming call that ends at once with an error, before anything is read or written: what a
// streaming handler returns when the request is refused up front.
//
//   return new server::FailedStream<grpc::ServerWriteReactor<Event>>(server::ToGrpcStatus(status));
#pragma once

#include <grpcpp/grpcpp.h>

namespace crm::server {

template <typename Reactor>
class FailedStream final : public Reactor {
 public:
  explicit FailedStream(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace crm::server
