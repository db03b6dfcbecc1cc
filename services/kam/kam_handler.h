// The gRPC edge of KeyAccountService: decodes each call, hands it to the domain logic on the
// worker pool (Reclassify on its own thread) and maps the result. Methods are defined per area
// in <area>_handler.cc.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "services/kam/classification_logic.h"
#include "services/kam/model_logic.h"
#include "services/kam/plan_logic.h"
#include "services/kam/policy_logic.h"
#include "services/kam/reclassify_logic.h"
#include "services/kam/risk_logic.h"
#include "services/kam/summary_logic.h"

namespace crm::kam {

class KeyAccountHandler final : public crm::v1::KeyAccountService::CallbackService {
 public:
  KeyAccountHandler(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans);

  using Context = grpc::CallbackServerContext;
  using Unary = grpc::ServerUnaryReactor;

  grpc::ServerWriteReactor<crm::v1::ReclassifyProgress>* Reclassify(Context*, const crm::v1::ReclassifyRequest*) override;
  Unary* GetScoringModel(Context*, const crm::v1::GetScoringModelRequest*, crm::v1::ScoringModel*) override;
  Unary* ListScoringModels(Context*, const crm::v1::ListScoringModelsRequest*, crm::v1::ListScoringModelsResponse*) override;
  Unary* UpdateScoringModel(Context*, const crm::v1::UpdateScoringModelRequest*, crm::v1::ScoringModel*) override;
  Unary* GetClassification(Context*, const crm::v1::GetClassificationRequest*, crm::v1::AccountClassification*) override;
  Unary* ListClassifications(Context*, const crm::v1::ListClassificationsRequest*, crm::v1::ListClassificationsResponse*) override;
  Unary* SetQualitativeInputs(Context*, const crm::v1::SetQualitativeInputsRequest*, crm::v1::QualitativeInputs*) override;
  Unary* SetTierOverride(Context*, const crm::v1::SetTierOverrideRequest*, crm::v1::TierOverride*) override;
  Unary* ClearTierOverride(Context*, const crm::v1::ClearTierOverrideRequest*, crm::v1::ClearTierOverrideResponse*) override;
  Unary* ListTierChanges(Context*, const crm::v1::ListTierChangesRequest*, crm::v1::ListTierChangesResponse*) override;
  Unary* ListTierPolicies(Context*, const crm::v1::ListTierPoliciesRequest*, crm::v1::ListTierPoliciesResponse*) override;
  Unary* UpdateTierPolicy(Context*, const crm::v1::UpdateTierPolicyRequest*, crm::v1::TierPolicy*) override;
  Unary* ListAccountsWithoutManager(Context*, const crm::v1::ListAccountsWithoutManagerRequest*, crm::v1::ListAccountsWithoutManagerResponse*) override;
  Unary* ListOverdueContacts(Context*, const crm::v1::ListOverdueContactsRequest*, crm::v1::ListOverdueContactsResponse*) override;
  Unary* CreateAccountPlan(Context*, const crm::v1::CreateAccountPlanRequest*, crm::v1::AccountPlan*) override;
  Unary* GetAccountPlan(Context*, const crm::v1::GetAccountPlanRequest*, crm::v1::AccountPlan*) override;
  Unary* UpdateAccountPlan(Context*, const crm::v1::UpdateAccountPlanRequest*, crm::v1::AccountPlan*) override;
  Unary* ListAccountPlans(Context*, const crm::v1::ListAccountPlansRequest*, crm::v1::ListAccountPlansResponse*) override;
  Unary* GetChurnRisk(Context*, const crm::v1::GetChurnRiskRequest*, crm::v1::ChurnRisk*) override;
  Unary* ListAccountsAtRisk(Context*, const crm::v1::ListAccountsAtRiskRequest*, crm::v1::ListAccountsAtRiskResponse*) override;
  Unary* GetLifetimeValue(Context*, const crm::v1::GetLifetimeValueRequest*, crm::v1::LifetimeValue*) override;
  Unary* GetTierSummary(Context*, const crm::v1::GetTierSummaryRequest*, crm::v1::TierSummary*) override;

 private:
  const server::Runtime& rt_;
  ReclassifyLogic& reclassify_;
  PlanLogic& plans_;
  ModelLogic models_;
  ClassificationLogic classifications_;
  PolicyLogic policies_;
  RiskLogic risks_;
  SummaryLogic summaries_;
};

}  // namespace crm::kam
