// Churn risk of one account from its facts: a pure function, used by Reclassify (which stores
// every account's score for ListAccountsAtRisk) and by GetChurnRisk (live, for one account).
//
// The score is the sum of four factors, each capped, together 0..100 (figures from
// account_facts.h; days are UTC calendar days):
//
//   purchase_cadence  up to 40  How long the account has been silent against its own rhythm.
//                               days_since = as_of day - last order day; usual_gap =
//                               (last order day - first order day) / (lifetime_orders - 1), at
//                               least kMinUsualGapDays (orders bunched on one day are not a
//                               rhythm); with a single order ever, usual_gap = kSingleOrderGapDays.
//                               ratio = days_since / usual_gap; points = 40 * clamp((ratio - 1) /
//                               (kFullRiskGapRatio - 1), 0, 1): nothing while within one usual
//                               gap, all 40 once silent for three usual gaps.
//                               No orders ever: 0 — a prospect has no cadence to lose; it is not a
//                               churning customer (the other factors still count).
//   open_p1_tickets   up to 20  10 per open P1 ticket (two or more: 20).
//   satisfaction      up to 20  Mean survey score in the window below 3 of 5: 20 * (3 - mean) / 2
//                               (mean 1: 20; 3 or better: 0). No survey: 0 (no evidence).
//   overdue_payments  up to 20  20 * overdue share (the window's overdue amount / its revenue).
//
// score = the sum rounded to 1e-6 (so that the stored churn_risk_micro and a live assessment of
// the same facts agree exactly). Each factor is monotone in its input, so the score never falls
// when a risk signal grows. Factors with points > 0 are returned, most points first (ties in
// the order above), each with what was observed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/kam/account_facts.h"

namespace crm::kam {

inline constexpr double kCadenceMaxPoints = 40;
inline constexpr double kOpenP1MaxPoints = 20;
inline constexpr double kPointsPerOpenP1 = 10;
inline constexpr double kSatisfactionMaxPoints = 20;
inline constexpr double kOverdueMaxPoints = 20;
// Silent for this many usual gaps gives every cadence point.
inline constexpr double kFullRiskGapRatio = 3;
inline constexpr double kMinUsualGapDays = 7;
inline constexpr double kSingleOrderGapDays = 90;
// Mean satisfaction at or above this adds nothing; 1 (the lowest) adds every point.
inline constexpr double kSatisfactionNeutral = 3;

struct RiskFactorScore {
  std::string factor;  // "purchase_cadence", "open_p1_tickets", "satisfaction", "overdue_payments"
  double points = 0;   // of the 0-100 score
  std::string detail;  // what was observed
};

struct ChurnAssessment {
  double score = 0;  // 0-100
  std::vector<RiskFactorScore> factors;
};

ChurnAssessment AssessChurnRisk(const AccountData& account, absl::Time as_of);
// The same score without the factors' descriptions: what a reclassification of every account
// stores, without formatting a million strings it would throw away.
double ChurnRiskScore(const AccountData& account, absl::Time as_of);

// The score as stored in kam_classifications.churn_risk_micro (0..100000000).
int64_t ChurnRiskMicros(double score);

}  // namespace crm::kam
