// Classification engine: every figure checked against deliberately simple reference computations
// (O(n^2) rank counting, a plain cumulative-share loop) over random data with many ties, plus the
// hand-checked edges: quintile and ABC boundaries, no orders, one and two accounts, equal values,
// the segment grid, lifecycle boundaries, tiers on their cut-offs and rejected models.
#include "services/kam/classification.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/status_matchers.h"

namespace crm::kam {
namespace {

using crm::testing::HasCodeAndField;

const absl::Time kAsOf = absl::FromUnixSeconds(1'800'000'000);
constexpr absl::Duration kDay = absl::Hours(24);

ScoringModel EqualWeights() {
  ScoringModel model;
  const double w = 1.0 / kDimensionCount;
  model.weights = {w, w, w, w, w, w, w, w, w};
  return model;
}

ScoringModel OnlyWeight(double DimensionWeights::*field) {
  ScoringModel model;
  model.weights = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  model.weights.*field = 1.0;
  return model;
}

std::vector<AccountClassification> ClassifyOk(const ScoringModel& model,
                                              const std::vector<AccountFacts>& accounts) {
  absl::StatusOr<std::vector<AccountClassification>> result = Classify(model, kAsOf, accounts);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  return *std::move(result);
}

AccountFacts Account(std::string id, int64_t revenue) {
  AccountFacts a;
  a.account_id = std::move(id);
  a.revenue_minor = revenue;
  return a;
}

// ---- The reference: written the slow, obvious way ------------------------------------------

// Counts of accounts worse than / equal to `i` for a measure given as a "better than" key.
template <typename Key>
void CountRank(const std::vector<Key>& keys, size_t i, size_t* less, size_t* equal) {
  *less = 0;
  *equal = 0;
  for (size_t j = 0; j < keys.size(); ++j) {
    if (keys[j] < keys[i]) ++*less;
    if (keys[j] == keys[i]) ++*equal;
  }
}

template <typename Key>
int RefQuintile(const std::vector<Key>& keys, size_t i) {
  size_t less, equal;
  CountRank(keys, i, &less, &equal);
  // Position of the tie group's first member, as a fraction of n, in fifths.
  for (int score = 5; score >= 1; --score) {
    if (less * 5 >= (score - 1) * keys.size()) return score;
  }
  return 1;
}

template <typename Key>
double RefPercentile(const std::vector<Key>& keys, size_t i) {
  size_t less, equal;
  CountRank(keys, i, &less, &equal);
  if (equal == keys.size()) return 1.0;
  return static_cast<double>(less) / static_cast<double>(keys.size() - equal);
}

std::vector<AbcClass> RefAbc(const ScoringModel& model, const std::vector<AccountFacts>& accounts) {
  std::vector<size_t> order;
  int64_t total = 0;
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (accounts[i].revenue_minor > 0) {
      order.push_back(i);
      total += accounts[i].revenue_minor;
    }
  }
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (accounts[x].revenue_minor != accounts[y].revenue_minor) {
      return accounts[x].revenue_minor > accounts[y].revenue_minor;
    }
    return accounts[x].account_id < accounts[y].account_id;
  });
  std::vector<AbcClass> out(accounts.size(), AbcClass::kC);
  int64_t before = 0;
  for (size_t i : order) {
    const double share = static_cast<double>(before) / static_cast<double>(total);
    if (share < model.abc.a_threshold) {
      out[i] = AbcClass::kA;
    } else if (share < model.abc.b_threshold) {
      out[i] = AbcClass::kB;
    }
    before += accounts[i].revenue_minor;
  }
  return out;
}

LifecycleStage RefLifecycle(const ScoringModel& model, const AccountFacts& a) {
  if (!a.first_order_time.has_value()) return LifecycleStage::kNew;
  if (kAsOf - *a.first_order_time < model.lifecycle.new_max_tenure) return LifecycleStage::kNew;
  if (a.previous_revenue_minor <= 0 && a.recent_revenue_minor <= 0) return LifecycleStage::kDecline;
  if (a.previous_revenue_minor <= 0) return LifecycleStage::kGrowth;
  const double trend = static_cast<double>(a.recent_revenue_minor - a.previous_revenue_minor) /
                       static_cast<double>(a.previous_revenue_minor);
  if (trend <= -model.lifecycle.decline_min_drop) return LifecycleStage::kDecline;
  if (trend >= model.lifecycle.growth_min_rise) return LifecycleStage::kGrowth;
  return LifecycleStage::kMature;
}

