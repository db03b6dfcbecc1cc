// AccountService interaction-log methods: the gRPC edge only; the rules live in InteractionLogic.
#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* AccountHandler::LogInteraction(Context* context,
                                                         const crm::v1::LogInteractionRequest* request,
                                                         crm::v1::Interaction* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return interactions_.Log(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::GetInteraction(Context* context,
                                                         const crm::v1::GetInteractionRequest* request,
                                                         crm::v1::Interaction* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return interactions_.Get(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::ListInteractions(Context* context,
                                                           const crm::v1::ListInteractionsRequest* request,
                                                           crm::v1::ListInteractionsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return interactions_.List(call, *request); });
}

}  // namespace crm::accounts
