#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::SetTeam(Context* context, const crm::v1::SetTeamRequest*, crm::v1::Team*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "SetTeam is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListTeams(Context* context, const crm::v1::ListTeamsRequest*, crm::v1::ListTeamsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListTeams is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::SetTarget(Context* context, const crm::v1::SetTargetRequest*, crm::v1::Target*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "SetTarget is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListTargets(Context* context, const crm::v1::ListTargetsRequest*, crm::v1::ListTargetsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListTargets is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
