// ServiceDeskService sla methods: the gRPC edge only; the rules live in SlaLogic.
#include "common/server/unary.h"
#include "services/servicedesk/servicedesk_handler.h"

namespace crm::servicedesk {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateCalendar(Context* context,
                                                             const crm::v1::CreateCalendarRequest* request,
                                                             crm::v1::BusinessCalendar* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.CreateCalendar(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetCalendar(Context* context, const crm::v1::GetCalendarRequest* request,
                                                          crm::v1::BusinessCalendar* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.GetCalendar(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListCalendars(Context* context,
                                                            const crm::v1::ListCalendarsRequest* request,
                                                            crm::v1::ListCalendarsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.ListCalendars(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateCalendar(Context* context,
                                                             const crm::v1::UpdateCalendarRequest* request,
                                                             crm::v1::BusinessCalendar* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.UpdateCalendar(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateSlaPolicy(Context* context,
                                                              const crm::v1::CreateSlaPolicyRequest* request,
                                                              crm::v1::SlaPolicy* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.CreatePolicy(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSlaPolicy(Context* context,
                                                           const crm::v1::GetSlaPolicyRequest* request,
                                                           crm::v1::SlaPolicy* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.GetPolicy(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListSlaPolicies(Context* context,
                                                              const crm::v1::ListSlaPoliciesRequest* request,
                                                              crm::v1::ListSlaPoliciesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.ListPolicies(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateSlaPolicy(Context* context,
                                                              const crm::v1::UpdateSlaPolicyRequest* request,
                                                              crm::v1::SlaPolicy* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.UpdatePolicy(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::DeleteSlaPolicy(Context* context,
                                                              const crm::v1::DeleteSlaPolicyRequest* request,
                                                              crm::v1::DeleteSlaPolicyResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return sla_.DeletePolicy(call, *request); });
}

}  // namespace crm::servicedesk