// Random accounts whose values come from small sets, so ties are everywhere; about a fifth have
// no orders at all.
std::vector<AccountFacts> Generate(std::mt19937_64& rng, size_t n) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<AccountFacts> accounts(n);
  for (size_t i = 0; i < n; ++i) {
    AccountFacts& a = accounts[i];
    a.account_id = absl::StrCat("acct-", pick(0, static_cast<int>(n)), "-", i);
    if (pick(0, 4) == 0) {  // never ordered
      a.previous_revenue_minor = 0;
    } else {
      a.first_order_time = kAsOf - pick(0, 8) * 100 * kDay;
      a.last_order_time = kAsOf - pick(0, 6) * 30 * kDay;
      a.orders_in_window = pick(0, 6);
      a.revenue_minor = a.orders_in_window == 0 ? 0 : pick(0, 5) * 1000;
      a.profit_minor = pick(-2, 4) * 250;
      a.recent_revenue_minor = pick(0, 5) * 1000;
      a.previous_revenue_minor = pick(0, 4) * 1000;
    }
    a.overdue_share = pick(0, 4) / 4.0;
    if (pick(0, 2) != 0) a.satisfaction = 1 + pick(0, 8) / 2.0;
    if (pick(0, 2) != 0) a.industry_influence = pick(1, 5);
    if (pick(0, 2) != 0) a.cooperation_potential = pick(1, 5);
  }
  return accounts;
}

void ExpectMatchesReference(const ScoringModel& model, const std::vector<AccountFacts>& accounts) {
  const std::vector<AccountClassification> got = ClassifyOk(model, accounts);
  ASSERT_EQ(got.size(), accounts.size());
  const size_t n = accounts.size();

  // "Better" keys: larger is better for every ranked measure.
  std::vector<int64_t> revenue(n), profit(n), frequency(n);
  std::vector<absl::Time> recency(n);
  for (size_t i = 0; i < n; ++i) {
    revenue[i] = accounts[i].revenue_minor;
    profit[i] = accounts[i].profit_minor;
    frequency[i] = accounts[i].orders_in_window;
    recency[i] = accounts[i].last_order_time.value_or(absl::InfinitePast());
  }
  const std::vector<AbcClass> abc = RefAbc(model, accounts);

  for (size_t i = 0; i < n; ++i) {
    SCOPED_TRACE(absl::StrCat("account ", i, " of ", n));
    const AccountFacts& a = accounts[i];
    const AccountClassification& g = got[i];
    EXPECT_EQ(g.abc, abc[i]);
    EXPECT_EQ(g.r, RefQuintile(recency, i));
    EXPECT_EQ(g.f, RefQuintile(frequency, i));
    EXPECT_EQ(g.m, RefQuintile(revenue, i));
    EXPECT_EQ(g.segment, SegmentFor(g.r, g.f));
    EXPECT_EQ(g.lifecycle, RefLifecycle(model, a));

    double expected[kDimensionCount];
    expected[0] = a.revenue_minor > 0 ? RefPercentile(revenue, i) : 0;
    expected[1] = a.profit_minor > 0 ? RefPercentile(profit, i) : 0;
    expected[2] = a.orders_in_window > 0 ? RefPercentile(frequency, i) : 0;
    expected[3] = a.last_order_time ? RefPercentile(recency, i) : 0;
    expected[4] = 0;
    if (a.first_order_time && *a.first_order_time < kAsOf) {
      expected[4] = std::min(1.0, absl::ToDoubleSeconds(kAsOf - *a.first_order_time) /
                                       absl::ToDoubleSeconds(model.tenure_saturation));
    }
    expected[5] = 1 - a.overdue_share;
    expected[6] = a.satisfaction ? (*a.satisfaction - 1) / 4 : 0.5;
    expected[7] = a.industry_influence ? (*a.industry_influence - 1) / 4.0 : 0.5;
    expected[8] = a.cooperation_potential ? (*a.cooperation_potential - 1) / 4.0 : 0.5;
    double sum = 0;
    for (int d = 0; d < kDimensionCount; ++d) {
      EXPECT_NEAR(g.normalised[d], expected[d], 1e-12) << DimensionName(Dimension(d));
      sum += model.weights.Get(Dimension(d)) * expected[d];
    }
    const double composite = std::round(sum * 100 * 1e6) / 1e6;
    EXPECT_NEAR(g.composite, composite, 1e-9);
    // The tier by a linear scan for the first cut-off the composite reaches.
    size_t tier = model.tiers.size() - 1;
    for (size_t t = 0; t < model.tiers.size(); ++t) {
      if (composite >= model.tiers[t].min_score) {
        tier = t;
        break;
      }
    }
    EXPECT_EQ(g.tier, tier);
  }
}

