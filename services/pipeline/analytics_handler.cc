#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// GetFunnel runs AnalyticsLogic::Funnel on the worker pool. Not implemented yet: the others
// answer UNIMPLEMENTED until their logic lands.

grpc::ServerUnaryReactor* PipelineHandler::GetFunnel(Context* context, const crm::v1::GetFunnelRequest* request,
                                                     crm::v1::Funnel* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return analytics_.Funnel(call, *request);
  });
}

grpc::ServerUnaryReactor* PipelineHandler::GetForecast(Context* context, const crm::v1::GetForecastRequest*, crm::v1::Forecast*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetForecast is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetOwnerPerformance(Context* context, const crm::v1::GetOwnerPerformanceRequest*, crm::v1::OwnerPerformance*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetOwnerPerformance is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetTargetGroupDistribution(Context* context, const crm::v1::GetTargetGroupDistributionRequest*, crm::v1::TargetGroupDistribution*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetTargetGroupDistribution is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
