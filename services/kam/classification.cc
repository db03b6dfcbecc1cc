// Classification engine: a handful of sorts over compact (key, index) pairs, then one pass per
// account. See the header for the rules.
#include "services/kam/classification.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/validation.h"

namespace crm::kam {
namespace {

constexpr double kNeutral = 0.5;

// Rank facts of one account for one measure.
struct Rank {
  uint32_t less = 0;   // accounts with a strictly worse value
  uint32_t equal = 0;  // accounts with the same value, itself included
};

// Sorts (key, index) pairs ascending (worse first) and records each account's rank. Sorting pairs
// rather than indices keeps the comparisons in cache.
template <typename Key>
void RankBy(std::vector<std::pair<Key, uint32_t>>& keyed, std::vector<Rank>& ranks) {
  std::sort(keyed.begin(), keyed.end());
  const size_t n = keyed.size();
  size_t begin = 0;
  while (begin < n) {
    size_t end = begin + 1;
    while (end < n && keyed[end].first == keyed[begin].first) ++end;
    for (size_t i = begin; i < end; ++i) {
      ranks[keyed[i].second] = {static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin)};
    }
    begin = end;
  }
}

uint8_t Quintile(const Rank& rank, size_t n) {
  return static_cast<uint8_t>(1 + (5 * static_cast<uint64_t>(rank.less)) / n);
}

double Percentile(const Rank& rank, size_t n) {
  const size_t differing = n - rank.equal;
  return differing == 0 ? 1.0 : static_cast<double>(rank.less) / static_cast<double>(differing);
}

double Scale1To5(double value) { return std::clamp((value - 1.0) / 4.0, 0.0, 1.0); }

LifecycleStage Lifecycle(const LifecycleRules& rules, absl::Time as_of, const AccountFacts& a) {
  if (!a.first_order_time || as_of - *a.first_order_time < rules.new_max_tenure) {
    return LifecycleStage::kNew;
  }
  const int64_t current = a.recent_revenue_minor;
  const int64_t previous = a.previous_revenue_minor;
  if (previous <= 0) {
    return current > 0 ? LifecycleStage::kGrowth : LifecycleStage::kDecline;
  }
  // One division, so a trend that is exactly a decimal threshold compares equal to it.
  const double trend =
      static_cast<double>(current - previous) / static_cast<double>(previous);
  if (trend <= -rules.decline_min_drop) return LifecycleStage::kDecline;
  if (trend >= rules.growth_min_rise) return LifecycleStage::kGrowth;
  return LifecycleStage::kMature;
}

absl::Status ValidateFacts(absl::Span<const AccountFacts> accounts) {
  Validator validator;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const AccountFacts& a = accounts[i];
    const bool bad = a.orders_in_window < 0 ||
                     !(a.overdue_share >= 0 && a.overdue_share <= 1) ||
                     (a.satisfaction && !(*a.satisfaction >= 1 && *a.satisfaction <= 5)) ||
                     (a.industry_influence &&
                      (*a.industry_influence < 1 || *a.industry_influence > 5)) ||
                     (a.cooperation_potential &&
                      (*a.cooperation_potential < 1 || *a.cooperation_potential > 5));
    if (!bad) continue;  // field names are built only for the rare bad account
    const std::string field = absl::StrCat("accounts[", i, "]");
    validator.Check(a.orders_in_window >= 0, field + ".orders_in_window", "must not be negative")
        .Check(a.overdue_share >= 0 && a.overdue_share <= 1, field + ".overdue_share",
               "must be 0 to 1")
        .Check(!a.satisfaction || (*a.satisfaction >= 1 && *a.satisfaction <= 5),
               field + ".satisfaction", "must be 1 to 5")
        .Check(!a.industry_influence || (*a.industry_influence >= 1 && *a.industry_influence <= 5),
               field + ".industry_influence", "must be 1 to 5")
        .Check(!a.cooperation_potential ||
                   (*a.cooperation_potential >= 1 && *a.cooperation_potential <= 5),
               field + ".cooperation_potential", "must be 1 to 5");
  }
  return validator.status();
}

}  // namespace

