// The scoring model as the contract states it (crm.v1.ScoringModel) and as the engine uses it
// (kam::ScoringModel): the defaults of version 1, validation naming the contract's fields, and
// the conversion. The engine's tier i is the model's tiers[i]; both are ordered highest first.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crm/v1/keyaccount.pb.h"
#include "services/kam/account_facts.h"
#include "services/kam/classification.h"

namespace crm::kam {

// Version 1: the engine's defaults with the four tiers Strategic 80, Key 60, Standard 30,
// Potential 0, a 365-day window, 90-day trend periods and a scheduled run every 7 days.
crm::v1::ScoringModel DefaultScoringModel();

// OK, or INVALID_ARGUMENT naming every offending field under `prefix` ("model.weights.profit",
// "model.tiers[2].tier", ...): weights non-negative and summing to 1, 0 < a_max_share <
// b_max_share <= 1, positive windows, tiers known, distinct, with strictly descending cut-offs in
// 0..100 and the last at 0, margin in 0..1, lifetime and periods positive.
absl::Status ValidateScoringModel(const crm::v1::ScoringModel& model, absl::string_view prefix = "model");

// The engine's model for a valid contract model.
ScoringModel ToEngineModel(const crm::v1::ScoringModel& model);

// The facts' window and margin under `model`, as of `as_of`.
FactsWindow FactsWindowFor(const crm::v1::ScoringModel& model, absl::Time as_of);

// The contract's tier for the engine's tier index.
crm::v1::AccountTier TierAt(const crm::v1::ScoringModel& model, int index);

// The contract's enums for the engine's values.
crm::v1::AbcClass ToProto(AbcClass abc);
crm::v1::RfmSegment ToProto(RfmSegment segment);
crm::v1::LifecycleStage ToProto(LifecycleStage stage);

// "revenue_contribution", "profit", ... as the contract names the dimensions (ScoringWeights).
absl::string_view ContractDimensionName(Dimension dimension);

// "Strategic", "Key", "Standard", "Potential".
std::string TierLabel(crm::v1::AccountTier tier);

}  // namespace crm::kam
