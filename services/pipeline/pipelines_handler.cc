#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::CreatePipeline(Context* context,
                                                          const crm::v1::CreatePipelineRequest* request,
                                                          crm::v1::Pipeline* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.Create(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetPipeline(Context* context, const crm::v1::GetPipelineRequest* request,
                                                       crm::v1::Pipeline* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.Get(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListPipelines(Context* context, const crm::v1::ListPipelinesRequest* request,
                                                         crm::v1::ListPipelinesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.List(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::UpdatePipeline(Context* context,
                                                          const crm::v1::UpdatePipelineRequest* request,
                                                          crm::v1::Pipeline* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.Update(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::GetSalesSettings(Context* context,
                                                            const crm::v1::GetSalesSettingsRequest* request,
                                                            crm::v1::SalesSettings* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.GetSettings(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateSalesSettings(Context* context,
                                                               const crm::v1::UpdateSalesSettingsRequest* request,
                                                               crm::v1::SalesSettings* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return pipelines_.UpdateSettings(call, *request); });
}

}  // namespace crm::pipeline
