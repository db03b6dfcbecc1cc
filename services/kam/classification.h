// Key-account classification engine: ABC class, RFM scores and segment, lifecycle stage, the
// weighted composite score and tier of every account, from per-account facts and a scoring model.
// Pure arithmetic: no database, no gRPC, no protos. O(n log n) in the number of accounts.
//
// The rules (everything below is deterministic for the same facts, model and as-of time):
//
// Ranking ("less" = number of accounts whose value is strictly worse, n = number of accounts).
//   Equal values always get the same result.
//   - Quintile score (R, F, M) = 1 + floor(5 * less / n): boundaries by rank position, a tie group
//     takes the score of its lowest position. All-equal values score 1; a single account scores 1.
//   - Percentile (normalised revenue, profit, frequency, recency) = less / (n - equal), the share
//     of the accounts with a *different* value that this one beats; 1 when no account differs.
//     So the best tie group gets 1 and the worst gets 0.
//
// RFM (over the RFM window the facts were collected for):
//   R ranks last_order_time (more recent is better, so the most recent get 5; no order ever is the
//   worst value), F ranks orders_in_window, M ranks revenue_minor. Accounts with no orders are
//   ranked like everyone else with their values 0 / never and so share the lowest scores.
//   Segment from (R, F), the common 5x5 RFM segment map (rows R, columns F):
//            F=1             F=2                 F=3                 F=4          F=5
//     R=5    new             potential loyalist  potential loyalist  champions    champions
//     R=4    promising       potential loyalist  potential loyalist  loyal        loyal
//     R=3    about to sleep  about to sleep      need attention      loyal        loyal
//     R=2    hibernating     hibernating         at risk             at risk      can't lose
//     R=1    hibernating     hibernating         at risk             at risk      can't lose
//
// ABC: accounts with revenue_minor <= 0 are C and count as zero in the total. The rest are ordered
//   by revenue descending, ties by account_id ascending (byte order). An account's class follows
//   the cumulative share of revenue of the accounts *before* it in that order:
//   share_before < a_threshold -> A, < b_threshold -> B, else C. So the account that crosses the A
//   threshold is still A, the top account is always A, and an account starting exactly at 80 %
//   is B. Shares are double(cumulative) / double(total).
//
// Lifecycle, checked in this order (tenure = as_of - first_order_time;
// trend = (recent - previous_revenue) / previous_revenue, over two equal trend periods):
//   1. new      no first order, or tenure < lifecycle.new_max_tenure
//   2. decline  previous_revenue > 0 and trend <= -lifecycle.decline_min_drop,
//               or both recent and previous_revenue are <= 0 (a dormant account)
//   3. growth   previous_revenue <= 0 < recent, or trend >= lifecycle.growth_min_rise
//   4. mature   otherwise (steady revenue)
//
// Normalised dimension values, each in [0, 1]:
//   revenue, profit       percentile of revenue_minor / profit_minor; <= 0 gives 0
//   frequency             percentile of orders_in_window; 0 orders gives 0
//   recency               percentile of last_order_time; no order gives 0
//   tenure                min(1, tenure / tenure_saturation); no first order (or one after as_of) 0
//   payment               1 - overdue_share
//   satisfaction          (mean - 1) / 4; none gives the neutral 0.5
//   industry influence,   (value - 1) / 4; not assessed gives the neutral 0.5
//   cooperation potential
// Composite = 100 * sum(weight * normalised), rounded to 1e-6 so that a score mathematically on a
// cut-off is not pushed below it by floating-point summation. Tier = the first tier (tiers are
// ordered by strictly descending min_score, the last one at 0) whose min_score <= composite.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace crm::kam {

enum class Dimension : uint8_t {
  kRevenue,
  kProfit,
  kFrequency,
  kRecency,
  kTenure,
  kPayment,
  kSatisfaction,
  kIndustryInfluence,
  kCooperationPotential,
};
inline constexpr int kDimensionCount = 9;

enum class AbcClass : uint8_t { kA, kB, kC };

enum class RfmSegment : uint8_t {
  kChampions,
  kLoyal,
  kPotentialLoyalist,
  kNew,
  kPromising,
  kNeedAttention,
  kAboutToSleep,
  kAtRisk,
  kCannotLose,
  kHibernating,
};

enum class LifecycleStage : uint8_t { kNew, kGrowth, kMature, kDecline };