// ---- Tests ---------------------------------------------------------------------------------

TEST(Classification, RandomDataMatchesReference) {
  std::mt19937_64 rng(20261126);
  ScoringModel model = EqualWeights();
  for (size_t n : {1, 2, 3, 4, 5, 6, 7, 10, 11, 37, 100, 401}) {
    for (int round = 0; round < 5; ++round) {
      SCOPED_TRACE(absl::StrCat("n=", n, " round=", round));
      ExpectMatchesReference(model, Generate(rng, n));
    }
  }
}

TEST(Classification, RandomDataMatchesReferenceUnderOtherModels) {
  std::mt19937_64 rng(7);
  ScoringModel model;
  model.weights = {0.3, 0.1, 0.15, 0.15, 0.05, 0.1, 0.05, 0.05, 0.05};
  model.abc = {0.5, 0.7};
  model.lifecycle = {absl::Hours(24 * 300), 0.25, 0.5};
  model.tenure_saturation = absl::Hours(24 * 400);
  model.tiers = {{"Gold", 50}, {"Silver", 40}, {"Bronze", 0}};
  for (int round = 0; round < 20; ++round) {
    ExpectMatchesReference(model, Generate(rng, 150));
  }
}

TEST(Classification, NoAccountsGiveNoResults) {
  EXPECT_TRUE(ClassifyOk(ScoringModel(), {}).empty());
}

TEST(Classification, QuintilesTiesAtBoundariesShareTheLowerScore) {
  // Ten accounts, orders 0,1,1,2,2,2,3,4,4,5: positions 0..9, quintile boundaries every 2.
  const std::vector<int> orders = {0, 1, 1, 2, 2, 2, 3, 4, 4, 5};
  const std::vector<int> expected_f = {1, 1, 1, 2, 2, 2, 4, 4, 4, 5};
  std::vector<AccountFacts> accounts;
  for (size_t i = 0; i < orders.size(); ++i) {
    AccountFacts a = Account(absl::StrCat("a", i), 100);
    a.orders_in_window = orders[i];
    accounts.push_back(a);
  }
  const std::vector<AccountClassification> got = ClassifyOk(ScoringModel(), accounts);
  for (size_t i = 0; i < orders.size(); ++i) {
    EXPECT_EQ(got[i].f, expected_f[i]) << i;
  }
  // Frequency percentile: share of differing accounts beaten; 0 orders gives 0.
  EXPECT_EQ(got[0].Normalised(Dimension::kFrequency), 0);
  EXPECT_DOUBLE_EQ(got[1].Normalised(Dimension::kFrequency), 1.0 / 8);
  EXPECT_DOUBLE_EQ(got[3].Normalised(Dimension::kFrequency), 3.0 / 7);
  EXPECT_EQ(got[9].Normalised(Dimension::kFrequency), 1);
}

