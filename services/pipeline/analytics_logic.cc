#include "services/pipeline/analytics_logic.h"

#include <soci/soci.h>

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/money.h"
#include "common/db/entity_ops.h"
#include "services/pipeline/analytics_filter.h"
#include "services/pipeline/funnel_store.h"
#include "services/pipeline/pipelines_logic.h"

namespace crm::pipeline {
namespace {

using crm::v1::Stage;

// Where an amount without a rate came from, as named in FAILED_PRECONDITION.
constexpr char kAmountField[] = "opportunity.amount";
constexpr double kMicrosPerDay = 86400.0 * 1e6;

struct FunnelInputs {
  crm::v1::Pipeline pipeline;
  CurrencyConverter converter;
  FunnelTotals totals;
};

// A filter dimension that is set, with the values it accepts.
struct SetDimension {
  std::string name;
  std::vector<std::string> values;
};

// The filter dimensions `scope` sets; a team is its members as owners (the filter takes an owner
// or a team, not both).
std::vector<SetDimension> SetDimensionsOf(const AnalyticsScope& scope) {
  std::vector<SetDimension> set;
  if (scope.owners.has_value()) {
    set.push_back({kSliceOwner, *scope.owners});
  } else if (!scope.owner.empty()) {
    set.push_back({kSliceOwner, {scope.owner}});
  }
  if (!scope.region.empty()) set.push_back({kSliceRegion, {scope.region}});
  if (!scope.industry.empty()) set.push_back({kSliceIndustry, {scope.industry}});
  if (scope.source_channel != 0) set.push_back({kSliceChannel, {absl::StrCat(scope.source_channel)}});
  if (!scope.source_campaign_id.empty()) set.push_back({kSliceCampaign, {scope.source_campaign_id}});
  return set;
}

// The funnel's sums for `scope`. No filter or one: the cube's day and month rows. A combination
// the cube keeps (CombinedDimensions): its month rows for whole months, the facts for the days
// around them. Any other: the facts (it includes a campaign, or an owner with three more
// filters, which the facts' indexes find).
absl::StatusOr<FunnelTotals> SumFunnel(soci::session& sql, const AnalyticsScope& scope) {
  const std::vector<SetDimension> set = SetDimensionsOf(scope);
  const std::vector<CubeRange> ranges = SplitPeriod(scope.from_day, scope.to_day);
  if (set.empty()) return FunnelStore::SumCube(sql, scope.pipeline_id, "", {""}, ranges);
  if (set.size() == 1) return FunnelStore::SumCube(sql, scope.pipeline_id, set[0].name, set[0].values, ranges);
  std::vector<std::string> names;
  for (const SetDimension& dimension : set) names.push_back(dimension.name);
  if (!CombinationOf(names).has_value()) return FunnelStore::SumFacts(sql, scope);

  // Every combination of the accepted values (a team gives one per member).
  std::string combined_dimension;
  std::vector<std::string> combined_values;
  std::vector<CubeSlice> parts;
  const std::function<void(size_t)> combine = [&](size_t i) {
    if (i == set.size()) {
      CubeSlice combined = CombinedSlice(parts);
      combined_dimension = std::move(combined.dimension);
      combined_values.push_back(std::move(combined.value));
      return;
    }
    for (const std::string& value : set[i].values) {
      parts.push_back({set[i].name, value});
      combine(i + 1);
      parts.pop_back();
    }
  };
  combine(0);

  FunnelTotals totals;
  std::vector<CubeRange> months;
  for (const CubeRange& range : ranges) {
    if (range.grain == CubeGrain::kMonth) {
      months.push_back(range);
      continue;
    }
    AnalyticsScope days = scope;
    days.from_day = range.from;
    days.to_day = range.to;
    absl::StatusOr<FunnelTotals> from_facts = FunnelStore::SumFacts(sql, days);
    if (!from_facts.ok()) return from_facts.status();
    totals.Add(*from_facts, +1);
  }
  if (!months.empty()) {
    absl::StatusOr<FunnelTotals> from_cube =
        FunnelStore::SumCube(sql, scope.pipeline_id, combined_dimension, combined_values, months);
    if (!from_cube.ok()) return from_cube.status();
    totals.Add(*from_cube, +1);
  }
  return totals;
}

}  // namespace

absl::StatusOr<crm::v1::Funnel> AnalyticsLogic::Funnel(const server::CallContext& call,
                                                       const crm::v1::GetFunnelRequest& request) {
  const crm::v1::AnalyticsFilter& filter = request.filter();
  absl::StatusOr<AnalyticsScope> scope = ParseAnalyticsFilter(filter, PeriodOf::kCreation, call.owners);
  if (!scope.ok()) return scope.status();

  absl::StatusOr<FunnelInputs> inputs =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<FunnelInputs> {
        FunnelInputs in;
        AnalyticsScope s = *scope;
        absl::StatusOr<AnalyticsSetting> setting = ResolveAnalyticsScope(sql, filter, &s);
        if (!setting.ok()) return setting.status();
        in.pipeline = std::move(setting->pipeline);
        in.converter = std::move(setting->converter);
        absl::StatusOr<FunnelTotals> totals = SumFunnel(sql, s);
        if (!totals.ok()) return totals.status();
        in.totals = *std::move(totals);
        return in;
      });
  if (!inputs.ok()) return inputs.status();
  const CurrencyConverter& converter = inputs->converter;

