#include "services/duplicates/duplicate_handler.h"

#include "common/server/unary.h"

namespace crm::duplicates {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* DuplicateHandler::FindDuplicates(Context* context,
                                                           const crm::v1::FindDuplicatesRequest* request,
                                                           crm::v1::FindDuplicatesResponse* response) {
  return ServeRead(context, *rt_.workers, response,
                   [this, request](const CallContext& call) { return logic_.Find(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::GetDuplicateSettings(Context* context,
                                                                 const crm::v1::GetDuplicateSettingsRequest* request,
                                                                 crm::v1::DuplicateSettings* response) {
  return ServeRead(context, *rt_.workers, response,
                   [this, request](const CallContext& call) { return logic_.GetSettings(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::UpdateDuplicateSettings(
    Context* context, const crm::v1::UpdateDuplicateSettingsRequest* request, crm::v1::DuplicateSettings* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.UpdateSettings(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::MergeAccounts(Context* context,
                                                          const crm::v1::MergeAccountsRequest* request,
                                                          crm::v1::MergeAccountsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return merges_.MergeAccounts(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::MergeContacts(Context* context,
                                                          const crm::v1::MergeContactsRequest* request,
                                                          crm::v1::MergeContactsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return merges_.MergeContacts(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::GetMerge(Context* context, const crm::v1::GetMergeRequest* request,
                                                     crm::v1::Merge* response) {
  return ServeRead(context, *rt_.workers, response,
                   [this, request](const CallContext& call) { return merges_.Get(call, *request); });
}

grpc::ServerUnaryReactor* DuplicateHandler::ListMerges(Context* context, const crm::v1::ListMergesRequest* request,
                                                       crm::v1::ListMergesResponse* response) {
  return ServeRead(context, *rt_.workers, response,
                   [this, request](const CallContext& call) { return merges_.List(call, *request); });
}

}  // namespace crm::duplicates
