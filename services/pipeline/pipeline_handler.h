// The gRPC edge of PipelineService: decodes each call, hands it to the domain logic on the
// worker pool and maps the result. Methods are defined per area in <area>_handler.cc.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/pipeline/opportunity_logic.h"
#include "services/pipeline/lead_logic.h"
#include "services/pipeline/campaign_logic.h"
#include "services/pipeline/order_logic.h"
#include "services/pipeline/target_logic.h"
#include "services/pipeline/analytics_logic.h"
#include "services/pipeline/report_logic.h"

namespace crm::pipeline {

class PipelineHandler final : public crm::v1::PipelineService::CallbackService {
 public:
  explicit PipelineHandler(const server::Runtime& runtime);

  using Context = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  Unary* CreatePipeline(Context*, const crm::v1::CreatePipelineRequest*, crm::v1::Pipeline*) override;
  Unary* GetPipeline(Context*, const crm::v1::GetPipelineRequest*, crm::v1::Pipeline*) override;
  Unary* ListPipelines(Context*, const crm::v1::ListPipelinesRequest*, crm::v1::ListPipelinesResponse*) override;
  Unary* UpdatePipeline(Context*, const crm::v1::UpdatePipelineRequest*, crm::v1::Pipeline*) override;
  Unary* GetSalesSettings(Context*, const crm::v1::GetSalesSettingsRequest*, crm::v1::SalesSettings*) override;
  Unary* UpdateSalesSettings(Context*, const crm::v1::UpdateSalesSettingsRequest*, crm::v1::SalesSettings*) override;

  Unary* CreateOpportunity(Context*, const crm::v1::CreateOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* GetOpportunity(Context*, const crm::v1::GetOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* UpdateOpportunity(Context*, const crm::v1::UpdateOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* ListOpportunities(Context*, const crm::v1::ListOpportunitiesRequest*, crm::v1::ListOpportunitiesResponse*) override;
  Unary* MoveOpportunity(Context*, const crm::v1::MoveOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* CloseOpportunity(Context*, const crm::v1::CloseOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* ReopenOpportunity(Context*, const crm::v1::ReopenOpportunityRequest*, crm::v1::Opportunity*) override;
  Unary* ListStageChanges(Context*, const crm::v1::ListStageChangesRequest*, crm::v1::ListStageChangesResponse*) override;

  Unary* CreateLead(Context*, const crm::v1::CreateLeadRequest*, crm::v1::Lead*) override;
  Unary* GetLead(Context*, const crm::v1::GetLeadRequest*, crm::v1::Lead*) override;
  Unary* UpdateLead(Context*, const crm::v1::UpdateLeadRequest*, crm::v1::Lead*) override;
  Unary* DeleteLead(Context*, const crm::v1::DeleteLeadRequest*, crm::v1::DeleteLeadResponse*) override;
  Unary* ListLeads(Context*, const crm::v1::ListLeadsRequest*, crm::v1::ListLeadsResponse*) override;
  Unary* QualifyLead(Context*, const crm::v1::QualifyLeadRequest*, crm::v1::Lead*) override;
  Unary* DisqualifyLead(Context*, const crm::v1::DisqualifyLeadRequest*, crm::v1::Lead*) override;
  Unary* ConvertLead(Context*, const crm::v1::ConvertLeadRequest*, crm::v1::ConvertLeadResponse*) override;

  Unary* CreateCampaign(Context*, const crm::v1::CreateCampaignRequest*, crm::v1::Campaign*) override;
  Unary* GetCampaign(Context*, const crm::v1::GetCampaignRequest*, crm::v1::Campaign*) override;
  Unary* UpdateCampaign(Context*, const crm::v1::UpdateCampaignRequest*, crm::v1::Campaign*) override;
  Unary* ListCampaigns(Context*, const crm::v1::ListCampaignsRequest*, crm::v1::ListCampaignsResponse*) override;
  Unary* GetCampaignPerformance(Context*, const crm::v1::GetCampaignPerformanceRequest*, crm::v1::CampaignPerformance*) override;

  Unary* CreateOrder(Context*, const crm::v1::CreateOrderRequest*, crm::v1::Order*) override;
  Unary* GetOrder(Context*, const crm::v1::GetOrderRequest*, crm::v1::Order*) override;
  Unary* ListOrders(Context*, const crm::v1::ListOrdersRequest*, crm::v1::ListOrdersResponse*) override;
  Unary* CancelOrder(Context*, const crm::v1::CancelOrderRequest*, crm::v1::Order*) override;
  Unary* RecordPayment(Context*, const crm::v1::RecordPaymentRequest*, crm::v1::Payment*) override;
  Unary* ListPayments(Context*, const crm::v1::ListPaymentsRequest*, crm::v1::ListPaymentsResponse*) override;
  Unary* GetReceivables(Context*, const crm::v1::GetReceivablesRequest*, crm::v1::Receivables*) override;

  Unary* SetTeam(Context*, const crm::v1::SetTeamRequest*, crm::v1::Team*) override;
  Unary* ListTeams(Context*, const crm::v1::ListTeamsRequest*, crm::v1::ListTeamsResponse*) override;
  Unary* SetTarget(Context*, const crm::v1::SetTargetRequest*, crm::v1::Target*) override;
  Unary* ListTargets(Context*, const crm::v1::ListTargetsRequest*, crm::v1::ListTargetsResponse*) override;

  Unary* GetFunnel(Context*, const crm::v1::GetFunnelRequest*, crm::v1::Funnel*) override;
  Unary* GetForecast(Context*, const crm::v1::GetForecastRequest*, crm::v1::Forecast*) override;
  Unary* GetOwnerPerformance(Context*, const crm::v1::GetOwnerPerformanceRequest*, crm::v1::OwnerPerformance*) override;
  Unary* GetTargetGroupDistribution(Context*, const crm::v1::GetTargetGroupDistributionRequest*, crm::v1::TargetGroupDistribution*) override;

 private:
  const server::Runtime& rt_;
  PipelinesLogic pipelines_;
  OpportunityLogic opportunitys_;
  LeadLogic leads_;
  CampaignLogic campaigns_;
  OrderLogic orders_;
  TargetLogic targets_;
  AnalyticsLogic analytics_;
  ReportLogic reports_{rt_};
};

}  // namespace crm::pipeline
