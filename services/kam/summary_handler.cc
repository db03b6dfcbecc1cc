// KeyAccountService dashboard summaries: the gRPC edge only; the rules live in SummaryLogic.
#include "common/server/unary.h"
#include "services/kam/kam_handler.h"

namespace crm::kam {

using server::CallContext;
using server::ServeUnary;

grpc::ServerUnaryReactor* KeyAccountHandler::GetTierSummary(Context* context, const crm::v1::GetTierSummaryRequest* request,
    crm::v1::TierSummary* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return summaries_.GetTierSummary(call, *request); });
}

}  // namespace crm::kam
