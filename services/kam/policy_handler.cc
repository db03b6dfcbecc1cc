// KeyAccountService tier policies, manager coverage and contact cadence: the gRPC edge only; the rules live in PolicyLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::ListTierPolicies(Context* context, const crm::v1::ListTierPoliciesRequest* request,
    crm::v1::ListTierPoliciesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return policies_.List(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::UpdateTierPolicy(Context* context, const crm::v1::UpdateTierPolicyRequest* request,
    crm::v1::TierPolicy* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return policies_.Update(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListAccountsWithoutManager(Context* context, const crm::v1::ListAccountsWithoutManagerRequest* request,
    crm::v1::ListAccountsWithoutManagerResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return policies_.ListAccountsWithoutManager(call, *request); });
}

grpc::ServerUnaryReactor* KeyAccountHandler::ListOverdueContacts(Context* context, const crm::v1::ListOverdueContactsRequest* request,
    crm::v1::ListOverdueContactsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return policies_.ListOverdueContacts(call, *request); });
}

}  // namespace crm::kam
