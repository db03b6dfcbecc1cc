// PipelineClient: the public face of PipelineService for C++ callers. A cheap value to copy (it
// shares one connection); every call returns absl::Status / absl::StatusOr carrying the server's
// code, message and field violations (crm::FieldViolationsOf in common/core/errors.h).
//
// It has one method per RPC, named as the RPC (the list is pipeline_rpcs.h):
//   absl::StatusOr<v1::Opportunity> CreateOpportunity(const v1::CreateOpportunityRequest&);
//   absl::StatusOr<v1::Funnel> GetFunnel(const v1::GetFunnelRequest&);
// and a ListAll<Plural> for every list that pages by token:
//   StreamRange<v1::Opportunity> ListAllOpportunities(v1::ListOpportunitiesRequest);
//
//   crm::client::PipelineClient pipeline = gateway->pipeline();
//   for (const absl::StatusOr<crm::v1::Opportunity>& o : pipeline.ListAllOpportunities(list)) {
//     if (!o.ok()) return o.status();  // the last element when a page fails
//   }
//
// Reads (Get*, List*, the analytics) are retried on UNAVAILABLE. Creates, ConvertLead and
// RecordPayment get a random request_id when the request has none, which makes them safe to
// retry, and are retried; set your own to make them idempotent across your own retries too.
// Updates, moves, closes, reopens, qualify / disqualify, cancels and Set* are sent once: on
// UNAVAILABLE read the entity again and decide.
#pragma once

#include <memory>

#include "clients/gateway/pipeline_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class PipelineClient {
 public:
  explicit PipelineClient(std::shared_ptr<PipelineConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_PIPELINE_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_PIPELINE_CONNECTION_SIGNATURE(Method, Request, Response) {     \
    return connection_->Method(request);                             \
  }
  CRM_PIPELINE_RPCS(CRM_PIPELINE_CLIENT_FORWARD)
#undef CRM_PIPELINE_CLIENT_FORWARD

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one List call. A failed page ends the range with its error as the last element.
#define CRM_PIPELINE_CLIENT_LIST_ALL(Element, Plural, field) \
  StreamRange<v1::Element> ListAll##Plural(v1::List##Plural##Request request);
  CRM_PIPELINE_PAGED_LISTS(CRM_PIPELINE_CLIENT_LIST_ALL)
#undef CRM_PIPELINE_CLIENT_LIST_ALL

 private:
  std::shared_ptr<PipelineConnection> connection_;
};

}  // namespace crm::client
