#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

AccountHandler::AccountHandler(const server::Runtime& runtime)
    : rt_(runtime),
      accounts_(runtime),
      contacts_(runtime),
      interactions_(runtime),
      activities_(runtime),
      transfer_(runtime) {}

grpc::ServerUnaryReactor* AccountHandler::CreateAccount(Context* context, const crm::v1::CreateAccountRequest* request,
                                                        crm::v1::Account* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.Create(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::GetAccount(Context* context, const crm::v1::GetAccountRequest* request,
                                                     crm::v1::Account* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.Get(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::UpdateAccount(Context* context, const crm::v1::UpdateAccountRequest* request,
                                                        crm::v1::Account* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.Update(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::DeleteAccount(Context* context, const crm::v1::DeleteAccountRequest* request,
                                                        crm::v1::Account* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.Delete(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::UndeleteAccount(Context* context,
                                                          const crm::v1::UndeleteAccountRequest* request,
                                                          crm::v1::Account* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.Undelete(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::ListAccounts(Context* context, const crm::v1::ListAccountsRequest* request,
                                                       crm::v1::ListAccountsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return accounts_.List(call, *request); });
}

}  // namespace crm::accounts
