// The gRPC edge of ServiceDeskService: decodes each call, hands it to the domain logic on the
// worker pool and maps the result. Methods are defined per area in <area>_handler.cc.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "services/servicedesk/escalation_logic.h"
#include "services/servicedesk/knowledge_logic.h"
#include "services/servicedesk/metrics_logic.h"
#include "services/servicedesk/sla_logic.h"
#include "services/servicedesk/survey_logic.h"
#include "services/servicedesk/ticket_logic.h"

namespace crm::servicedesk {

class ServiceDeskHandler final : public crm::v1::ServiceDeskService::CallbackService {
 public:
  explicit ServiceDeskHandler(const server::Runtime& runtime);

  using Context = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  Unary* CreateTicket(Context*, const crm::v1::CreateTicketRequest*, crm::v1::Ticket*) override;
  Unary* GetTicket(Context*, const crm::v1::GetTicketRequest*, crm::v1::Ticket*) override;
  Unary* ListTickets(Context*, const crm::v1::ListTicketsRequest*, crm::v1::ListTicketsResponse*) override;
  Unary* UpdateTicket(Context*, const crm::v1::UpdateTicketRequest*, crm::v1::Ticket*) override;
  Unary* AssignTicket(Context*, const crm::v1::AssignTicketRequest*, crm::v1::Ticket*) override;
  Unary* ChangeTicketStatus(Context*, const crm::v1::ChangeTicketStatusRequest*, crm::v1::Ticket*) override;
  Unary* ReopenTicket(Context*, const crm::v1::ReopenTicketRequest*, crm::v1::Ticket*) override;
  Unary* EscalateTicket(Context*, const crm::v1::EscalateTicketRequest*, crm::v1::Ticket*) override;
  Unary* AddComment(Context*, const crm::v1::AddCommentRequest*, crm::v1::TicketComment*) override;
  Unary* ListComments(Context*, const crm::v1::ListCommentsRequest*, crm::v1::ListCommentsResponse*) override;
  Unary* ListTicketHistory(Context*, const crm::v1::ListTicketHistoryRequest*, crm::v1::ListTicketHistoryResponse*) override;
  Unary* ExplainDeadline(Context*, const crm::v1::ExplainDeadlineRequest*, crm::v1::DeadlineExplanation*) override;

  Unary* CreateCalendar(Context*, const crm::v1::CreateCalendarRequest*, crm::v1::BusinessCalendar*) override;
  Unary* GetCalendar(Context*, const crm::v1::GetCalendarRequest*, crm::v1::BusinessCalendar*) override;
  Unary* ListCalendars(Context*, const crm::v1::ListCalendarsRequest*, crm::v1::ListCalendarsResponse*) override;
  Unary* UpdateCalendar(Context*, const crm::v1::UpdateCalendarRequest*, crm::v1::BusinessCalendar*) override;
  Unary* CreateSlaPolicy(Context*, const crm::v1::CreateSlaPolicyRequest*, crm::v1::SlaPolicy*) override;
  Unary* GetSlaPolicy(Context*, const crm::v1::GetSlaPolicyRequest*, crm::v1::SlaPolicy*) override;
  Unary* ListSlaPolicies(Context*, const crm::v1::ListSlaPoliciesRequest*, crm::v1::ListSlaPoliciesResponse*) override;
  Unary* UpdateSlaPolicy(Context*, const crm::v1::UpdateSlaPolicyRequest*, crm::v1::SlaPolicy*) override;
  Unary* DeleteSlaPolicy(Context*, const crm::v1::DeleteSlaPolicyRequest*, crm::v1::DeleteSlaPolicyResponse*) override;

  Unary* CreateSolution(Context*, const crm::v1::CreateSolutionRequest*, crm::v1::Solution*) override;
  Unary* GetSolution(Context*, const crm::v1::GetSolutionRequest*, crm::v1::Solution*) override;
  Unary* UpdateSolution(Context*, const crm::v1::UpdateSolutionRequest*, crm::v1::Solution*) override;
  Unary* DeleteSolution(Context*, const crm::v1::DeleteSolutionRequest*, crm::v1::DeleteSolutionResponse*) override;
  Unary* ListSolutions(Context*, const crm::v1::ListSolutionsRequest*, crm::v1::ListSolutionsResponse*) override;
  Unary* SearchSolutions(Context*, const crm::v1::SearchSolutionsRequest*, crm::v1::SearchSolutionsResponse*) override;
  Unary* LinkSolution(Context*, const crm::v1::LinkSolutionRequest*, crm::v1::SolutionLink*) override;
  Unary* ListSolutionLinks(Context*, const crm::v1::ListSolutionLinksRequest*, crm::v1::ListSolutionLinksResponse*) override;

  Unary* SubmitSurvey(Context*, const crm::v1::SubmitSurveyRequest*, crm::v1::SatisfactionSurvey*) override;
  Unary* GetSurvey(Context*, const crm::v1::GetSurveyRequest*, crm::v1::SatisfactionSurvey*) override;

  Unary* GetServiceMetrics(Context*, const crm::v1::GetServiceMetricsRequest*, crm::v1::ServiceMetrics*) override;

 private:
  const server::Runtime& rt_;
  TicketLogic tickets_;
  EscalationLogic escalations_;
  SlaLogic sla_;
  KnowledgeLogic knowledge_;
  SurveyLogic surveys_;
  MetricsLogic metrics_;
};

}  // namespace crm::servicedesk
