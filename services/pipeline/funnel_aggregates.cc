#include "services/pipeline/funnel_aggregates.h"

#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/time_util.h"
#include "services/pipeline/funnel_store.h"
#include "services/pipeline/opportunity_logic.h"
#include "services/pipeline/pipelines_logic.h"

namespace crm::pipeline {
namespace {

using crm::v1::Opportunity;

// Each stage's place in its pipeline's order and its kind.
class StageOrder {
 public:
  explicit StageOrder(const crm::v1::Pipeline& pipeline) {
    for (int i = 0; i < pipeline.stages_size(); ++i) {
      stages_[pipeline.stages(i).id()] = {i, pipeline.stages(i).kind()};
    }
  }

  // True when entering `entered` counts as going on from open stage `from`: `entered` is the
  // won stage, or an open stage placed after it. Lost stages never count.
  bool IsLater(const std::string& entered, const std::string& from) const {
    auto to_it = stages_.find(entered);
    auto from_it = stages_.find(from);
    if (to_it == stages_.end() || from_it == stages_.end()) return false;
    if (from_it->second.second != crm::v1::STAGE_KIND_OPEN) return false;
    if (to_it->second.second == crm::v1::STAGE_KIND_WON) return true;
    return to_it->second.second == crm::v1::STAGE_KIND_OPEN && to_it->second.first > from_it->second.first;
  }

