#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::CreateOpportunity(Context* context,
                                                             const crm::v1::CreateOpportunityRequest* request,
                                                             crm::v1::Opportunity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Create(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetOpportunity(Context* context,
                                                          const crm::v1::GetOpportunityRequest* request,
                                                          crm::v1::Opportunity* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Get(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateOpportunity(Context* context,
                                                             const crm::v1::UpdateOpportunityRequest* request,
                                                             crm::v1::Opportunity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Update(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListOpportunities(Context* context,
                                                             const crm::v1::ListOpportunitiesRequest* request,
                                                             crm::v1::ListOpportunitiesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.List(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::MoveOpportunity(Context* context,
                                                           const crm::v1::MoveOpportunityRequest* request,
                                                           crm::v1::Opportunity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Move(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::CloseOpportunity(Context* context,
                                                            const crm::v1::CloseOpportunityRequest* request,
                                                            crm::v1::Opportunity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Close(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ReopenOpportunity(Context* context,
                                                             const crm::v1::ReopenOpportunityRequest* request,
                                                             crm::v1::Opportunity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return opportunitys_.Reopen(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListStageChanges(Context* context,
                                                            const crm::v1::ListStageChangesRequest* request,
                                                            crm::v1::ListStageChangesResponse* response) {
  return ServeUnary(context, *rt_.workers, response, [this, request](const CallContext& call) {
    return opportunitys_.ListStageChanges(call, *request);
  });
}

}  // namespace crm::pipeline
