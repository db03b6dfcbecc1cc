// AccountService contact methods: the gRPC edge only; the rules live in ContactLogic.
#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* AccountHandler::CreateContact(Context* context, const crm::v1::CreateContactRequest* request,
                                                        crm::v1::Contact* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return contacts_.Create(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::GetContact(Context* context, const crm::v1::GetContactRequest* request,
                                                     crm::v1::Contact* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return contacts_.Get(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::UpdateContact(Context* context, const crm::v1::UpdateContactRequest* request,
                                                        crm::v1::Contact* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return contacts_.Update(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::DeleteContact(Context* context, const crm::v1::DeleteContactRequest* request,
                                                        crm::v1::DeleteContactResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return contacts_.Delete(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::ListContacts(Context* context, const crm::v1::ListContactsRequest* request,
                                                       crm::v1::ListContactsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return contacts_.List(call, *request); });
}

}  // namespace crm::accounts
