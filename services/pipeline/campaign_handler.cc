#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::CreateCampaign(Context* context, const crm::v1::CreateCampaignRequest*, crm::v1::Campaign*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateCampaign is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetCampaign(Context* context, const crm::v1::GetCampaignRequest*, crm::v1::Campaign*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetCampaign is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateCampaign(Context* context, const crm::v1::UpdateCampaignRequest*, crm::v1::Campaign*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateCampaign is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListCampaigns(Context* context, const crm::v1::ListCampaignsRequest*, crm::v1::ListCampaignsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListCampaigns is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetCampaignPerformance(Context* context, const crm::v1::GetCampaignPerformanceRequest*, crm::v1::CampaignPerformance*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetCampaignPerformance is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
