// ServiceDeskService manual escalation: the gRPC edge only; the rules live in EscalationLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::EscalateTicket(Context* context, const crm::v1::EscalateTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
