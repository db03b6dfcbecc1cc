// ServiceDeskService metrics methods: the gRPC edge only; the rules live in MetricsLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::GetServiceMetrics(Context* context, const crm::v1::GetServiceMetricsRequest* request,
                                                   crm::v1::ServiceMetrics* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
