// ServiceDeskService metrics methods: the gRPC edge only; the rules live in MetricsLogic.
#include "common/server/unary.h"
#include "services/servicedesk/servicedesk_handler.h"

namespace crm::servicedesk {

using server::CallContext;
using server::ServeUnary;

grpc::ServerUnaryReactor* ServiceDeskHandler::GetServiceMetrics(Context* context,
                                                                const crm::v1::GetServiceMetricsRequest* request,
                                                                crm::v1::ServiceMetrics* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return metrics_.GetServiceMetrics(call, *request); });
}

}  // namespace crm::servicedesk