 private:
  absl::flat_hash_map<std::string, std::pair<int, crm::v1::StageKind>> stages_;
};

// A completed visit: the stage left and how long the opportunity was in it.
struct CompletedVisit {
  std::string stage_id;
  int64_t micros = 0;
};

// Applies one stage change to an opportunity's `facts` (updated in place); returns what changed
// in them and adds the same to `delta`.
StageFacts ApplyStageChange(const StageOrder& order, const std::optional<CompletedVisit>& left,
                            const std::string& entered, StageFacts& facts, FunnelTotals& delta) {
  StageFacts changes;
  if (left.has_value()) {
    changes[left->stage_id].visits += 1;
    changes[left->stage_id].visit_micros += left->micros;
    StageTally& t = delta.stages[left->stage_id];
    t.visits += 1;
    t.visit_micros += left->micros;
  }
  for (auto& [stage_id, fact] : facts) {
    if (fact.converted != 0 || !order.IsLater(entered, stage_id)) continue;
    changes[stage_id].converted += 1;
    delta.stages[stage_id].converted += 1;
  }
  if (facts.find(entered) == facts.end()) {
    changes[entered];  // a row of zeros: the stage is entered
    delta.stages[entered].entered += 1;
  }
  for (const auto& [stage_id, change] : changes) {
    StageFact& fact = facts[stage_id];
    fact.converted += change.converted;
    fact.visits += change.visits;
    fact.visit_micros += change.visit_micros;
  }
  return changes;
}

// Where an opportunity stands now: the stage it is in, its amount, and for a closed one its cycle.
struct Standing {
  std::string stage_id;
  std::optional<std::string> currency;
  int64_t micros = 0;
  int64_t create_micros = 0;
  std::optional<int64_t> close_micros;
};

Standing StandingOf(const Opportunity& o) {
  Standing s;
  s.stage_id = o.stage_id();
  if (o.has_amount()) {
    s.currency = o.amount().currency_code();
    s.micros = o.amount().units() * kMicrosPerUnit + o.amount().nanos() / 1000;
  }
  s.create_micros = TimestampToMicros(o.create_time());
  const bool closed =
      o.status() == crm::v1::OPPORTUNITY_STATUS_WON || o.status() == crm::v1::OPPORTUNITY_STATUS_LOST;
  if (closed && o.has_close_time()) s.close_micros = TimestampToMicros(o.close_time());
  return s;
}

void AddStanding(const Standing& s, int sign, FunnelTotals& totals) {
  HoldingTally& h = totals.holdings[{s.stage_id, s.currency.value_or("")}];
  h.count += sign;
  h.micros += sign * s.micros;
  if (s.close_micros.has_value()) {
    StageTally& t = totals.stages[s.stage_id];
    t.closed += sign;
    t.cycle_micros += sign * (*s.close_micros - s.create_micros);
  }
}

// Everything one opportunity contributes to the cube.
FunnelTotals Contribution(const StageFacts& facts, const Standing& standing) {
  FunnelTotals totals;
  for (const auto& [stage_id, fact] : facts) {
    StageTally& t = totals.stages[stage_id];
    t.entered += 1;
    t.converted += fact.converted;
    t.visits += fact.visits;
    t.visit_micros += fact.visit_micros;
  }
  AddStanding(standing, +1, totals);
  return totals;
}

// The slices of the cube an opportunity with these values is counted in.
std::vector<CubeSlice> SlicesOf(const std::string& owner, int source_channel, const std::string& source_campaign_id,
                                const AccountAttribution& attribution) {
  std::vector<CubeSlice> slices = {{"", ""}, {kSliceOwner, owner}};
  if (!attribution.region.empty()) slices.push_back({kSliceRegion, attribution.region});
  if (!attribution.industry.empty()) slices.push_back({kSliceIndustry, attribution.industry});
  if (source_channel != 0) slices.push_back({kSliceChannel, absl::StrCat(source_channel)});
  if (!source_campaign_id.empty()) slices.push_back({kSliceCampaign, source_campaign_id});
  return slices;
}

std::vector<CubeSlice> SlicesOf(const Opportunity& o, const AccountAttribution& attribution) {
  return SlicesOf(o.owner(), o.source_channel(), o.source_campaign_id(), attribution);
}

int64_t CreatedDay(const Opportunity& o) { return DayNumberOf(TimestampToTime(o.create_time())); }

bool Contains(const std::vector<CubeSlice>& slices, const CubeSlice& slice) {
  for (const CubeSlice& s : slices) {
    if (s == slice) return true;
  }
  return false;
}

// Moves a contribution counted as `before` under `from` to `after` under `to` (same pipeline and
// creation day): slices only in `from` lose `before`, slices only in `to` gain `after`, slices in
// both change by the difference.
absl::Status MoveContribution(db::Tx& tx, const std::string& pipeline_id, int64_t day,
                              const std::vector<CubeSlice>& from, const FunnelTotals& before,
                              const std::vector<CubeSlice>& to, const FunnelTotals& after) {
  std::vector<CubeSlice> dropped, added, kept;
  for (const CubeSlice& s : from) (Contains(to, s) ? kept : dropped).push_back(s);
  for (const CubeSlice& s : to) {
    if (!Contains(from, s)) added.push_back(s);
  }
  FunnelTotals removed;
  removed.Add(before, -1);
  if (absl::Status s = FunnelStore::AddToCube(tx, pipeline_id, day, dropped, removed); !s.ok()) return s;
  if (absl::Status s = FunnelStore::AddToCube(tx, pipeline_id, day, added, after); !s.ok()) return s;
  FunnelTotals difference = after;
  difference.Add(before, -1);
  return FunnelStore::AddToCube(tx, pipeline_id, day, kept, difference);
}

absl::StatusOr<AccountAttribution> AttributionOf(soci::session& sql, const std::string& opportunity_id) {
  absl::StatusOr<std::optional<AccountAttribution>> attribution = FunnelStore::LoadAttribution(sql, opportunity_id);
  if (!attribution.ok()) return attribution.status();
  if (!attribution->has_value()) {
    return absl::InternalError(
        absl::StrCat("opportunity ", opportunity_id, " is missing from the funnel aggregates; rebuild them"));
  }
  return **std::move(attribution);
}

}  // namespace

absl::Status CountStageChange(db::Tx& tx, const StageTransition& t) {
  if (t.pipeline == nullptr || t.after == nullptr || t.to_stage == nullptr) {
    return absl::InternalError("a counted stage change needs its pipeline and target");
  }
  const Opportunity& after = *t.after;
  soci::session& sql = tx.session();
  AccountAttribution attribution;
  StageFacts facts;
  if (t.before == nullptr) {
    absl::StatusOr<std::optional<AccountAttribution>> current = FunnelStore::CurrentOfAccount(sql, after.account_id());
    if (!current.ok()) return current.status();
    if (!current->has_value()) return absl::InternalError(absl::StrCat("account ", after.account_id(), " vanished"));
    attribution = **current;
    if (absl::Status s = FunnelStore::SaveAttribution(tx, after.id(), after.account_id(), attribution); !s.ok()) {
      return s;
    }
  } else {
    absl::StatusOr<AccountAttribution> counted = AttributionOf(sql, after.id());
    if (!counted.ok()) return counted.status();
    attribution = *std::move(counted);
    absl::StatusOr<StageFacts> loaded = FunnelStore::LoadFacts(sql, after.id());
    if (!loaded.ok()) return loaded.status();
    facts = *std::move(loaded);
  }

  std::optional<CompletedVisit> left;
  if (t.before != nullptr) {
    left = CompletedVisit{t.before->stage_id(), ToMicros(t.time) - TimestampToMicros(t.before->stage_enter_time())};
  }
  FunnelTotals delta;
  const StageFacts changes = ApplyStageChange(StageOrder(*t.pipeline), left, t.to_stage->id(), facts, delta);
  if (t.before != nullptr) AddStanding(StandingOf(*t.before), -1, delta);
  AddStanding(StandingOf(after), +1, delta);
  if (absl::Status s = FunnelStore::AddToFacts(tx, after.id(), changes); !s.ok()) return s;
  return FunnelStore::AddToCube(tx, after.pipeline_id(), CreatedDay(after), SlicesOf(after, attribution), delta);
}

absl::Status CountOpportunityUpdate(db::Tx& tx, const Opportunity& before, const Opportunity& after) {
  const Standing standing_before = StandingOf(before), standing_after = StandingOf(after);
  const bool same_standing = standing_before.currency == standing_after.currency &&
                             standing_before.micros == standing_after.micros;
  if (same_standing && before.owner() == after.owner() && before.source_channel() == after.source_channel() &&
      before.source_campaign_id() == after.source_campaign_id()) {
    return absl::OkStatus();
  }
  soci::session& sql = tx.session();
  absl::StatusOr<AccountAttribution> attribution = AttributionOf(sql, after.id());
  if (!attribution.ok()) return attribution.status();
  absl::StatusOr<StageFacts> facts = FunnelStore::LoadFacts(sql, after.id());
  if (!facts.ok()) return facts.status();
  return MoveContribution(tx, after.pipeline_id(), CreatedDay(after), SlicesOf(before, *attribution),
                          Contribution(*facts, standing_before), SlicesOf(after, *attribution),
                          Contribution(*facts, standing_after));
}

absl::Status CountAccountChange(db::Tx& tx, const std::string& account_id) {
  soci::session& sql = tx.session();
  absl::StatusOr<std::optional<AccountAttribution>> current = FunnelStore::CurrentOfAccount(sql, account_id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string>> stale = FunnelStore::StaleAttributions(sql, account_id, **current);
  if (!stale.ok()) return stale.status();
  for (const std::string& id : *stale) {
    absl::StatusOr<std::optional<Opportunity>> opportunity = FindOpportunity(sql, id);
    if (!opportunity.ok()) return opportunity.status();
    if (!opportunity->has_value()) continue;
    const Opportunity& o = **opportunity;
    absl::StatusOr<AccountAttribution> counted = AttributionOf(sql, id);
    if (!counted.ok()) return counted.status();
    absl::StatusOr<StageFacts> facts = FunnelStore::LoadFacts(sql, id);
    if (!facts.ok()) return facts.status();
    const FunnelTotals contribution = Contribution(*facts, StandingOf(o));
    if (absl::Status s = MoveContribution(tx, o.pipeline_id(), CreatedDay(o), SlicesOf(o, *counted), contribution,
                                          SlicesOf(o, **current), contribution);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = FunnelStore::SaveAttribution(tx, id, o.account_id(), **current); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RebuildFunnelAggregates(soci::session& sql) {
  if (absl::Status s = FunnelStore::Clear(sql); !s.ok()) return s;

  absl::flat_hash_map<std::string, FunnelStore::OpportunityRow> opportunities;
  absl::Status loaded = FunnelStore::ForEachOpportunity(sql, [&](FunnelStore::OpportunityRow& row) {
    std::string id = row.id;
    opportunities.emplace(std::move(id), std::move(row));
    return absl::OkStatus();
  });
  if (!loaded.ok()) return loaded;

  // Pipelines first: no other statement runs on the session while the history streams.
  absl::flat_hash_map<std::string, StageOrder> orders;
  for (const auto& [id, row] : opportunities) {
    if (orders.contains(row.pipeline_id)) continue;
    absl::StatusOr<std::optional<crm::v1::Pipeline>> pipeline = FindPipeline(sql, row.pipeline_id);
    if (!pipeline.ok()) return pipeline.status();
    if (!pipeline->has_value()) return absl::InternalError(absl::StrCat("pipeline ", row.pipeline_id, " vanished"));
    orders.emplace(row.pipeline_id, StageOrder(**pipeline));
  }
  absl::flat_hash_map<std::string, StageFacts> facts_by_opportunity;
  std::optional<FunnelStore::HistoryRow> previous;
  absl::Status replayed = FunnelStore::ForEachHistoryRow(sql, [&](const FunnelStore::HistoryRow& row) -> absl::Status {
    auto opportunity = opportunities.find(row.opportunity_id);
    if (opportunity == opportunities.end()) return absl::OkStatus();
    const StageOrder& order = orders.at(opportunity->second.pipeline_id);
    std::optional<CompletedVisit> left;
    if (previous.has_value() && previous->opportunity_id == row.opportunity_id) {
      left = CompletedVisit{previous->to_stage_id, row.change_micros - previous->change_micros};
    }
    FunnelTotals ignored;  // the totals are summed from the final facts below
    ApplyStageChange(order, left, row.to_stage_id, facts_by_opportunity[row.opportunity_id], ignored);
    previous = row;
    return absl::OkStatus();
  });
  if (!replayed.ok()) return replayed;

  using CubeKey = std::tuple<std::string, std::string, std::string, int64_t>;  // pipeline, dimension, value, day
  std::map<CubeKey, FunnelTotals> cube;
  FunnelStore::BulkWriter writer(sql);
  for (const auto& [id, row] : opportunities) {
    const StageFacts& facts = facts_by_opportunity[id];
    Standing standing;
    standing.stage_id = row.stage_id;
    standing.currency = row.currency;
    standing.micros = row.amount_micros;
    standing.create_micros = row.create_micros;
    const bool closed = row.status == crm::v1::OPPORTUNITY_STATUS_WON || row.status == crm::v1::OPPORTUNITY_STATUS_LOST;
    if (closed) standing.close_micros = row.close_micros;
    const FunnelTotals contribution = Contribution(facts, standing);
    const int64_t day = DayNumberOf(FromMicros(row.create_micros));
    for (const CubeSlice& slice :
         SlicesOf(row.owner, row.source_channel, row.source_campaign_id, row.attribution)) {
      cube[CubeKey{row.pipeline_id, slice.dimension, slice.value, day}].Add(contribution, +1);
    }
    if (absl::Status s = writer.Attribution(id, row.account_id, row.attribution); !s.ok()) return s;
    if (absl::Status s = writer.Facts(id, facts); !s.ok()) return s;
  }
  std::map<CubeKey, FunnelTotals> by_month;
  for (const auto& [key, totals] : cube) {
    const auto& [pipeline_id, dimension, value, day] = key;
    by_month[CubeKey{pipeline_id, dimension, value, MonthStart(day)}].Add(totals, +1);
    if (absl::Status s = writer.Cube(pipeline_id, CubeGrain::kDay, day, CubeSlice{dimension, value}, totals); !s.ok()) {
      return s;
    }
  }
  for (const auto& [key, totals] : by_month) {
    const auto& [pipeline_id, dimension, value, month] = key;
    if (absl::Status s = writer.Cube(pipeline_id, CubeGrain::kMonth, month, CubeSlice{dimension, value}, totals);
        !s.ok()) {
      return s;
    }
  }
  return writer.Finish();
}

absl::Status RebuildFunnelAggregates(db::Database& db) {
  return db.Write([](db::Tx& tx) { return RebuildFunnelAggregates(tx.session()); });
}

}  // namespace crm::pipeline
