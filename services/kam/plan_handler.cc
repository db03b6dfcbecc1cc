// KeyAccountService key account plans: the gRPC edge only; the rules live in PlanLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::CreateAccountPlan(Context* context, const crm::v1::CreateAccountPlanRequest* request,
    crm::v1::AccountPlan* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return plans_.Create(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::GetAccountPlan(Context* context, const crm::v1::GetAccountPlanRequest* request,
    crm::v1::AccountPlan* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return plans_.Get(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::UpdateAccountPlan(Context* context, const crm::v1::UpdateAccountPlanRequest* request,
    crm::v1::AccountPlan* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return plans_.Update(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListAccountPlans(Context* context, const crm::v1::ListAccountPlansRequest* request,
    crm::v1::ListAccountPlansResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return plans_.List(call, *request); });
}

}  // namespace crm::kam