absl::string_view DimensionName(Dimension dimension) {
  switch (dimension) {
    case Dimension::kRevenue: return "revenue";
    case Dimension::kProfit: return "profit";
    case Dimension::kFrequency: return "frequency";
    case Dimension::kRecency: return "recency";
    case Dimension::kTenure: return "tenure";
    case Dimension::kPayment: return "payment";
    case Dimension::kSatisfaction: return "satisfaction";
    case Dimension::kIndustryInfluence: return "industry_influence";
    case Dimension::kCooperationPotential: return "cooperation_potential";
  }
  return "unknown";
}

absl::string_view AbcClassName(AbcClass abc) {
  switch (abc) {
    case AbcClass::kA: return "A";
    case AbcClass::kB: return "B";
    case AbcClass::kC: return "C";
  }
  return "unknown";
}

absl::string_view RfmSegmentName(RfmSegment segment) {
  switch (segment) {
    case RfmSegment::kChampions: return "champions";
    case RfmSegment::kLoyal: return "loyal";
    case RfmSegment::kPotentialLoyalist: return "potential_loyalist";
    case RfmSegment::kNew: return "new";
    case RfmSegment::kPromising: return "promising";
    case RfmSegment::kNeedAttention: return "need_attention";
    case RfmSegment::kAboutToSleep: return "about_to_sleep";
    case RfmSegment::kAtRisk: return "at_risk";
    case RfmSegment::kCannotLose: return "cant_lose";
    case RfmSegment::kHibernating: return "hibernating";
  }
  return "unknown";
}

absl::string_view LifecycleStageName(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return "new";
    case LifecycleStage::kGrowth: return "growth";
    case LifecycleStage::kMature: return "mature";
    case LifecycleStage::kDecline: return "decline";
  }
  return "unknown";
}

double DimensionWeights::Get(Dimension dimension) const {
  switch (dimension) {
    case Dimension::kRevenue: return revenue;
    case Dimension::kProfit: return profit;
    case Dimension::kFrequency: return frequency;
    case Dimension::kRecency: return recency;
    case Dimension::kTenure: return tenure;
    case Dimension::kPayment: return payment;
    case Dimension::kSatisfaction: return satisfaction;
    case Dimension::kIndustryInfluence: return industry_influence;
    case Dimension::kCooperationPotential: return cooperation_potential;
  }
  return 0;
}

RfmSegment SegmentFor(int r, int f) {
  using S = RfmSegment;
  // Rows R = 1..5, columns F = 1..5; the grid in the header.
  static constexpr S kGrid[5][5] = {
      {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLose},
      {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLose},
      {S::kAboutToSleep, S::kAboutToSleep, S::kNeedAttention, S::kLoyal, S::kLoyal},
      {S::kPromising, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kLoyal, S::kLoyal},
      {S::kNew, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kChampions, S::kChampions},
  };
  return kGrid[std::clamp(r, 1, 5) - 1][std::clamp(f, 1, 5) - 1];
}

