#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::CreatePipeline(Context* context, const crm::v1::CreatePipelineRequest*, crm::v1::Pipeline*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreatePipeline is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetPipeline(Context* context, const crm::v1::GetPipelineRequest*, crm::v1::Pipeline*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetPipeline is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListPipelines(Context* context, const crm::v1::ListPipelinesRequest*, crm::v1::ListPipelinesResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListPipelines is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::UpdatePipeline(Context* context, const crm::v1::UpdatePipelineRequest*, crm::v1::Pipeline*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdatePipeline is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetSalesSettings(Context* context, const crm::v1::GetSalesSettingsRequest*, crm::v1::SalesSettings*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetSalesSettings is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateSalesSettings(Context* context, const crm::v1::UpdateSalesSettingsRequest*, crm::v1::SalesSettings*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateSalesSettings is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
