#include "services/pipeline/funnel_aggregates.h"

#include <functional>
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

// The single-dimension slices an opportunity is counted in (empty values have none).
std::vector<CubeSlice> DimensionSlicesOf(const FunnelAttribution& a) {
  std::vector<CubeSlice> slices = {{kSliceOwner, a.owner}};
  if (!a.account.region.empty()) slices.push_back({kSliceRegion, a.account.region});
  if (!a.account.industry.empty()) slices.push_back({kSliceIndustry, a.account.industry});
  if (a.source_channel != 0) slices.push_back({kSliceChannel, absl::StrCat(a.source_channel)});
  if (!a.source_campaign_id.empty()) slices.push_back({kSliceCampaign, a.source_campaign_id});
  return slices;
}

// Every slice of the cube an opportunity is counted in: all opportunities, each dimension, and
// each combination of dimensions the cube keeps (CombinedDimensions) for which it has values.
std::vector<CubeSlice> SlicesOf(const FunnelAttribution& a) {
  const std::vector<CubeSlice> dimensions = DimensionSlicesOf(a);
  std::vector<CubeSlice> slices = {{"", ""}};
  slices.insert(slices.end(), dimensions.begin(), dimensions.end());
  for (const std::vector<std::string>& combination : CombinedDimensions()) {
    std::vector<CubeSlice> parts;
    for (const std::string& dimension : combination) {
      for (const CubeSlice& slice : dimensions) {
        if (slice.dimension == dimension) parts.push_back(slice);
      }
    }
    if (parts.size() == combination.size()) slices.push_back(CombinedSlice(std::move(parts)));
  }
  return slices;
}

// What a new opportunity is counted under: its own values and its account's.
FunnelAttribution AttributionOf(const Opportunity& o, const AccountAttribution& account) {
  FunnelAttribution a;
  a.account_id = o.account_id();
  a.pipeline_id = o.pipeline_id();
  a.created_day = DayNumberOf(TimestampToTime(o.create_time()));
  a.owner = o.owner();
  a.account = account;
  a.source_channel = o.source_channel();
  a.source_campaign_id = o.source_campaign_id();
  return a;
}

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