absl::Status ValidateModel(const ScoringModel& model) {
  Validator validator;
  double sum = 0;
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dimension = static_cast<Dimension>(d);
    const double w = model.weights.Get(dimension);
    validator.Check(std::isfinite(w) && w >= 0,
                    absl::StrCat("model.weights.", DimensionName(dimension)),
                    "must be a non-negative number");
    sum += w;
  }
  validator.Check(std::abs(sum - 1.0) <= kWeightSumTolerance, "model.weights",
                  absl::StrCat("must sum to 1 (they sum to ", sum, ")"));

  const AbcThresholds& abc = model.abc;
  validator.Check(abc.a_threshold > 0 && abc.a_threshold < 1, "model.abc.a_threshold",
                  "must be above 0 and below 1");
  validator.Check(abc.b_threshold > abc.a_threshold && abc.b_threshold <= 1,
                  "model.abc.b_threshold", "must be above a_threshold and at most 1");

  validator.Check(model.rfm_window > absl::ZeroDuration(), "model.rfm_window", "must be positive");
  validator.Check(model.scoring_window > absl::ZeroDuration(), "model.scoring_window",
                  "must be positive");
  validator.Check(model.tenure_saturation > absl::ZeroDuration(), "model.tenure_saturation",
                  "must be positive");
  const LifecycleRules& life = model.lifecycle;
  validator.Check(life.new_max_tenure >= absl::ZeroDuration(), "model.lifecycle.new_max_tenure",
                  "must not be negative");
  validator.Check(life.growth_min_rise >= 0 && std::isfinite(life.growth_min_rise),
                  "model.lifecycle.growth_min_rise", "must not be negative");
  validator.Check(life.decline_min_drop > 0 && life.decline_min_drop <= 1,
                  "model.lifecycle.decline_min_drop", "must be above 0 and at most 1");

  validator.Check(!model.tiers.empty(), "model.tiers", "at least one tier is required");
  validator.Check(model.tiers.size() <= 1000, "model.tiers", "at most 1000 tiers");
  absl::flat_hash_set<absl::string_view> names;
  for (size_t i = 0; i < model.tiers.size(); ++i) {
    const Tier& tier = model.tiers[i];
    const std::string field = absl::StrCat("model.tiers[", i, "]");
    validator.RequiredText(tier.name, field + ".name", kMaxNameLength);
    validator.Check(names.insert(tier.name).second || tier.name.empty(), field + ".name",
                    "is used by another tier");
    const bool in_range = tier.min_score >= 0 && tier.min_score <= 100;
    validator.Check(in_range, field + ".min_score", "must be 0 to 100");
    if (in_range && i > 0) {
      validator.Check(tier.min_score < model.tiers[i - 1].min_score, field + ".min_score",
                      "must be below the previous tier's min_score");
    }
    if (i + 1 == model.tiers.size()) {
      validator.Check(tier.min_score == 0, field + ".min_score",
                      "the last tier must start at 0 so that every account has a tier");
    }
  }
  return validator.status();
}

