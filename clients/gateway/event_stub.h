// The stub layer of EventService: one virtual per RPC. See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/streaming.h"
#include "crm/v1/event.grpc.pb.h"

namespace crm::client {

using SubscribeStream = StreamingReadRpc<v1::Event>;

class EventStub {
 public:
  virtual ~EventStub() = default;

  // The stream owns its context, so another thread can cancel it while a Read blocks.
  virtual std::unique_ptr<SubscribeStream> Subscribe(std::unique_ptr<grpc::ClientContext> context,
                                                     const v1::SubscribeRequest& request) = 0;
  virtual absl::StatusOr<v1::ListEventsResponse> ListEvents(
      grpc::ClientContext& context, const v1::ListEventsRequest& request) = 0;
};

// Calls the service over gRPC.
class DefaultEventStub final : public EventStub {
 public:
  explicit DefaultEventStub(std::unique_ptr<v1::EventService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  std::unique_ptr<SubscribeStream> Subscribe(std::unique_ptr<grpc::ClientContext> context,
                                             const v1::SubscribeRequest& request) override;
  absl::StatusOr<v1::ListEventsResponse> ListEvents(grpc::ClientContext& context,
                                                    const v1::ListEventsRequest& request) override;

 private:
  std::unique_ptr<v1::EventService::StubInterface> grpc_stub_;
};

}  // namespace crm::client