absl::StatusOr<FunnelAttribution> CountedAttribution(soci::session& sql, const std::string& opportunity_id) {
  absl::StatusOr<std::optional<FunnelAttribution>> attribution = FunnelStore::LoadAttribution(sql, opportunity_id);
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
  FunnelAttribution attribution;
  StageFacts facts;
  if (t.before == nullptr) {
    absl::StatusOr<std::optional<AccountAttribution>> current = FunnelStore::CurrentOfAccount(sql, after.account_id());
    if (!current.ok()) return current.status();
    if (!current->has_value()) return absl::InternalError(absl::StrCat("account ", after.account_id(), " vanished"));
    attribution = AttributionOf(after, **current);
    if (absl::Status s = FunnelStore::SaveAttribution(tx, after.id(), attribution); !s.ok()) return s;
  } else {
    absl::StatusOr<FunnelAttribution> counted = CountedAttribution(sql, after.id());
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
  return FunnelStore::AddToCube(tx, attribution.pipeline_id, attribution.created_day, SlicesOf(attribution), delta);
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
  absl::StatusOr<FunnelAttribution> counted = CountedAttribution(sql, after.id());
  if (!counted.ok()) return counted.status();
  FunnelAttribution updated = *counted;
  updated.owner = after.owner();
  updated.source_channel = after.source_channel();
  updated.source_campaign_id = after.source_campaign_id();
  absl::StatusOr<StageFacts> facts = FunnelStore::LoadFacts(sql, after.id());
  if (!facts.ok()) return facts.status();
  if (absl::Status s = MoveContribution(tx, counted->pipeline_id, counted->created_day, SlicesOf(*counted),
                                        Contribution(*facts, standing_before), SlicesOf(updated),
                                        Contribution(*facts, standing_after));
      !s.ok()) {
    return s;
  }
  return FunnelStore::SaveAttribution(tx, after.id(), updated);
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
    absl::StatusOr<FunnelAttribution> counted = CountedAttribution(sql, id);
    if (!counted.ok()) return counted.status();
    FunnelAttribution moved = *counted;
    moved.account = **current;
    absl::StatusOr<StageFacts> facts = FunnelStore::LoadFacts(sql, id);
    if (!facts.ok()) return facts.status();
    const FunnelTotals contribution = Contribution(*facts, StandingOf(**opportunity));
    if (absl::Status s = MoveContribution(tx, counted->pipeline_id, counted->created_day, SlicesOf(*counted),
                                          contribution, SlicesOf(moved), contribution);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = FunnelStore::SaveAttribution(tx, id, moved); !s.ok()) return s;
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

  const auto attribution_of = [](const FunnelStore::OpportunityRow& row) {
    FunnelAttribution a;
    a.account_id = row.account_id;
    a.pipeline_id = row.pipeline_id;
    a.created_day = DayNumberOf(FromMicros(row.create_micros));
    a.owner = row.owner;
    a.account = row.attribution;
    a.source_channel = row.source_channel;
    a.source_campaign_id = row.source_campaign_id;
    return a;
  };
  const auto contribution_of = [&](const std::string& id, const FunnelStore::OpportunityRow& row) {
    Standing standing;
    standing.stage_id = row.stage_id;
    standing.currency = row.currency;
    standing.micros = row.amount_micros;
    standing.create_micros = row.create_micros;
    const bool closed = row.status == crm::v1::OPPORTUNITY_STATUS_WON || row.status == crm::v1::OPPORTUNITY_STATUS_LOST;
    if (closed) standing.close_micros = row.close_micros;
    return Contribution(facts_by_opportunity[id], standing);
  };

  FunnelStore::BulkWriter writer(sql);
  for (const auto& [id, row] : opportunities) {
    if (absl::Status s = writer.Attribution(id, attribution_of(row)); !s.ok()) return s;
    if (absl::Status s = writer.Facts(id, facts_by_opportunity[id]); !s.ok()) return s;
  }

  // The cube is summed one group of slices at a time, so the sums held in memory stay bounded:
  // all opportunities and the single dimensions by day (their months summed from the days),
  // then each combination of dimensions by month.
  using CubeKey = std::tuple<std::string, std::string, std::string, int64_t>;  // pipeline, dimension, value, day
  const auto sum_group = [&](const std::function<bool(const CubeSlice&)>& in_group, CubeGrain grain) {
    std::map<CubeKey, FunnelTotals> cube;
    for (const auto& [id, row] : opportunities) {
      const FunnelAttribution a = attribution_of(row);
      const int64_t day = grain == CubeGrain::kDay ? a.created_day : MonthStart(a.created_day);
      std::optional<FunnelTotals> contribution;
      for (const CubeSlice& slice : SlicesOf(a)) {
        if (!in_group(slice)) continue;
        if (!contribution.has_value()) contribution = contribution_of(id, row);
        cube[CubeKey{a.pipeline_id, slice.dimension, slice.value, day}].Add(*contribution, +1);
      }
    }
    return cube;
  };
  const auto write = [&](const std::map<CubeKey, FunnelTotals>& cube, CubeGrain grain) -> absl::Status {
    for (const auto& [key, totals] : cube) {
      const auto& [pipeline_id, dimension, value, day] = key;
      if (absl::Status s = writer.Cube(pipeline_id, grain, day, CubeSlice{dimension, value}, totals); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  };

  {
    const std::map<CubeKey, FunnelTotals> by_day =
        sum_group([](const CubeSlice& slice) { return !IsCombinedSlice(slice); }, CubeGrain::kDay);
    std::map<CubeKey, FunnelTotals> by_month;
    for (const auto& [key, totals] : by_day) {
      const auto& [pipeline_id, dimension, value, day] = key;
      by_month[CubeKey{pipeline_id, dimension, value, MonthStart(day)}].Add(totals, +1);
    }
    if (absl::Status s = write(by_day, CubeGrain::kDay); !s.ok()) return s;
    if (absl::Status s = write(by_month, CubeGrain::kMonth); !s.ok()) return s;
  }
  for (const std::vector<std::string>& combination : CombinedDimensions()) {
    std::vector<CubeSlice> parts;
    for (const std::string& dimension : combination) parts.push_back({dimension, ""});
    const std::string combined = CombinedSlice(std::move(parts)).dimension;
    const std::map<CubeKey, FunnelTotals> by_month =
        sum_group([&](const CubeSlice& slice) { return slice.dimension == combined; }, CubeGrain::kMonth);
    if (absl::Status s = write(by_month, CubeGrain::kMonth); !s.ok()) return s;
  }
  return writer.Finish();
}

absl::Status RebuildFunnelAggregates(db::Database& db) {
  return db.WriteBulk([](db::Tx& tx) { return RebuildFunnelAggregates(tx.session()); });
}

}  // namespace crm::pipeline
