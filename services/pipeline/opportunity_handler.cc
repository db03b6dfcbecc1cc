#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::CreateOpportunity(Context* context, const crm::v1::CreateOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetOpportunity(Context* context, const crm::v1::GetOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateOpportunity(Context* context, const crm::v1::UpdateOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListOpportunities(Context* context, const crm::v1::ListOpportunitiesRequest*, crm::v1::ListOpportunitiesResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListOpportunities is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::MoveOpportunity(Context* context, const crm::v1::MoveOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "MoveOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::CloseOpportunity(Context* context, const crm::v1::CloseOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CloseOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ReopenOpportunity(Context* context, const crm::v1::ReopenOpportunityRequest*, crm::v1::Opportunity*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ReopenOpportunity is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListStageChanges(Context* context, const crm::v1::ListStageChangesRequest*, crm::v1::ListStageChangesResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListStageChanges is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
