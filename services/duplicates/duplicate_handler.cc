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

}  // namespace crm::duplicates