TEST(Classification, RecencyIsReversedMostRecentScoresFive) {
  std::vector<AccountFacts> accounts;
  for (int i = 0; i < 5; ++i) {
    AccountFacts a = Account(absl::StrCat("a", i), 100);
    a.last_order_time = kAsOf - i * kDay;  // a0 most recent
    accounts.push_back(a);
  }
  accounts.push_back(Account("never", 0));  // no order at all: worst
  const std::vector<AccountClassification> got = ClassifyOk(ScoringModel(), accounts);
  EXPECT_EQ(got[0].r, 5);
  EXPECT_EQ(got[4].r, 1);  // position 1 of 6: 1 + 5/6
  EXPECT_EQ(got[5].r, 1);
  EXPECT_EQ(got[0].Normalised(Dimension::kRecency), 1);
  EXPECT_EQ(got[5].Normalised(Dimension::kRecency), 0);
}

TEST(Classification, AbcBoundaryExactlyAtThresholds) {
  // Shares before each account: 0, 0.80, 0.95 -> A, B, C; zero and negative revenue are C.
  std::vector<AccountFacts> accounts = {Account("x", 15), Account("y", 80), Account("z", 5),
                                        Account("zero", 0), Account("refund", -10)};
  const std::vector<AccountClassification> got = ClassifyOk(ScoringModel(), accounts);
  EXPECT_EQ(got[1].abc, AbcClass::kA);
  EXPECT_EQ(got[0].abc, AbcClass::kB);
  EXPECT_EQ(got[2].abc, AbcClass::kC);
  EXPECT_EQ(got[3].abc, AbcClass::kC);
  EXPECT_EQ(got[4].abc, AbcClass::kC);
}

TEST(Classification, AbcTiesOrderedByAccountId) {
  // Four equal revenues of 20 each: shares before in id order 0, .2, .4, .6 (A) then the fifth.
  std::vector<AccountFacts> accounts = {Account("e", 20), Account("d", 20), Account("c", 20),
                                        Account("b", 20), Account("a", 16), Account("f", 4)};
  // Total 100: c,d,e,b are ordered b, c, d, e: before = 0, 20, 40, 60; then a at 80 -> B,
  // f at 96 -> C.
  const std::vector<AccountClassification> got = ClassifyOk(ScoringModel(), accounts);
  EXPECT_EQ(got[3].abc, AbcClass::kA);
  EXPECT_EQ(got[2].abc, AbcClass::kA);
  EXPECT_EQ(got[1].abc, AbcClass::kA);
  EXPECT_EQ(got[0].abc, AbcClass::kA);
  EXPECT_EQ(got[4].abc, AbcClass::kB);
  EXPECT_EQ(got[5].abc, AbcClass::kC);

  // Five ties straddling the A threshold: the id order decides who is B.
  std::vector<AccountFacts> straddle = {Account("p5", 18), Account("p1", 18), Account("p3", 18),
                                        Account("p2", 18), Account("p4", 18), Account("q", 10)};
  // Total 100; before for p1..p5 = 0, 18, 36, 54, 72 -> all A; q at 90 -> B.
  const std::vector<AccountClassification> g2 = ClassifyOk(ScoringModel(), straddle);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g2[i].abc, AbcClass::kA) << i;
  EXPECT_EQ(g2[5].abc, AbcClass::kB);
  ScoringModel tight;
  tight.abc = {0.5, 0.9};
  // Before: p1 0, p2 .18, p3 .36, p4 .54 -> B, p5 .72 -> B, q .90 -> C.
  const std::vector<AccountClassification> g3 = ClassifyOk(tight, straddle);
  EXPECT_EQ(g3[1].abc, AbcClass::kA);
  EXPECT_EQ(g3[3].abc, AbcClass::kA);
  EXPECT_EQ(g3[2].abc, AbcClass::kA);
  EXPECT_EQ(g3[4].abc, AbcClass::kB);
  EXPECT_EQ(g3[0].abc, AbcClass::kB);
  EXPECT_EQ(g3[5].abc, AbcClass::kC);
}

TEST(Classification, SingleAccount) {
  AccountFacts a = Account("only", 500);
  a.profit_minor = 50;
  a.orders_in_window = 3;
  a.last_order_time = kAsOf - kDay;
  const std::vector<AccountClassification> got = ClassifyOk(EqualWeights(), {a});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].abc, AbcClass::kA);
  EXPECT_EQ(got[0].r, 1);
  EXPECT_EQ(got[0].f, 1);
  EXPECT_EQ(got[0].m, 1);
  EXPECT_EQ(got[0].segment, RfmSegment::kHibernating);
  EXPECT_EQ(got[0].Normalised(Dimension::kRevenue), 1);
  EXPECT_EQ(got[0].Normalised(Dimension::kRecency), 1);
}

