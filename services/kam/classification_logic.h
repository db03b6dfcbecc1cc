// The rules of classifications, qualitative inputs, tier overrides and the tier-change history.
// No gRPC and no SQL here. (Reclassification itself: reclassify_logic.h.)
//
//  - GetClassification / ListClassifications read the last run's rows; each dimension carries
//    its weight and contribution under the model version the row was computed with.
//  - Qualitative inputs: industry_influence and cooperation_potential 1..5, or 0 = not assessed
//    (the dimension is then neutral); the next run uses them.
//  - SetTierOverride: tier known, reason required, expire_time in the future. It applies at once:
//    the account's tier becomes the override's (a tier-change record with source OVERRIDE, the
//    account's revision moves, an "account.updated" event with the tier change) and runs keep it
//    until it expires. ClearTierOverride (reason required) removes it and puts the account back on
//    its last computed tier (left as it is when never classified), recorded the same way.
//  - ListTierChanges: newest first, by account, period (UTC dates, inclusive) and new tier.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

class ClassificationLogic {
 public:
  explicit ClassificationLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::AccountClassification> Get(const server::CallContext& call,
                                                     const crm::v1::GetClassificationRequest& request);
  absl::StatusOr<crm::v1::ListClassificationsResponse> List(const server::CallContext& call,
                                                            const crm::v1::ListClassificationsRequest& request);
  absl::StatusOr<crm::v1::QualitativeInputs> SetQualitativeInputs(const server::CallContext& call,
                                                                  const crm::v1::SetQualitativeInputsRequest& request);
  absl::StatusOr<crm::v1::TierOverride> SetOverride(const server::CallContext& call,
                                                    const crm::v1::SetTierOverrideRequest& request);
  absl::StatusOr<crm::v1::ClearTierOverrideResponse> ClearOverride(const server::CallContext& call,
                                                                   const crm::v1::ClearTierOverrideRequest& request);
  absl::StatusOr<crm::v1::ListTierChangesResponse> ListTierChanges(const server::CallContext& call,
                                                                   const crm::v1::ListTierChangesRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
