#include "services/events/event_handler.h"

#include "common/server/failed_stream.h"
#include "common/server/grpc_status.h"
#include "common/server/unary.h"

namespace crm::events {
grpc::ServerWriteReactor<crm::v1::Event>* EventHandler::Subscribe(grpc::CallbackServerContext* context,
                                                                  const crm::v1::SubscribeRequest* request) {
  using Failed = server::FailedStream<grpc::ServerWriteReactor<crm::v1::Event>>;
  absl::StatusOr<server::CallContext> call = server::MakeCallContext(*context, server::StartingCall());
  if (!call.ok()) return new Failed(server::ToGrpcStatus(call.status()));
  if (absl::Status valid = ValidateSubscribe(*request); !valid.ok()) return new Failed(server::ToGrpcStatus(valid));
  absl::StatusOr<std::optional<std::vector<std::string>>> users = call->owners.ListOwners(request->user(), "user");
  if (!users.ok()) return new Failed(server::ToGrpcStatus(users.status()));
  return new Subscription(rt_, &subscriptions_, *request, *std::move(users));
}

grpc::ServerUnaryReactor* EventHandler::ListEvents(grpc::CallbackServerContext* context,
                                                   const crm::v1::ListEventsRequest* request,
                                                   crm::v1::ListEventsResponse* response) {
  return server::ServeUnary(context, *rt_.workers, response,
                            [this, request](const server::CallContext& call) { return logic_.List(call, *request); });
}

void EventHandler::EndSubscriptions() {
  subscriptions_.EndAll(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down; resubscribe"));
}

}  // namespace crm::events