TEST(Classification, TwoAccounts) {
  AccountFacts big = Account("big", 900);
  big.orders_in_window = 9;
  big.last_order_time = kAsOf;
  AccountFacts small = Account("small", 100);
  small.orders_in_window = 1;
  small.last_order_time = kAsOf - 10 * kDay;
  const std::vector<AccountClassification> got = ClassifyOk(EqualWeights(), {small, big});
  EXPECT_EQ(got[1].abc, AbcClass::kA);
  EXPECT_EQ(got[0].abc, AbcClass::kB);  // before = 0.9: not A, below 0.95: B
  EXPECT_EQ(got[1].r, 3);  // position 1 of 2: 1 + 5/2
  EXPECT_EQ(got[0].r, 1);
  EXPECT_EQ(got[1].segment, RfmSegment::kNeedAttention);
  EXPECT_EQ(got[1].Normalised(Dimension::kRevenue), 1);
  EXPECT_EQ(got[0].Normalised(Dimension::kRevenue), 0);
}

TEST(Classification, AllEqualValues) {
  std::vector<AccountFacts> accounts;
  for (int i = 0; i < 7; ++i) {
    AccountFacts a = Account(absl::StrCat("a", i), 100);
    a.orders_in_window = 2;
    a.profit_minor = 10;
    a.last_order_time = kAsOf - kDay;
    accounts.push_back(a);
  }
  const std::vector<AccountClassification> got = ClassifyOk(EqualWeights(), accounts);
  const double composite = got[0].composite;
  for (const AccountClassification& g : got) {
    EXPECT_EQ(g.r, 1);
    EXPECT_EQ(g.f, 1);
    EXPECT_EQ(g.m, 1);
    EXPECT_EQ(g.Normalised(Dimension::kRevenue), 1);
    EXPECT_EQ(g.composite, composite);
  }
  // Before-shares 0, 1/7 ... 6/7: ids a0..a5 are A (6/7 = .857 is not), a6 is B.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(got[i].abc, AbcClass::kA) << i;
  EXPECT_EQ(got[6].abc, AbcClass::kB);
}

TEST(Classification, AccountsWithNoOrders) {
  AccountFacts none = Account("none", 0);
  AccountFacts some = Account("some", 10);
  some.orders_in_window = 1;
  some.profit_minor = 5;
  some.first_order_time = kAsOf - 1000 * kDay;
  some.last_order_time = kAsOf - kDay;
  const std::vector<AccountClassification> got = ClassifyOk(EqualWeights(), {none, none, some});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(got[i].abc, AbcClass::kC);
    EXPECT_EQ(got[i].r, 1);
    EXPECT_EQ(got[i].f, 1);
    EXPECT_EQ(got[i].m, 1);
    EXPECT_EQ(got[i].lifecycle, LifecycleStage::kNew);
    for (Dimension d : {Dimension::kRevenue, Dimension::kProfit, Dimension::kFrequency,
                        Dimension::kRecency, Dimension::kTenure}) {
      EXPECT_EQ(got[i].Normalised(d), 0) << DimensionName(d);
    }
    EXPECT_EQ(got[i].Normalised(Dimension::kPayment), 1);
    EXPECT_EQ(got[i].Normalised(Dimension::kSatisfaction), 0.5);
  }
  EXPECT_EQ(got[2].r, 4);  // position 2 of 3: 1 + 10/3
}

