#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* AccountHandler::CreateActivity(Context* context, const crm::v1::CreateActivityRequest*, crm::v1::Activity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateActivity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::GetActivity(Context* context, const crm::v1::GetActivityRequest*, crm::v1::Activity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetActivity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::UpdateActivity(Context* context, const crm::v1::UpdateActivityRequest*, crm::v1::Activity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateActivity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::CompleteActivity(Context* context, const crm::v1::CompleteActivityRequest*, crm::v1::Activity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CompleteActivity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::CancelActivity(Context* context, const crm::v1::CancelActivityRequest*, crm::v1::Activity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CancelActivity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::ListActivities(Context* context, const crm::v1::ListActivitiesRequest*, crm::v1::ListActivitiesResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListActivities is not implemented yet"));
  return reactor;
}

}  // namespace crm::accounts
