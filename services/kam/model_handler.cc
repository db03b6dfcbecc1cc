// KeyAccountService scoring models: the gRPC edge only; the rules live in ModelLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::GetScoringModel(Context* context, const crm::v1::GetScoringModelRequest* request,
    crm::v1::ScoringModel* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return models_.Get(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListScoringModels(Context* context, const crm::v1::ListScoringModelsRequest* request,
    crm::v1::ListScoringModelsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return models_.List(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::UpdateScoringModel(Context* context, const crm::v1::UpdateScoringModelRequest* request,
    crm::v1::ScoringModel* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return models_.Update(call, *request); });
}

}  // namespace crm::kam
