#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// The analytics calls run on the worker pool: GetFunnel in AnalyticsLogic, the forecast, owner
// performance and target-group distribution in ReportLogic.

grpc::ServerUnaryReactor* PipelineHandler::GetFunnel(Context* context, const crm::v1::GetFunnelRequest* request,
                                                     crm::v1::Funnel* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return analytics_.Funnel(call, *request);
  });
}

grpc::ServerUnaryReactor* PipelineHandler::GetForecast(Context* context, const crm::v1::GetForecastRequest* request,
                                                       crm::v1::Forecast* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return reports_.Forecast(call, *request);
  });
}

grpc::ServerUnaryReactor* PipelineHandler::GetOwnerPerformance(Context* context,
                                                               const crm::v1::GetOwnerPerformanceRequest* request,
                                                               crm::v1::OwnerPerformance* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return reports_.OwnerPerformance(call, *request);
  });
}

grpc::ServerUnaryReactor* PipelineHandler::GetTargetGroupDistribution(
    Context* context, const crm::v1::GetTargetGroupDistributionRequest* request,
    crm::v1::TargetGroupDistribution* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return reports_.TargetGroupDistribution(call, *request);
  });
}

}  // namespace crm::pipeline
