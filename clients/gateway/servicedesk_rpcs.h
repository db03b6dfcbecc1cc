// Every unary RPC of crm.v1.ServiceDeskService, listed once. Each layer of the service desk client
// (stub, metadata decorator, connection, client, mocks) expands this list, as pipeline_rpcs.h
// does for PipelineService; servicedesk_connection_test.cc checks the list against the service.
//
// A row is X(Method, Request, Response, Kind), with the kinds of pipeline_rpcs.h:
//   kRead    a read: retried on UNAVAILABLE;
//   kCreate  carries a request_id, which the connection fills in when the caller left it empty;
//            the server answers a repeated request_id with the first result, so it is retried;
//   kChange  sent once (an etag does not make a retry safe: a retry of a change that committed
//            meets the new etag and reports ABORTED for a change that succeeded).
#pragma once

#define CRM_SERVICEDESK_RPCS(X)                                                                 \
  X(CreateTicket, CreateTicketRequest, Ticket, kCreate)                                         \
  X(GetTicket, GetTicketRequest, Ticket, kRead)                                                 \
  X(ListTickets, ListTicketsRequest, ListTicketsResponse, kRead)                                \
  X(UpdateTicket, UpdateTicketRequest, Ticket, kChange)                                         \
  X(AssignTicket, AssignTicketRequest, Ticket, kChange)                                         \
  X(ChangeTicketStatus, ChangeTicketStatusRequest, Ticket, kChange)                             \
  X(ReopenTicket, ReopenTicketRequest, Ticket, kChange)                                         \
  /* A repeat would raise the level a second time. */                                           \
  X(EscalateTicket, EscalateTicketRequest, Ticket, kChange)                                     \
  /* Carries a request_id like a create: a retry returns the first comment. */                  \
  X(AddComment, AddCommentRequest, TicketComment, kCreate)                                      \
  X(ListComments, ListCommentsRequest, ListCommentsResponse, kRead)                             \
  X(ListTicketHistory, ListTicketHistoryRequest, ListTicketHistoryResponse, kRead)              \
  X(ExplainDeadline, ExplainDeadlineRequest, DeadlineExplanation, kRead)                        \
                                                                                                \
  X(CreateCalendar, CreateCalendarRequest, BusinessCalendar, kCreate)                           \
  X(GetCalendar, GetCalendarRequest, BusinessCalendar, kRead)                                   \
  X(ListCalendars, ListCalendarsRequest, ListCalendarsResponse, kRead)                          \
  X(UpdateCalendar, UpdateCalendarRequest, BusinessCalendar, kChange)                           \
                                                                                                \
  X(CreateSlaPolicy, CreateSlaPolicyRequest, SlaPolicy, kCreate)                                \
  X(GetSlaPolicy, GetSlaPolicyRequest, SlaPolicy, kRead)                                        \
  X(ListSlaPolicies, ListSlaPoliciesRequest, ListSlaPoliciesResponse, kRead)                    \
  X(UpdateSlaPolicy, UpdateSlaPolicyRequest, SlaPolicy, kChange)                                \
  X(DeleteSlaPolicy, DeleteSlaPolicyRequest, DeleteSlaPolicyResponse, kChange)                  \
                                                                                                \
  X(CreateSolution, CreateSolutionRequest, Solution, kCreate)                                   \
  X(GetSolution, GetSolutionRequest, Solution, kRead)                                           \
  X(UpdateSolution, UpdateSolutionRequest, Solution, kChange)                                   \
  X(DeleteSolution, DeleteSolutionRequest, DeleteSolutionResponse, kChange)                     \
  X(ListSolutions, ListSolutionsRequest, ListSolutionsResponse, kRead)                          \
  X(SearchSolutions, SearchSolutionsRequest, SearchSolutionsResponse, kRead)                    \
  /* No request_id, and linking a pair again is ALREADY_EXISTS: a retry after a lost reply */   \
  /* would report ALREADY_EXISTS for a link that was made. */                                   \
  X(LinkSolution, LinkSolutionRequest, SolutionLink, kChange)                                   \
  X(ListSolutionLinks, ListSolutionLinksRequest, ListSolutionLinksResponse, kRead)              \
                                                                                                \
  /* No request_id, and a second survey is ALREADY_EXISTS: a retry after a lost reply would */  \
  /* report ALREADY_EXISTS for a survey that was recorded. */                                   \
  X(SubmitSurvey, SubmitSurveyRequest, SatisfactionSurvey, kChange)                             \
  X(GetSurvey, GetSurveyRequest, SatisfactionSurvey, kRead)                                     \
                                                                                                \
  X(GetServiceMetrics, GetServiceMetricsRequest, ServiceMetrics, kRead)

// The lists that page by page_token / next_page_token, as X(Element, Plural, field): the
// client offers ListAll<Plural>(List<Plural>Request) over List<Plural>, yielding every Element
// of the response's repeated `field`. (SearchSolutions answers in one piece.)
#define CRM_SERVICEDESK_PAGED_LISTS(X)                                                          \
  X(Ticket, Tickets, tickets)                                                                   \
  X(TicketComment, Comments, comments)                                                          \
  X(TicketChange, TicketHistory, changes)                                                       \
  X(BusinessCalendar, Calendars, calendars)                                                     \
  X(SlaPolicy, SlaPolicies, policies)                                                           \
  X(Solution, Solutions, solutions)                                                             \
  X(SolutionLink, SolutionLinks, links)
