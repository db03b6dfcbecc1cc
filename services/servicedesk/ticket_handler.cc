// ServiceDeskService ticket methods: the gRPC edge only; the rules live in TicketLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "common/server/unary.h"

namespace crm::servicedesk {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* ServiceDeskHandler::CreateTicket(Context* context, const crm::v1::CreateTicketRequest* request,
    crm::v1::Ticket* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.Create(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetTicket(Context* context, const crm::v1::GetTicketRequest* request,
    crm::v1::Ticket* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.Get(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListTickets(Context* context, const crm::v1::ListTicketsRequest* request,
    crm::v1::ListTicketsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.List(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::UpdateTicket(Context* context, const crm::v1::UpdateTicketRequest* request,
    crm::v1::Ticket* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.Update(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::AssignTicket(Context* context, const crm::v1::AssignTicketRequest* request,
    crm::v1::Ticket* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.Assign(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ChangeTicketStatus(Context* context, const crm::v1::ChangeTicketStatusRequest* request,
    crm::v1::Ticket* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.ChangeStatus(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ReopenTicket(Context* context, const crm::v1::ReopenTicketRequest* request,
    crm::v1::Ticket* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.Reopen(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::AddComment(Context* context, const crm::v1::AddCommentRequest* request,
    crm::v1::TicketComment* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.AddComment(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListComments(Context* context, const crm::v1::ListCommentsRequest* request,
    crm::v1::ListCommentsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.ListComments(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ListTicketHistory(Context* context, const crm::v1::ListTicketHistoryRequest* request,
    crm::v1::ListTicketHistoryResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.ListHistory(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::ExplainDeadline(Context* context, const crm::v1::ExplainDeadlineRequest* request,
    crm::v1::DeadlineExplanation* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return tickets_.ExplainDeadline(call, *request); });
}

}  // namespace crm::servicedesk