TEST(Classification, SegmentGrid) {
  using S = RfmSegment;
  const S grid[5][5] = {
      // F=1             F=2                   F=3                   F=4            F=5
      {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLose},         // R=1
      {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLose},         // R=2
      {S::kAboutToSleep, S::kAboutToSleep, S::kNeedAttention, S::kLoyal, S::kLoyal},      // R=3
      {S::kPromising, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kLoyal, S::kLoyal},  // R=4
      {S::kNew, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kChampions, S::kChampions},
  };
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      EXPECT_EQ(SegmentFor(r, f), grid[r - 1][f - 1]) << "R=" << r << " F=" << f;
    }
  }
  EXPECT_EQ(RfmSegmentName(S::kCannotLose), "cant_lose");
  EXPECT_EQ(RfmSegmentName(S::kPotentialLoyalist), "potential_loyalist");
}

TEST(Classification, LifecycleBoundaries) {
  ScoringModel model;  // new < 180 days, growth >= +10 %, decline <= -20 %
  auto stage = [&](std::optional<absl::Duration> tenure, int64_t revenue, int64_t previous) {
    AccountFacts a = Account("a", revenue);
    if (tenure) a.first_order_time = kAsOf - *tenure;
    a.recent_revenue_minor = revenue;
    a.previous_revenue_minor = previous;
    return ClassifyOk(model, {a})[0].lifecycle;
  };
  const absl::Duration mature = 1000 * kDay;
  EXPECT_EQ(stage(std::nullopt, 1000, 1000), LifecycleStage::kNew);
  EXPECT_EQ(stage(180 * kDay - absl::Seconds(1), 1000, 1000), LifecycleStage::kNew);
  EXPECT_EQ(stage(180 * kDay, 1000, 1000), LifecycleStage::kMature);
  EXPECT_EQ(stage(mature, 1100, 1000), LifecycleStage::kGrowth);   // exactly +10 %
  EXPECT_EQ(stage(mature, 1099, 1000), LifecycleStage::kMature);
  EXPECT_EQ(stage(mature, 800, 1000), LifecycleStage::kDecline);   // exactly -20 %
  EXPECT_EQ(stage(mature, 801, 1000), LifecycleStage::kMature);
  EXPECT_EQ(stage(mature, 500, 0), LifecycleStage::kGrowth);       // from nothing
  EXPECT_EQ(stage(mature, 0, 0), LifecycleStage::kDecline);        // dormant
  EXPECT_EQ(stage(mature, 0, 1000), LifecycleStage::kDecline);
}

TEST(Classification, TierOnItsCutOff) {
  // Only payment counts: overdue 0.2 gives exactly 80 points, which is Strategic.
  ScoringModel model = OnlyWeight(&DimensionWeights::payment);
  auto tier_of = [&](double overdue) {
    AccountFacts a = Account("a", 0);
    a.overdue_share = overdue;
    const AccountClassification result = ClassifyOk(model, {a})[0];
    return model.tiers[result.tier].name;
  };
  EXPECT_EQ(tier_of(0.2), "Strategic");
  EXPECT_EQ(tier_of(0.2000001), "Key");
  EXPECT_EQ(tier_of(0.4), "Key");
  EXPECT_EQ(tier_of(0.7), "Standard");
  EXPECT_EQ(tier_of(0.71), "Potential");
  EXPECT_EQ(tier_of(1.0), "Potential");
}

TEST(Classification, QualitativeInputsAndSatisfactionScale) {
  ScoringModel model = OnlyWeight(&DimensionWeights::industry_influence);
  AccountFacts a = Account("a", 0);
  a.industry_influence = 4;
  a.cooperation_potential = 1;
  a.satisfaction = 5;
  const AccountClassification got = ClassifyOk(model, {a})[0];
  EXPECT_EQ(got.Normalised(Dimension::kIndustryInfluence), 0.75);
  EXPECT_EQ(got.Normalised(Dimension::kCooperationPotential), 0);
  EXPECT_EQ(got.Normalised(Dimension::kSatisfaction), 1);
  EXPECT_EQ(got.composite, 75);
}

