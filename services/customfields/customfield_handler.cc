#include "services/customfields/customfield_handler.h"

#include "common/server/unary.h"

namespace crm::customfields {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* CustomFieldHandler::CreateCustomField(Context* context, const crm::v1::CreateCustomFieldRequest* request,
                                                     crm::v1::CustomField* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.Create(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::GetCustomField(Context* context, const crm::v1::GetCustomFieldRequest* request,
                                                     crm::v1::CustomField* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.Get(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::UpdateCustomField(Context* context, const crm::v1::UpdateCustomFieldRequest* request,
                                                     crm::v1::CustomField* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.Update(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::DeleteCustomField(Context* context, const crm::v1::DeleteCustomFieldRequest* request,
                                                     crm::v1::CustomField* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.Delete(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::UndeleteCustomField(Context* context, const crm::v1::UndeleteCustomFieldRequest* request,
                                                     crm::v1::CustomField* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.Undelete(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::ListCustomFields(Context* context, const crm::v1::ListCustomFieldsRequest* request,
                                                     crm::v1::ListCustomFieldsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.List(call, *request); });
}

grpc::ServerUnaryReactor* CustomFieldHandler::ListCustomFieldVersions(Context* context, const crm::v1::ListCustomFieldVersionsRequest* request,
                                                     crm::v1::ListCustomFieldVersionsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.ListVersions(call, *request); });
}

}  // namespace crm::customfields
