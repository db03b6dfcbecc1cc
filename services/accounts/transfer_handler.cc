#include "services/accounts/account_handler.h"

namespace crm::accounts {

// Not implemented yet: the generated base answers UNIMPLEMENTED.
grpc::ServerReadReactor<crm::v1::ImportAccountsRequest>* AccountHandler::ImportAccounts(
    Context* context, crm::v1::ImportAccountsResponse* response) {
  return crm::v1::AccountService::CallbackService::ImportAccounts(context, response);
}

grpc::ServerWriteReactor<crm::v1::Account>* AccountHandler::ExportAccounts(
    Context* context, const crm::v1::ExportAccountsRequest* request) {
  return crm::v1::AccountService::CallbackService::ExportAccounts(context, request);
}

}  // namespace crm::accounts
