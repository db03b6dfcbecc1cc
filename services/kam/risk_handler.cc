// KeyAccountService churn risk and lifetime value: the gRPC edge only; the rules live in RiskLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::GetChurnRisk(Context* context, const crm::v1::GetChurnRiskRequest* request,
    crm::v1::ChurnRisk* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return risks_.GetChurnRisk(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListAccountsAtRisk(Context* context, const crm::v1::ListAccountsAtRiskRequest* request,
    crm::v1::ListAccountsAtRiskResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return risks_.ListAccountsAtRisk(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::GetLifetimeValue(Context* context, const crm::v1::GetLifetimeValueRequest* request,
    crm::v1::LifetimeValue* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return risks_.GetLifetimeValue(call, *request); });
}

}  // namespace crm::kam