TEST(Classification, ContributionsAndMovementExplainTheScore) {
  ScoringModel model;
  model.weights = {0.4, 0, 0, 0.3, 0, 0.3, 0, 0, 0};
  AccountClassification before;
  before.normalised = {1.0, 0, 0, 1.0, 0, 1.0, 0.5, 0.5, 0.5};
  AccountClassification after = before;
  after.normalised[static_cast<int>(Dimension::kRecency)] = 0.0;
  after.normalised[static_cast<int>(Dimension::kPayment)] = 0.5;

  const std::vector<Contribution> parts = Contributions(model, before);
  ASSERT_EQ(parts.size(), static_cast<size_t>(kDimensionCount));
  EXPECT_EQ(parts[0].dimension, Dimension::kRevenue);
  EXPECT_DOUBLE_EQ(parts[0].points, 40);
  EXPECT_EQ(parts[1].dimension, Dimension::kRecency);  // tie with payment: Dimension order
  EXPECT_EQ(parts[2].dimension, Dimension::kPayment);
  double total = 0;
  for (const Contribution& c : parts) total += c.points;
  EXPECT_DOUBLE_EQ(total, 100);

  const std::vector<Contribution> moved = ScoreMovement(model, before, after);
  EXPECT_EQ(moved[0].dimension, Dimension::kRecency);
  EXPECT_DOUBLE_EQ(moved[0].points, -30);
  EXPECT_EQ(moved[1].dimension, Dimension::kPayment);
  EXPECT_DOUBLE_EQ(moved[1].points, -15);
  EXPECT_EQ(moved[2].points, 0);
}

TEST(Classification, DefaultModelIsValid) {
  EXPECT_TRUE(ValidateModel(ScoringModel()).ok());
  EXPECT_TRUE(ValidateModel(EqualWeights()).ok());
}

TEST(Classification, WeightsSummingToOneWithinRoundingAccepted) {
  ScoringModel model;
  model.weights = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.1};  // 0.1 is inexact in binary
  EXPECT_TRUE(ValidateModel(model).ok());
  model.weights.revenue += 5e-10;
  EXPECT_TRUE(ValidateModel(model).ok());
  model.weights.revenue += 1e-6;
  EXPECT_TRUE(HasCodeAndField(ValidateModel(model), absl::StatusCode::kInvalidArgument,
                              "model.weights"));
}

TEST(Classification, InvalidModelsNameTheirFields) {
  auto expect_field = [](const ScoringModel& model, const std::string& field) {
    EXPECT_TRUE(HasCodeAndField(ValidateModel(model), absl::StatusCode::kInvalidArgument, field))
        << field;
    EXPECT_TRUE(HasCodeAndField(Classify(model, kAsOf, {}).status(),
                                absl::StatusCode::kInvalidArgument, field))
        << field;
  };
  ScoringModel model = EqualWeights();
  model.weights.recency = -0.1;
  model.weights.revenue += 0.1;
  expect_field(model, "model.weights.recency");

  model = EqualWeights();
  model.weights.tenure = 0;
  expect_field(model, "model.weights");

  model = ScoringModel();
  model.abc = {0.9, 0.8};
  expect_field(model, "model.abc.b_threshold");
  model.abc = {0.0, 0.8};
  expect_field(model, "model.abc.a_threshold");
  model.abc = {0.8, 1.5};
  expect_field(model, "model.abc.b_threshold");

  model = ScoringModel();
  model.tiers = {{"Strategic", 80}, {"Key", 85}, {"Potential", 0}};
  expect_field(model, "model.tiers[1].min_score");
  model.tiers = {{"Strategic", 80}, {"Key", 80}, {"Potential", 0}};
  expect_field(model, "model.tiers[1].min_score");
  model.tiers = {{"Strategic", 80}, {"Key", 60}};
  expect_field(model, "model.tiers[1].min_score");
  model.tiers = {{"Strategic", 120}, {"Potential", 0}};
  expect_field(model, "model.tiers[0].min_score");
  model.tiers = {{"Key", 80}, {"Key", 0}};
  expect_field(model, "model.tiers[1].name");
  model.tiers = {{"", 0}};
  expect_field(model, "model.tiers[0].name");
  model.tiers = {};
  expect_field(model, "model.tiers");

  model = ScoringModel();
  model.lifecycle.decline_min_drop = 0;
  expect_field(model, "model.lifecycle.decline_min_drop");
  model = ScoringModel();
  model.lifecycle.growth_min_rise = -1;
  expect_field(model, "model.lifecycle.growth_min_rise");
  model = ScoringModel();
  model.lifecycle.new_max_tenure = -kDay;
  expect_field(model, "model.lifecycle.new_max_tenure");
  model = ScoringModel();
  model.rfm_window = absl::ZeroDuration();
  expect_field(model, "model.rfm_window");
  model = ScoringModel();
  model.tenure_saturation = absl::ZeroDuration();
  expect_field(model, "model.tenure_saturation");
}

