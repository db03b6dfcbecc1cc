// ServiceDeskService knowledge methods: the gRPC edge only; the rules live in KnowledgeLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "common/server/unary.h"

namespace crm::servicedesk {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateSolution(Context* context,
                                                             const crm::v1::CreateSolutionRequest* request,
                                                             crm::v1::Solution* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Create(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSolution(Context* context, const crm::v1::GetSolutionRequest* request,
                                                          crm::v1::Solution* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Get(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateSolution(Context* context,
                                                             const crm::v1::UpdateSolutionRequest* request,
                                                             crm::v1::Solution* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Update(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::DeleteSolution(Context* context,
                                                             const crm::v1::DeleteSolutionRequest* request,
                                                             crm::v1::DeleteSolutionResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Delete(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSolutions(Context* context,
                                                            const crm::v1::ListSolutionsRequest* request,
                                                            crm::v1::ListSolutionsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.List(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::SearchSolutions(Context* context,
                                                              const crm::v1::SearchSolutionsRequest* request,
                                                              crm::v1::SearchSolutionsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Search(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::LinkSolution(Context* context,
                                                           const crm::v1::LinkSolutionRequest* request,
                                                           crm::v1::SolutionLink* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.Link(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSolutionLinks(Context* context,
                                                                const crm::v1::ListSolutionLinksRequest* request,
                                                                crm::v1::ListSolutionLinksResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return knowledge_.ListLinks(call, *request); });
}

}  // namespace crm::servicedesk
