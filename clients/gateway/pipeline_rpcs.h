// Every unary RPC of crm.v1.PipelineService, listed once. Each layer of the pipeline client (stub,
// metadata decorator, connection, client, mocks) expands this list instead of repeating a
// forwarding function per RPC by hand; adding an RPC to the proto means adding one line here
// (pipeline_connection_test.cc checks that the list matches the service).
//
// A row is X(Method, Request, Response, Kind): the RPC's name, its request and response types
// (in crm::v1) and how the connection treats it (retry_loop.h):
//   kRead    a read: retried on UNAVAILABLE;
//   kCreate  carries a request_id, which the connection fills in when the caller left it empty;
//            the server answers a repeated request_id with the first result, so it is retried;
//   kChange  an update, state change, delete or replace: sent once. An etag does not make a
//            retry safe: if the first attempt committed and only its reply was lost, the retry
//            meets the new etag and reports ABORTED for a change that succeeded.
#pragma once

#define CRM_PIPELINE_RPCS(X)                                                              \
  X(CreatePipeline, CreatePipelineRequest, Pipeline, kCreate)                             \
  X(GetPipeline, GetPipelineRequest, Pipeline, kRead)                                     \
  X(ListPipelines, ListPipelinesRequest, ListPipelinesResponse, kRead)                    \
  X(UpdatePipeline, UpdatePipelineRequest, Pipeline, kChange)                             \
                                                                                          \
  X(CreateLead, CreateLeadRequest, Lead, kCreate)                                         \
  X(GetLead, GetLeadRequest, Lead, kRead)                                                 \
  X(UpdateLead, UpdateLeadRequest, Lead, kChange)                                         \
  X(DeleteLead, DeleteLeadRequest, DeleteLeadResponse, kChange)                           \
  X(ListLeads, ListLeadsRequest, ListLeadsResponse, kRead)                                \
  X(QualifyLead, QualifyLeadRequest, Lead, kChange)                                       \
  X(DisqualifyLead, DisqualifyLeadRequest, Lead, kChange)                                 \
  /* Replayed by request_id like a create: a retry returns the first conversion. */       \
  X(ConvertLead, ConvertLeadRequest, ConvertLeadResponse, kCreate)                        \
                                                                                          \
  X(CreateOpportunity, CreateOpportunityRequest, Opportunity, kCreate)                    \
  X(GetOpportunity, GetOpportunityRequest, Opportunity, kRead)                            \
  X(UpdateOpportunity, UpdateOpportunityRequest, Opportunity, kChange)                    \
  X(ListOpportunities, ListOpportunitiesRequest, ListOpportunitiesResponse, kRead)        \
  X(MoveOpportunity, MoveOpportunityRequest, Opportunity, kChange)                        \
  X(CloseOpportunity, CloseOpportunityRequest, Opportunity, kChange)                      \
  X(ReopenOpportunity, ReopenOpportunityRequest, Opportunity, kChange)                    \
  X(ListStageChanges, ListStageChangesRequest, ListStageChangesResponse, kRead)           \
                                                                                          \
  X(CreateOrder, CreateOrderRequest, Order, kCreate)                                      \
  X(GetOrder, GetOrderRequest, Order, kRead)                                              \
  X(ListOrders, ListOrdersRequest, ListOrdersResponse, kRead)                             \
  X(CancelOrder, CancelOrderRequest, Order, kChange)                                      \
  X(RecordPayment, RecordPaymentRequest, Payment, kCreate)                                \
  X(ListPayments, ListPaymentsRequest, ListPaymentsResponse, kRead)                       \
  X(GetReceivables, GetReceivablesRequest, Receivables, kRead)                            \
                                                                                          \
  X(CreateCampaign, CreateCampaignRequest, Campaign, kCreate)                             \
  X(GetCampaign, GetCampaignRequest, Campaign, kRead)                                     \
  X(UpdateCampaign, UpdateCampaignRequest, Campaign, kChange)                             \
  X(ListCampaigns, ListCampaignsRequest, ListCampaignsResponse, kRead)                    \
  X(GetCampaignPerformance, GetCampaignPerformanceRequest, CampaignPerformance, kRead)    \
                                                                                          \
  /* Replace by key: no request_id, and a retry could undo someone else's change. */      \
  X(SetTeam, SetTeamRequest, Team, kChange)                                               \
  X(ListTeams, ListTeamsRequest, ListTeamsResponse, kRead)                                \
  X(SetTarget, SetTargetRequest, Target, kChange)                                         \
  X(ListTargets, ListTargetsRequest, ListTargetsResponse, kRead)                          \
                                                                                          \
  X(GetSalesSettings, GetSalesSettingsRequest, SalesSettings, kRead)                      \
  X(UpdateSalesSettings, UpdateSalesSettingsRequest, SalesSettings, kChange)              \
                                                                                          \
  X(GetFunnel, GetFunnelRequest, Funnel, kRead)                                           \
  X(GetForecast, GetForecastRequest, Forecast, kRead)                                     \
  X(GetOwnerPerformance, GetOwnerPerformanceRequest, OwnerPerformance, kRead)             \
  X(GetTargetGroupDistribution, GetTargetGroupDistributionRequest,                        \
    TargetGroupDistribution, kRead)

// The lists that page by page_token / next_page_token, as X(Element, Plural, field): the
// client offers ListAll<Plural>(List<Plural>Request) over List<Plural>, yielding every Element
// of the response's repeated `field`. (ListTeams and ListTargets answer in one piece.)
#define CRM_PIPELINE_PAGED_LISTS(X)                                                       \
  X(Pipeline, Pipelines, pipelines)                                                       \
  X(Lead, Leads, leads)                                                                   \
  X(Opportunity, Opportunities, opportunities)                                            \
  X(StageChange, StageChanges, changes)                                                   \
  X(Order, Orders, orders)                                                                \
  X(Payment, Payments, payments)                                                          \
  X(Campaign, Campaigns, campaigns)
