// ServiceDeskService sla methods: the gRPC edge only; the rules live in SlaLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateCalendar(Context* context, const crm::v1::CreateCalendarRequest* request,
                                                   crm::v1::BusinessCalendar* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetCalendar(Context* context, const crm::v1::GetCalendarRequest* request,
                                                   crm::v1::BusinessCalendar* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListCalendars(Context* context, const crm::v1::ListCalendarsRequest* request,
                                                   crm::v1::ListCalendarsResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateCalendar(Context* context, const crm::v1::UpdateCalendarRequest* request,
                                                   crm::v1::BusinessCalendar* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateSlaPolicy(Context* context, const crm::v1::CreateSlaPolicyRequest* request,
                                                   crm::v1::SlaPolicy* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSlaPolicy(Context* context, const crm::v1::GetSlaPolicyRequest* request,
                                                   crm::v1::SlaPolicy* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSlaPolicies(Context* context, const crm::v1::ListSlaPoliciesRequest* request,
                                                   crm::v1::ListSlaPoliciesResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateSlaPolicy(Context* context, const crm::v1::UpdateSlaPolicyRequest* request,
                                                   crm::v1::SlaPolicy* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::DeleteSlaPolicy(Context* context, const crm::v1::DeleteSlaPolicyRequest* request,
                                                   crm::v1::DeleteSlaPolicyResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