// Snake-case names, as used in field paths ("model.weights.recency") and reports.
absl::string_view DimensionName(Dimension dimension);
absl::string_view AbcClassName(AbcClass abc);            // "A", "B", "C"
absl::string_view RfmSegmentName(RfmSegment segment);    // "champions", "cant_lose", ...
absl::string_view LifecycleStageName(LifecycleStage stage);

// Facts about one account as of the classification instant. Money is in minor units of one
// currency (exact sums keep ABC deterministic).
struct AccountFacts {
  std::string account_id;
  std::optional<absl::Time> first_order_time;
  std::optional<absl::Time> last_order_time;
  int64_t orders_in_window = 0;  // RFM window
  int64_t revenue_minor = 0;           // scoring window
  int64_t profit_minor = 0;            // scoring window; may be negative
  int64_t recent_revenue_minor = 0;    // the latest trend period, for the lifecycle trend
  int64_t previous_revenue_minor = 0;  // the trend period before it
  double overdue_share = 0;            // overdue / invoiced, 0..1
  std::optional<double> satisfaction;  // mean rating 1..5
  std::optional<int> industry_influence;     // 1..5
  std::optional<int> cooperation_potential;  // 1..5
};

// Defaults lean on money and buying behaviour; a deployment tunes them per model version.
struct DimensionWeights {
  double revenue = 0.25;
  double profit = 0.15;
  double frequency = 0.15;
  double recency = 0.10;
  double tenure = 0.05;
  double payment = 0.10;
  double satisfaction = 0.10;
  double industry_influence = 0.05;
  double cooperation_potential = 0.05;

  double Get(Dimension dimension) const;
};

struct AbcThresholds {
  double a_threshold = 0.80;
  double b_threshold = 0.95;
};

struct LifecycleRules {
  absl::Duration new_max_tenure = absl::Hours(24 * 180);
  double growth_min_rise = 0.10;   // trend at or above: growth
  double decline_min_drop = 0.20;  // trend at or below minus this: decline
};

struct Tier {
  std::string name;
  double min_score = 0;  // on the 0-100 composite
};

struct ScoringModel {
  DimensionWeights weights;  // non-negative, summing to 1 within kWeightSumTolerance
  AbcThresholds abc;
  // The windows the caller collects facts over; the engine only checks them.
  absl::Duration rfm_window = absl::Hours(24 * 365);
  absl::Duration scoring_window = absl::Hours(24 * 365);
  LifecycleRules lifecycle;
  absl::Duration tenure_saturation = absl::Hours(24 * 365 * 5);  // tenure normalised to 1 here
  std::vector<Tier> tiers = {{"Strategic", 80}, {"Key", 60}, {"Standard", 30}, {"Potential", 0}};
};

inline constexpr double kWeightSumTolerance = 1e-9;

// OK, or INVALID_ARGUMENT naming every offending field ("model.weights.recency",
// "model.abc.b_threshold", "model.tiers[1].min_score", ...).
absl::Status ValidateModel(const ScoringModel& model);

struct AccountClassification {
  AbcClass abc = AbcClass::kC;
  uint8_t r = 1, f = 1, m = 1;  // quintile scores 1..5
  RfmSegment segment = RfmSegment::kHibernating;
  LifecycleStage lifecycle = LifecycleStage::kNew;
  uint16_t tier = 0;  // index into ScoringModel::tiers
  double composite = 0;  // 0..100
  std::array<double, kDimensionCount> normalised{};  // indexed by Dimension

  double Normalised(Dimension dimension) const {
    return normalised[static_cast<int>(dimension)];
  }
};

// Classifies every account; result[i] belongs to accounts[i]. INVALID_ARGUMENT naming the field
// for a bad model or facts out of range ("accounts[3].overdue_share", ...).
absl::StatusOr<std::vector<AccountClassification>> Classify(
    const ScoringModel& model, absl::Time as_of, absl::Span<const AccountFacts> accounts);

// The segment of an (R, F) pair, per the grid above. Scores outside 1..5 are clamped.
RfmSegment SegmentFor(int r, int f);

// A dimension's share of the composite, in score points: 100 * weight * normalised.
struct Contribution {
  Dimension dimension;
  double points;
};
// All dimensions' contributions, largest first (ties in Dimension order): the reason a tier
// changed is read from its head.
std::vector<Contribution> Contributions(const ScoringModel& model,
                                        const AccountClassification& result);
// Per dimension, how many points the composite moved from `before` to `after` (after - before),
// largest absolute change first (ties in Dimension order).
std::vector<Contribution> ScoreMovement(const ScoringModel& model,
                                        const AccountClassification& before,
                                        const AccountClassification& after);

}  // namespace crm::kam
