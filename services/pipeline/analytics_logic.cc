#include "services/pipeline/analytics_logic.h"

#include <soci/soci.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/core/errors.h"
#include "common/core/money.h"
#include "common/db/entity_ops.h"
#include "services/pipeline/analytics_filter.h"
#include "services/pipeline/analytics_store.h"
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
  absl::flat_hash_map<std::string, int64_t> entered;
  absl::flat_hash_map<std::string, int64_t> converted;
  absl::flat_hash_map<std::string, StageVisits> visits;
  std::vector<StageHolding> holdings;
  CycleTotals cycle;
};

// The stages counting as "later" than open stage `index` of `pipeline`.
std::vector<std::string> LaterStages(const crm::v1::Pipeline& pipeline, int index) {
  std::vector<std::string> later;
  for (int i = 0; i < pipeline.stages_size(); ++i) {
    const Stage& s = pipeline.stages(i);
    if (s.kind() == crm::v1::STAGE_KIND_WON || (s.kind() == crm::v1::STAGE_KIND_OPEN && i > index)) {
      later.push_back(s.id());
    }
  }
  return later;
}

}  // namespace

absl::StatusOr<crm::v1::Funnel> AnalyticsLogic::Funnel(const server::CallContext& call,
                                                       const crm::v1::GetFunnelRequest& request) {
  const crm::v1::AnalyticsFilter& filter = request.filter();
  absl::StatusOr<AnalyticsScope> scope = ParseAnalyticsFilter(filter, PeriodOf::kCreation);
  if (!scope.ok()) return scope.status();

  absl::StatusOr<FunnelInputs> inputs =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<FunnelInputs> {
        FunnelInputs in;
        AnalyticsScope s = *scope;
        absl::StatusOr<crm::v1::Pipeline> pipeline = ResolveAnalyticsScope(sql, filter, &s);
        if (!pipeline.ok()) return pipeline.status();
        in.pipeline = *std::move(pipeline);
        absl::StatusOr<SalesConfig> config = LoadSalesConfig(sql);
        if (!config.ok()) return config.status();
        in.converter = std::move(config->converter);

        absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> entered = AnalyticsStore::Entered(sql, s);
        if (!entered.ok()) return entered.status();
        for (const auto& [stage_id, count] : *entered) in.entered[stage_id] = count;
        for (int i = 0; i < in.pipeline.stages_size(); ++i) {
          const Stage& stage = in.pipeline.stages(i);
          if (stage.kind() != crm::v1::STAGE_KIND_OPEN || in.entered[stage.id()] == 0) continue;
          absl::StatusOr<int64_t> converted =
              AnalyticsStore::ConvertedFrom(sql, s, stage.id(), LaterStages(in.pipeline, i));
          if (!converted.ok()) return converted.status();
          in.converted[stage.id()] = *converted;
        }
        absl::StatusOr<std::vector<StageVisits>> visits = AnalyticsStore::CompletedVisits(sql, s);
        if (!visits.ok()) return visits.status();
        for (const StageVisits& v : *visits) in.visits[v.stage_id] = v;
        absl::StatusOr<std::vector<StageHolding>> holdings = AnalyticsStore::Holdings(sql, s);
        if (!holdings.ok()) return holdings.status();
        in.holdings = *std::move(holdings);
        absl::StatusOr<CycleTotals> cycle = AnalyticsStore::ClosedCycle(sql, s);
        if (!cycle.ok()) return cycle.status();
        in.cycle = *cycle;
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
  for (const StageHolding& h : inputs->holdings) {
    Current& c = current[h.stage_id];
    c.count += h.count;
    int64_t base = 0;
    if (h.currency.has_value()) {
      absl::StatusOr<int64_t> converted = converter.ToBaseMicros(Amount{*h.currency, h.micros}, kAmountField);
      if (!converted.ok()) return converted.status();
      base = *converted;
    }
    c.micros += base;
    switch (h.status) {
      case crm::v1::OPPORTUNITY_STATUS_OPEN:
        open += h.count;
        break;
      case crm::v1::OPPORTUNITY_STATUS_WON:
        won += h.count;
        won_micros += base;
        break;
      case crm::v1::OPPORTUNITY_STATUS_LOST:
        lost += h.count;
        break;
      default:
        break;
    }
  }

  crm::v1::Funnel funnel;
  funnel.set_pipeline_id(inputs->pipeline.id());
  funnel.set_base_currency(converter.base_currency());
  for (const Stage& stage : inputs->pipeline.stages()) {
    auto entered_it = inputs->entered.find(stage.id());
    const int64_t entered = entered_it == inputs->entered.end() ? 0 : entered_it->second;
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
    auto converted_it = inputs->converted.find(stage.id());
    if (stage.kind() == crm::v1::STAGE_KIND_OPEN && entered > 0 && converted_it != inputs->converted.end()) {
      out->set_conversion_to_next(static_cast<double>(converted_it->second) / static_cast<double>(entered));
    }
    auto visits_it = inputs->visits.find(stage.id());
    if (visits_it != inputs->visits.end() && visits_it->second.visits > 0) {
      out->set_average_days_in_stage(visits_it->second.average_micros / kMicrosPerDay);
    }
  }

  funnel.set_won(won);
  funnel.set_lost(lost);
  const double win_rate = won + lost > 0 ? static_cast<double>(won) / static_cast<double>(won + lost) : 0.0;
  funnel.set_win_rate(win_rate);
  const int64_t average_won = won > 0 ? static_cast<int64_t>(ScaleRounded(won_micros, 1, won)) : 0;
  *funnel.mutable_average_won_amount() = MoneyFromMicros(converter.base_currency(), average_won);
  const double cycle_days = inputs->cycle.closed > 0 ? inputs->cycle.average_micros / kMicrosPerDay : 0.0;
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
