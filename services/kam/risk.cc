#include "services/kam/risk.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "common/core/date_util.h"

namespace crm::kam {
namespace {

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

double RoundMicro(double x) { return std::round(x * 1e6) / 1e6; }

void PurchaseCadence(const AccountData& account, absl::Time as_of, bool explain, std::vector<RiskFactorScore>& out) {
  const AccountFacts& f = account.facts;
  if (!f.last_order_time) return;
  const int64_t last_day = DayNumberOf(*f.last_order_time);
  const int64_t days_since = std::max<int64_t>(0, DayNumberOf(as_of) - last_day);
  double usual_gap = kSingleOrderGapDays;
  std::string rhythm;
  if (account.lifetime_orders >= 2 && f.first_order_time) {
    const int64_t span = last_day - DayNumberOf(*f.first_order_time);
    usual_gap = std::max(kMinUsualGapDays, static_cast<double>(span) / static_cast<double>(account.lifetime_orders - 1));
    if (explain) rhythm = absl::StrFormat("usual gap %.1f days over %d orders", usual_gap, account.lifetime_orders);
  } else {
    if (explain) rhythm = absl::StrFormat("a single order so far (reference gap %.0f days)", kSingleOrderGapDays);
  }
  const double ratio = static_cast<double>(days_since) / usual_gap;
  const double points = kCadenceMaxPoints * Clamp01((ratio - 1) / (kFullRiskGapRatio - 1));
  if (points <= 0) return;
  out.push_back({"purchase_cadence", points,
                 !explain ? std::string() : absl::StrFormat("last order %d days ago, %s: %.1f usual gaps", days_since, rhythm, ratio)});
}

void OpenP1Tickets(const AccountData& account, bool explain, std::vector<RiskFactorScore>& out) {
  if (account.open_p1_tickets <= 0) return;
  const double points =
      std::min(kOpenP1MaxPoints, kPointsPerOpenP1 * static_cast<double>(account.open_p1_tickets));
  out.push_back({"open_p1_tickets", points,
                 !explain ? std::string() : absl::StrFormat("%d open P1 ticket%s", account.open_p1_tickets,
                                 account.open_p1_tickets == 1 ? "" : "s")});
}

void Satisfaction(const AccountData& account, bool explain, std::vector<RiskFactorScore>& out) {
  if (!account.facts.satisfaction) return;
  const double mean = *account.facts.satisfaction;
  const double points = kSatisfactionMaxPoints * Clamp01((kSatisfactionNeutral - mean) / (kSatisfactionNeutral - 1));
  if (points <= 0) return;
  out.push_back({"satisfaction", points,
                 !explain ? std::string() : absl::StrFormat("mean satisfaction %.2f of 5 over %d survey%s", mean, account.surveys_in_window,
                                 account.surveys_in_window == 1 ? "" : "s")});
}

void OverduePayments(const AccountData& account, bool explain, std::vector<RiskFactorScore>& out) {
  const double share = Clamp01(account.facts.overdue_share);
  const double points = kOverdueMaxPoints * share;
  if (points <= 0) return;
  out.push_back({"overdue_payments", points,
                 !explain ? std::string() : absl::StrFormat("%.1f%% of the window's order value is overdue", share * 100)});
}

ChurnAssessment Assess(const AccountData& account, absl::Time as_of, bool explain) {
  ChurnAssessment result;
  PurchaseCadence(account, as_of, explain, result.factors);
  OpenP1Tickets(account, explain, result.factors);
  Satisfaction(account, explain, result.factors);
  OverduePayments(account, explain, result.factors);
  double sum = 0;
  for (const RiskFactorScore& factor : result.factors) sum += factor.points;
  result.score = std::clamp(RoundMicro(sum), 0.0, 100.0);
  std::stable_sort(result.factors.begin(), result.factors.end(),
                   [](const RiskFactorScore& a, const RiskFactorScore& b) { return a.points > b.points; });
  return result;
}

}  // namespace

ChurnAssessment AssessChurnRisk(const AccountData& account, absl::Time as_of) { return Assess(account, as_of, true); }

double ChurnRiskScore(const AccountData& account, absl::Time as_of) { return Assess(account, as_of, false).score; }

int64_t ChurnRiskMicros(double score) { return std::llround(std::clamp(score, 0.0, 100.0) * 1e6); }

}  // namespace crm::kam