  // Current holdings per stage (count, base micros) and the overall counts.
  struct Current {
    int64_t count = 0;
    __int128 micros = 0;
  };
  absl::flat_hash_map<std::string, Current> current;
  int64_t open = 0, won = 0, lost = 0;
  __int128 won_micros = 0;
  absl::flat_hash_map<std::string, crm::v1::StageKind> kinds;
  for (const Stage& stage : inputs->pipeline.stages()) kinds[stage.id()] = stage.kind();
  for (const auto& [key, h] : inputs->totals.holdings) {
    const auto& [stage_id, currency] = key;
    if (h.count == 0) continue;
    Current& c = current[stage_id];
    c.count += h.count;
    int64_t base = 0;
    if (!currency.empty()) {
      absl::StatusOr<int64_t> converted = converter.ToBaseMicros(Amount{currency, h.micros}, kAmountField);
      if (!converted.ok()) return converted.status();
      base = *converted;
    }
    c.micros += base;
    // An opportunity's status follows the kind of the stage it is in.
    switch (kinds[stage_id]) {
      case crm::v1::STAGE_KIND_OPEN:
        open += h.count;
        break;
      case crm::v1::STAGE_KIND_WON:
        won += h.count;
        won_micros += base;
        break;
      case crm::v1::STAGE_KIND_LOST:
        lost += h.count;
        break;
      default:
        break;
    }
  }
  int64_t closed = 0;
  double cycle_micros = 0;
  for (const auto& [stage_id, t] : inputs->totals.stages) {
    closed += t.closed;
    cycle_micros += static_cast<double>(t.cycle_micros);
  }

  crm::v1::Funnel funnel;
  funnel.set_pipeline_id(inputs->pipeline.id());
  funnel.set_base_currency(converter.base_currency());
  for (const Stage& stage : inputs->pipeline.stages()) {
    auto tally_it = inputs->totals.stages.find(stage.id());
    const StageTally tally = tally_it == inputs->totals.stages.end() ? StageTally{} : tally_it->second;
    const int64_t entered = tally.entered;
    auto current_it = current.find(stage.id());
    const Current now = current_it == current.end() ? Current{} : current_it->second;
    if (stage.retired() && entered == 0 && now.count == 0) continue;
    if (!FitsMoney(now.micros)) return absl::OutOfRangeError("a stage's amount exceeds the range of a money amount");
    crm::v1::FunnelStage* out = funnel.add_stages();
    out->set_stage_id(stage.id());
    out->set_stage_name(stage.name());
    out->set_kind(stage.kind());
    out->set_entered(entered);
    out->set_current_count(now.count);
    *out->mutable_current_amount() = MoneyFromMicros(converter.base_currency(), static_cast<int64_t>(now.micros));
    if (stage.kind() == crm::v1::STAGE_KIND_OPEN && entered > 0) {
      out->set_conversion_to_next(static_cast<double>(tally.converted) / static_cast<double>(entered));
    }
    if (tally.visits > 0) {
      out->set_average_days_in_stage(static_cast<double>(tally.visit_micros) / static_cast<double>(tally.visits) /
                                     kMicrosPerDay);
    }
  }

  funnel.set_won(won);
  funnel.set_lost(lost);
  const double win_rate = won + lost > 0 ? static_cast<double>(won) / static_cast<double>(won + lost) : 0.0;
  funnel.set_win_rate(win_rate);
  const int64_t average_won = won > 0 ? static_cast<int64_t>(ScaleRounded(won_micros, 1, won)) : 0;
  *funnel.mutable_average_won_amount() = MoneyFromMicros(converter.base_currency(), average_won);
  const double cycle_days = closed > 0 ? cycle_micros / static_cast<double>(closed) / kMicrosPerDay : 0.0;
  funnel.set_average_cycle_days(cycle_days);
  int64_t velocity = 0;
  if (won > 0 && cycle_days > 0) {
    const double v = std::round(static_cast<double>(open) * static_cast<double>(average_won) * win_rate / cycle_days);
    if (!FitsMoney(static_cast<__int128>(v))) {
      return absl::OutOfRangeError("the pipeline velocity exceeds the range of a money amount");
    }
    velocity = static_cast<int64_t>(v);
  }
  *funnel.mutable_velocity_per_day() = MoneyFromMicros(converter.base_currency(), velocity);
  return funnel;
}

}  // namespace crm::pipeline
