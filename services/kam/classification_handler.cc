// KeyAccountService classifications, qualitative inputs, overrides and tier changes: the gRPC edge only; the rules live in ClassificationLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::GetClassification(Context* context, const crm::v1::GetClassificationRequest* request,
    crm::v1::AccountClassification* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.Get(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListClassifications(Context* context, const crm::v1::ListClassificationsRequest* request,
    crm::v1::ListClassificationsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.List(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::SetQualitativeInputs(Context* context, const crm::v1::SetQualitativeInputsRequest* request,
    crm::v1::QualitativeInputs* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.SetQualitativeInputs(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::SetTierOverride(Context* context, const crm::v1::SetTierOverrideRequest* request,
    crm::v1::TierOverride* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.SetOverride(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ClearTierOverride(Context* context, const crm::v1::ClearTierOverrideRequest* request,
    crm::v1::ClearTierOverrideResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.ClearOverride(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListTierChanges(Context* context, const crm::v1::ListTierChangesRequest* request,
    crm::v1::ListTierChangesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return classifications_.ListTierChanges(call, *request); });
}

}  // namespace crm::kam
