#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

// Not implemented yet: each answers UNIMPLEMENTED until its logic lands.

grpc::ServerUnaryReactor* PipelineHandler::CreateLead(Context* context, const crm::v1::CreateLeadRequest*, crm::v1::Lead*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "CreateLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::GetLead(Context* context, const crm::v1::GetLeadRequest*, crm::v1::Lead*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "GetLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::UpdateLead(Context* context, const crm::v1::UpdateLeadRequest*, crm::v1::Lead*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "UpdateLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::DeleteLead(Context* context, const crm::v1::DeleteLeadRequest*, crm::v1::DeleteLeadResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "DeleteLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ListLeads(Context* context, const crm::v1::ListLeadsRequest*, crm::v1::ListLeadsResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ListLeads is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::QualifyLead(Context* context, const crm::v1::QualifyLeadRequest*, crm::v1::Lead*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "QualifyLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::DisqualifyLead(Context* context, const crm::v1::DisqualifyLeadRequest*, crm::v1::Lead*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "DisqualifyLead is not implemented yet"));
  return reactor;
}

grpc::ServerUnaryReactor* PipelineHandler::ConvertLead(Context* context, const crm::v1::ConvertLeadRequest*, crm::v1::ConvertLeadResponse*) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "ConvertLead is not implemented yet"));
  return reactor;
}

}  // namespace crm::pipeline