absl::StatusOr<std::vector<AccountClassification>> Classify(
    const ScoringModel& model, absl::Time as_of, absl::Span<const AccountFacts> accounts) {
  if (absl::Status status = ValidateModel(model); !status.ok()) return status;
  if (absl::Status status = ValidateFacts(accounts); !status.ok()) return status;
  const size_t n = accounts.size();
  if (n > UINT32_MAX) return InvalidField("accounts", "too many accounts");
  std::vector<AccountClassification> results(n);
  if (n == 0) return results;

  // One sort per ranked measure. Revenue also gives M and the ABC order; frequency gives F;
  // last order time gives R.
  std::vector<Rank> revenue_rank(n), profit_rank(n), frequency_rank(n), recency_rank(n);
  std::vector<std::pair<int64_t, uint32_t>> keyed(n);
  for (uint32_t i = 0; i < n; ++i) keyed[i] = {accounts[i].revenue_minor, i};
  RankBy(keyed, revenue_rank);

  // ABC walks the revenue order from the top; only tie groups need the account-id order.
  {
    int64_t total = 0;
    for (const AccountFacts& a : accounts) total += std::max<int64_t>(a.revenue_minor, 0);
    const double a_limit = model.abc.a_threshold, b_limit = model.abc.b_threshold;
    int64_t cumulative = 0;
    std::vector<uint32_t> group;
    size_t end = n;
    while (end > 0 && keyed[end - 1].first > 0) {
      size_t begin = end - 1;
      while (begin > 0 && keyed[begin - 1].first == keyed[end - 1].first) --begin;
      group.clear();
      for (size_t i = begin; i < end; ++i) group.push_back(keyed[i].second);
      if (group.size() > 1) {
        std::sort(group.begin(), group.end(), [&](uint32_t x, uint32_t y) {
          return accounts[x].account_id < accounts[y].account_id;
        });
      }
      for (uint32_t index : group) {
        const double share_before = static_cast<double>(cumulative) / static_cast<double>(total);
        results[index].abc = share_before < a_limit   ? AbcClass::kA
                             : share_before < b_limit ? AbcClass::kB
                                                      : AbcClass::kC;
        cumulative += accounts[index].revenue_minor;
      }
      end = begin;
    }
  }

  for (uint32_t i = 0; i < n; ++i) keyed[i] = {accounts[i].profit_minor, i};
  RankBy(keyed, profit_rank);
  for (uint32_t i = 0; i < n; ++i) keyed[i] = {accounts[i].orders_in_window, i};
  RankBy(keyed, frequency_rank);
  {
    std::vector<std::pair<absl::Time, uint32_t>> by_time(n);
    for (uint32_t i = 0; i < n; ++i) {
      by_time[i] = {accounts[i].last_order_time.value_or(absl::InfinitePast()), i};
    }
    RankBy(by_time, recency_rank);
  }

  double weights[kDimensionCount];
  for (int d = 0; d < kDimensionCount; ++d) {
    weights[d] = model.weights.Get(static_cast<Dimension>(d));
  }
  const double saturation = absl::ToDoubleSeconds(model.tenure_saturation);

  for (size_t i = 0; i < n; ++i) {
    const AccountFacts& a = accounts[i];
    AccountClassification& out = results[i];
    out.r = Quintile(recency_rank[i], n);
    out.f = Quintile(frequency_rank[i], n);
    out.m = Quintile(revenue_rank[i], n);
    out.segment = SegmentFor(out.r, out.f);
    out.lifecycle = Lifecycle(model.lifecycle, as_of, a);

    auto& v = out.normalised;
    v[static_cast<int>(Dimension::kRevenue)] =
        a.revenue_minor > 0 ? Percentile(revenue_rank[i], n) : 0.0;
    v[static_cast<int>(Dimension::kProfit)] =
        a.profit_minor > 0 ? Percentile(profit_rank[i], n) : 0.0;
    v[static_cast<int>(Dimension::kFrequency)] =
        a.orders_in_window > 0 ? Percentile(frequency_rank[i], n) : 0.0;
    v[static_cast<int>(Dimension::kRecency)] =
        a.last_order_time ? Percentile(recency_rank[i], n) : 0.0;
    double tenure = 0;
    if (a.first_order_time && *a.first_order_time < as_of) {
      tenure = std::min(1.0, absl::ToDoubleSeconds(as_of - *a.first_order_time) / saturation);
    }
    v[static_cast<int>(Dimension::kTenure)] = tenure;
    v[static_cast<int>(Dimension::kPayment)] = 1.0 - a.overdue_share;
    v[static_cast<int>(Dimension::kSatisfaction)] =
        a.satisfaction ? Scale1To5(*a.satisfaction) : kNeutral;
    v[static_cast<int>(Dimension::kIndustryInfluence)] =
        a.industry_influence ? Scale1To5(*a.industry_influence) : kNeutral;
    v[static_cast<int>(Dimension::kCooperationPotential)] =
        a.cooperation_potential ? Scale1To5(*a.cooperation_potential) : kNeutral;

    double sum = 0;
    for (int d = 0; d < kDimensionCount; ++d) sum += weights[d] * v[d];
    out.composite = std::clamp(std::round(sum * 100.0 * 1e6) / 1e6, 0.0, 100.0);

    uint16_t tier = 0;
    while (tier + 1u < model.tiers.size() && out.composite < model.tiers[tier].min_score) ++tier;
    out.tier = tier;
  }
  return results;
}

namespace {

void SortByMagnitude(std::vector<Contribution>& contributions) {
  std::stable_sort(contributions.begin(), contributions.end(),
                   [](const Contribution& x, const Contribution& y) {
                     return std::abs(x.points) > std::abs(y.points);
                   });
}

}  // namespace

std::vector<Contribution> Contributions(const ScoringModel& model,
                                        const AccountClassification& result) {
  std::vector<Contribution> out;
  out.reserve(kDimensionCount);
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dimension = static_cast<Dimension>(d);
    out.push_back({dimension, 100.0 * model.weights.Get(dimension) * result.normalised[d]});
  }
  SortByMagnitude(out);  // contributions are non-negative, so magnitude is value
  return out;
}

std::vector<Contribution> ScoreMovement(const ScoringModel& model,
                                        const AccountClassification& before,
                                        const AccountClassification& after) {
  std::vector<Contribution> out;
  out.reserve(kDimensionCount);
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dimension = static_cast<Dimension>(d);
    out.push_back({dimension, 100.0 * model.weights.Get(dimension) *
                                  (after.normalised[d] - before.normalised[d])});
  }
  SortByMagnitude(out);
  return out;
}

}  // namespace crm::kam
