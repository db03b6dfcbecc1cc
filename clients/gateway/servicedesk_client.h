// ServiceDeskClient: the public face of ServiceDeskService for C++ callers. A cheap value to copy
// (it shares one connection); every call returns absl::Status / absl::StatusOr carrying the
// server's code, message and field violations (crm::FieldViolationsOf in common/core/errors.h).
//
// It has one method per RPC, named as the RPC (the list is servicedesk_rpcs.h):
//   absl::StatusOr<v1::Ticket> CreateTicket(const v1::CreateTicketRequest&);
//   absl::StatusOr<v1::DeadlineExplanation> ExplainDeadline(const v1::ExplainDeadlineRequest&);
// and a ListAll<Plural> for every list that pages by token:
//   StreamRange<v1::Ticket> ListAllTickets(v1::ListTicketsRequest);
//   StreamRange<v1::TicketChange> ListAllTicketHistory(v1::ListTicketHistoryRequest);
//
// Reads (Get*, List*, SearchSolutions, ExplainDeadline, GetServiceMetrics) are retried on
// UNAVAILABLE. Creates and AddComment get a random request_id when the request has none, which
// makes them safe to retry, and are retried; set your own to make them idempotent across your
// own retries too. Updates, assignments, status changes, reopens, escalations, deletes,
// LinkSolution and SubmitSurvey are sent once: on UNAVAILABLE read the entity again and decide.
#pragma once

#include <memory>

#include "clients/gateway/servicedesk_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class ServiceDeskClient {
 public:
  explicit ServiceDeskClient(std::shared_ptr<ServiceDeskConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_SERVICEDESK_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_SERVICEDESK_CONNECTION_SIGNATURE(Method, Request, Response) {     \
    return connection_->Method(request);                                \
  }
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_CLIENT_FORWARD)
#undef CRM_SERVICEDESK_CLIENT_FORWARD

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one List call. A failed page ends the range with its error as the last element.
#define CRM_SERVICEDESK_CLIENT_LIST_ALL(Element, Plural, field) \
  StreamRange<v1::Element> ListAll##Plural(v1::List##Plural##Request request);
  CRM_SERVICEDESK_PAGED_LISTS(CRM_SERVICEDESK_CLIENT_LIST_ALL)
#undef CRM_SERVICEDESK_CLIENT_LIST_ALL

 private:
  std::shared_ptr<ServiceDeskConnection> connection_;
};

}  // namespace crm::client
