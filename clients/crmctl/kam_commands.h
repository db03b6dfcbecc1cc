// Key-account management in crmctl (KeyAccountService): `scoring-model`, `reclassify`,
// `classifications`, `qualitative`, `tier-override`, `tier-changes`, `tier-policies`,
// `accounts-without-manager` and `overdue-contacts`; what every key-account noun shares (the
// client, built by WithKeyAccounts); and the compact text forms of weights, ABC thresholds,
// tier cut-offs and plan actions. Plans and risk: kam_plans_commands.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/crmctl/command.h"
#include "clients/gateway/keyaccount_client.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::crmctl {

std::vector<Command> KeyAccountCommands();

// A command that works on KeyAccountService: `run(context, client)`.
using KeyAccountRun = std::function<int(CommandContext&, client::KeyAccountClient&)>;
// Wraps `run` into a Command's run, building the client from the global flags (CommandContext
// has no accessor for this service).
std::function<int(CommandContext&)> WithKeyAccounts(KeyAccountRun run);

// The text forms, exposed for tests. Each Format* writes what the Parse* reads.
//   weights  "revenue_contribution=0.3, profit=0.1": dimension=weight items separated by ',' or
//            ';'; ParseWeights changes only the dimensions named in `weights`.
//   abc      "0.8/0.95": the cumulative revenue shares up to which accounts are A, then B.
//   tiers    "strategic=80, key=60, standard=30, potential=0": each tier's lowest score.
//   actions  "Quarterly review|alice|2026-12-31; Exec visit|bob|2027-03-01|done": per action,
//            separated by ';', description|owner|due date, and |done when it is done.
absl::Status ParseWeights(absl::string_view text, v1::ScoringWeights& weights);
std::string FormatWeights(const v1::ScoringWeights& weights);
absl::StatusOr<v1::AbcThresholds> ParseAbcThresholds(absl::string_view text);
std::string FormatAbcThresholds(const v1::AbcThresholds& abc);
absl::StatusOr<std::vector<v1::TierCutoff>> ParseTierCutoffs(absl::string_view text);
std::string FormatTierCutoffs(const google::protobuf::RepeatedPtrField<v1::TierCutoff>& tiers);
absl::StatusOr<std::vector<v1::PlanAction>> ParsePlanActions(absl::string_view text);
std::string FormatPlanActions(const google::protobuf::RepeatedPtrField<v1::PlanAction>& actions);

}  // namespace crm::crmctl
