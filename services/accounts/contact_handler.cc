#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* AccountHandler::CreateContact(Context* context, const crm::v1::CreateContactRequest*, crm::v1::Contact*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateContact is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::GetContact(Context* context, const crm::v1::GetContactRequest*, crm::v1::Contact*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetContact is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::UpdateContact(Context* context, const crm::v1::UpdateContactRequest*, crm::v1::Contact*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateContact is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::DeleteContact(Context* context, const crm::v1::DeleteContactRequest*, crm::v1::DeleteContactResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "DeleteContact is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* AccountHandler::ListContacts(Context* context, const crm::v1::ListContactsRequest*, crm::v1::ListContactsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListContacts is not implemented yet"));
  return reactor;
}

}  // namespace crm::accounts
