#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* AccountHandler::LogInteraction(Context* context, const crm::v1::LogInteractionRequest*, crm::v1::Interaction*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "LogInteraction is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::GetInteraction(Context* context, const crm::v1::GetInteractionRequest*, crm::v1::Interaction*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetInteraction is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::ListInteractions(Context* context, const crm::v1::ListInteractionsRequest*, crm::v1::ListInteractionsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListInteractions is not implemented yet"));
  return reactor;
}

}  // namespace crm::accounts
