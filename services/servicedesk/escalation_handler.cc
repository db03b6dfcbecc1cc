// ServiceDeskService manual escalation: the gRPC edge only; the rules live in EscalationLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "common/server/unary.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::EscalateTicket(Context* context,
                                                             const crm::v1::EscalateTicketRequest* request,
                                                             crm::v1::Ticket* response) {
  return server::ServeUnary(context, *rt_.workers, response, [this, request](const server::CallContext& call) {
    return escalations_.Escalate(call, *request);
  });
}

}  // namespace crm::servicedesk
