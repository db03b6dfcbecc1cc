// PipelineService campaign methods: the gRPC edge only; the rules live in CampaignLogic.
#include "services/pipeline/pipeline_handler.h"

#include "common/server/unary.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::CreateCampaign(Context* context,
                                                          const crm::v1::CreateCampaignRequest* request,
                                                          crm::v1::Campaign* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return campaigns_.Create(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetCampaign(Context* context, const crm::v1::GetCampaignRequest* request,
                                                       crm::v1::Campaign* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return campaigns_.Get(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateCampaign(Context* context,
                                                          const crm::v1::UpdateCampaignRequest* request,
                                                          crm::v1::Campaign* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return campaigns_.Update(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListCampaigns(Context* context, const crm::v1::ListCampaignsRequest* request,
                                                         crm::v1::ListCampaignsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return campaigns_.List(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetCampaignPerformance(Context* context,
                                                                  const crm::v1::GetCampaignPerformanceRequest* request,
                                                                  crm::v1::CampaignPerformance* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return campaigns_.Performance(call, *request); });
}

}  // namespace crm::pipeline