TEST(Classification, FactsOutOfRangeNameTheirFields) {
  std::vector<AccountFacts> accounts(3, Account("a", 1));
  accounts[1].industry_influence = 6;
  accounts[2].overdue_share = 1.5;
  accounts[2].cooperation_potential = 0;
  accounts[0].satisfaction = 0.5;
  const absl::Status status = Classify(ScoringModel(), kAsOf, accounts).status();
  for (const char* field : {"accounts[1].industry_influence", "accounts[2].overdue_share",
                            "accounts[2].cooperation_potential", "accounts[0].satisfaction"}) {
    EXPECT_TRUE(HasCodeAndField(status, absl::StatusCode::kInvalidArgument, field)) << field;
  }
}

TEST(Classification, IsDeterministic) {
  std::mt19937_64 rng(99);
  const std::vector<AccountFacts> accounts = Generate(rng, 2000);
  const std::vector<AccountClassification> first = ClassifyOk(EqualWeights(), accounts);
  std::vector<AccountFacts> reversed(accounts.rbegin(), accounts.rend());
  const std::vector<AccountClassification> second = ClassifyOk(EqualWeights(), reversed);
  for (size_t i = 0; i < accounts.size(); ++i) {
    const AccountClassification& x = first[i];
    const AccountClassification& y = second[accounts.size() - 1 - i];
    EXPECT_EQ(x.abc, y.abc);
    EXPECT_EQ(x.r, y.r);
    EXPECT_EQ(x.f, y.f);
    EXPECT_EQ(x.m, y.m);
    EXPECT_EQ(x.composite, y.composite);
    EXPECT_EQ(x.tier, y.tier);
  }
}

// No timing assert: this exists so that quadratic behaviour shows up as a test timeout.
TEST(Classification, ClassifiesTwoHundredThousandAccounts) {
  constexpr size_t kCount = 200'000;
  std::mt19937_64 rng(4242);
  std::vector<AccountFacts> accounts;
  accounts.reserve(kCount);
  for (size_t i = 0; i < kCount; ++i) {
    AccountFacts a;
    a.account_id = absl::StrCat("acct-", i);
    a.orders_in_window = static_cast<int64_t>(rng() % 20);
    a.revenue_minor = a.orders_in_window == 0 ? 0 : static_cast<int64_t>(rng() % 1'000'000);
    a.profit_minor = a.revenue_minor / 5 - static_cast<int64_t>(rng() % 1000);
    if (a.orders_in_window > 0) {
      a.first_order_time = kAsOf - absl::Seconds(static_cast<int64_t>(rng() % 200'000'000));
      a.last_order_time = kAsOf - absl::Seconds(static_cast<int64_t>(rng() % 30'000'000));
    }
    a.previous_revenue_minor = static_cast<int64_t>(rng() % 1'000'000);
    accounts.push_back(std::move(a));
  }
  const std::vector<AccountClassification> got = ClassifyOk(EqualWeights(), accounts);
  ASSERT_EQ(got.size(), kCount);
  size_t per_abc[3] = {0, 0, 0};
  size_t per_m[6] = {0, 0, 0, 0, 0, 0};
  for (const AccountClassification& g : got) {
    ++per_abc[static_cast<int>(g.abc)];
    ++per_m[g.m];
    EXPECT_GE(g.composite, 0);
    EXPECT_LE(g.composite, 100);
  }
  for (size_t count : per_abc) EXPECT_GT(count, 0u);
  EXPECT_EQ(per_m[0], 0u);
  // Quintiles hold about a fifth each, except that the zero-revenue tie group fills the bottom.
  EXPECT_GT(per_m[5], kCount / 6);
}

}  // namespace
}  // namespace crm::kam
