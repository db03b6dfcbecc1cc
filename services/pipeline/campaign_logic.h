// Rules for campaigns: validation, creation with request-id replay, field-mask updates under
// etags, lists by channel, and performance. No gRPC and no SQL here.
//
// Performance, computed from SQL aggregates (no row is loaded):
//  - leads: leads whose source is the campaign; conversions: those of them CONVERTED;
//  - opportunities / won_opportunities: opportunities whose source_campaign_id is the campaign;
//  - won_revenue: the won amounts summed per currency, each currency's sum converted once to the
//    base currency with the configured rate; a currency without a rate is FAILED_PRECONDITION
//    naming "opportunity.amount.currency_code" (never added up as a plain number);
//  - cost: the campaign's cost in the base currency (zero when it has none; FAILED_PRECONDITION
//    naming "campaign.cost.currency_code" when its currency has no rate);
//  - roi = (won_revenue - cost) / cost, unset when the cost is zero.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

inline constexpr char kCampaignEntity[] = "campaign";

// Checks every client-settable field of `campaign`; field names are prefixed with `prefix`
// (e.g. "campaign"). Collects all violations.
absl::Status ValidateCampaign(const crm::v1::Campaign& campaign, const std::string& prefix);

class CampaignLogic {
 public:
  explicit CampaignLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Campaign> Create(const server::CallContext& call,
                                           const crm::v1::CreateCampaignRequest& request);
  absl::StatusOr<crm::v1::Campaign> Get(const server::CallContext& call, const crm::v1::GetCampaignRequest& request);
  absl::StatusOr<crm::v1::Campaign> Update(const server::CallContext& call,
                                           const crm::v1::UpdateCampaignRequest& request);
  absl::StatusOr<crm::v1::ListCampaignsResponse> List(const server::CallContext& call,
                                                      const crm::v1::ListCampaignsRequest& request);
  absl::StatusOr<crm::v1::CampaignPerformance> Performance(const server::CallContext& call,
                                                           const crm::v1::GetCampaignPerformanceRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
