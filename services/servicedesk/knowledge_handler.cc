// ServiceDeskService knowledge methods: the gRPC edge only; the rules live in KnowledgeLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateSolution(Context* context, const crm::v1::CreateSolutionRequest* request,
                                                   crm::v1::Solution* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSolution(Context* context, const crm::v1::GetSolutionRequest* request,
                                                   crm::v1::Solution* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateSolution(Context* context, const crm::v1::UpdateSolutionRequest* request,
                                                   crm::v1::Solution* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::DeleteSolution(Context* context, const crm::v1::DeleteSolutionRequest* request,
                                                   crm::v1::DeleteSolutionResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSolutions(Context* context, const crm::v1::ListSolutionsRequest* request,
                                                   crm::v1::ListSolutionsResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::SearchSolutions(Context* context, const crm::v1::SearchSolutionsRequest* request,
                                                   crm::v1::SearchSolutionsResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::LinkSolution(Context* context, const crm::v1::LinkSolutionRequest* request,
                                                   crm::v1::SolutionLink* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSolutionLinks(Context* context, const crm::v1::ListSolutionLinksRequest* request,
                                                   crm::v1::ListSolutionLinksResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
