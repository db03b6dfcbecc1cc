// PipelineService lead methods: the gRPC edge only; the rules live in LeadLogic.
#include "services/pipeline/pipeline_handler.h"

#include "common/server/unary.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::CreateLead(Context* context, const crm::v1::CreateLeadRequest* request,
                                                      crm::v1::Lead* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Create(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetLead(Context* context, const crm::v1::GetLeadRequest* request,
                                                   crm::v1::Lead* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Get(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateLead(Context* context, const crm::v1::UpdateLeadRequest* request,
                                                      crm::v1::Lead* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Update(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::DeleteLead(Context* context, const crm::v1::DeleteLeadRequest* request,
                                                      crm::v1::DeleteLeadResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Delete(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListLeads(Context* context, const crm::v1::ListLeadsRequest* request,
                                                     crm::v1::ListLeadsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.List(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::QualifyLead(Context* context, const crm::v1::QualifyLeadRequest* request,
                                                       crm::v1::Lead* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Qualify(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::DisqualifyLead(Context* context,
                                                          const crm::v1::DisqualifyLeadRequest* request,
                                                          crm::v1::Lead* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Disqualify(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ConvertLead(Context* context, const crm::v1::ConvertLeadRequest* request,
                                                       crm::v1::ConvertLeadResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return leads_.Convert(call, *request); });
}

}  // namespace crm::pipeline
