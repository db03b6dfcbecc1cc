#include "clients/gateway/event_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

std::unique_ptr<SubscribeStream> DefaultEventStub::Subscribe(
    std::unique_ptr<grpc::ClientContext> context, const v1::SubscribeRequest& request) {
  auto reader = grpc_stub_->Subscribe(context.get(), request);
  return std::make_unique<internal::GrpcStreamingReadRpc<v1::Event>>(std::move(context),
                                                                     std::move(reader));
}

absl::StatusOr<v1::ListEventsResponse> DefaultEventStub::ListEvents(
    grpc::ClientContext& context, const v1::ListEventsRequest& request) {
  v1::ListEventsResponse response;
  grpc::Status status = grpc_stub_->ListEvents(&context, request, &response);
  return internal::UnaryResult(status, std::move(response));
}

}  // namespace crm::client
