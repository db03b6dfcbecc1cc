// ServiceDeskService ticket methods: the gRPC edge only; the rules live in TicketLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateTicket(Context* context, const crm::v1::CreateTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetTicket(Context* context, const crm::v1::GetTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListTickets(Context* context, const crm::v1::ListTicketsRequest* request,
                                                   crm::v1::ListTicketsResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateTicket(Context* context, const crm::v1::UpdateTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::AssignTicket(Context* context, const crm::v1::AssignTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ChangeTicketStatus(Context* context, const crm::v1::ChangeTicketStatusRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ReopenTicket(Context* context, const crm::v1::ReopenTicketRequest* request,
                                                   crm::v1::Ticket* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::AddComment(Context* context, const crm::v1::AddCommentRequest* request,
                                                   crm::v1::TicketComment* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListComments(Context* context, const crm::v1::ListCommentsRequest* request,
                                                   crm::v1::ListCommentsResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListTicketHistory(Context* context, const crm::v1::ListTicketHistoryRequest* request,
                                                   crm::v1::ListTicketHistoryResponse* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ExplainDeadline(Context* context, const crm::v1::ExplainDeadlineRequest* request,
                                                   crm::v1::DeadlineExplanation* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
