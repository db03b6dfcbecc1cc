// Churn risk (services/kam/risk.h), a pure function: hand-computed cases, the boundaries of
// every factor, 0 and 100 reachable, and monotonicity in each input.
#include <gtest/gtest.h>

#include <string>

#include "services/kam/risk.h"

namespace crm::kam {
namespace {

absl::Time Day(int64_t day) { return absl::UnixEpoch() + absl::Hours(24) * day; }

// As of day 1000, 15:30 UTC (the time of day does not matter: risk counts whole days).
const absl::Time kAsOf = Day(1000) + absl::Hours(15) + absl::Minutes(30);

// An account whose `orders` orders span first_day..last_day.
AccountData Buyer(int64_t orders, int64_t first_day, int64_t last_day) {
  AccountData a;
  a.facts.account_id = "acc_1";
  a.lifetime_orders = orders;
  if (orders > 0) {
    a.facts.first_order_time = Day(first_day);
    a.facts.last_order_time = Day(last_day);
  }
  return a;
}

const RiskFactorScore* Find(const ChurnAssessment& a, const std::string& factor) {
  for (const RiskFactorScore& f : a.factors) {
    if (f.factor == factor) return &f;
  }
  return nullptr;
}

double Points(const ChurnAssessment& a, const std::string& factor) {
  const RiskFactorScore* f = Find(a, factor);
  return f == nullptr ? 0 : f->points;
}

TEST(ChurnRiskTest, AccountWithNothingScoresZero) {
  const ChurnAssessment a = AssessChurnRisk(Buyer(0, 0, 0), kAsOf);
  EXPECT_EQ(a.score, 0);
  EXPECT_TRUE(a.factors.empty());
}

TEST(ChurnRiskTest, NoOrdersGivesNoCadencePointsButOtherFactorsCount) {
  AccountData a = Buyer(0, 0, 0);
  a.open_p1_tickets = 1;
  const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
  EXPECT_EQ(Find(r, "purchase_cadence"), nullptr);
  EXPECT_DOUBLE_EQ(r.score, 10);
}

TEST(ChurnRiskTest, EveryFactorAtItsMaximumGivesOneHundred) {
  AccountData a = Buyer(2, 880, 910);  // usual gap 30 days, silent 90 days = 3 gaps
  a.open_p1_tickets = 2;
  a.facts.satisfaction = 1.0;
  a.surveys_in_window = 3;
  a.facts.overdue_share = 1.0;
  const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
  EXPECT_DOUBLE_EQ(r.score, 100);
  ASSERT_EQ(r.factors.size(), 4u);
  EXPECT_DOUBLE_EQ(Points(r, "purchase_cadence"), 40);
  EXPECT_DOUBLE_EQ(Points(r, "open_p1_tickets"), 20);
  EXPECT_DOUBLE_EQ(Points(r, "satisfaction"), 20);
  EXPECT_DOUBLE_EQ(Points(r, "overdue_payments"), 20);
  // Most points first; ties keep the documented factor order.
  EXPECT_EQ(r.factors[0].factor, "purchase_cadence");
  EXPECT_EQ(r.factors[1].factor, "open_p1_tickets");
  EXPECT_EQ(r.factors[2].factor, "satisfaction");
  EXPECT_EQ(r.factors[3].factor, "overdue_payments");
  EXPECT_EQ(ChurnRiskMicros(r.score), 100000000);
}

TEST(ChurnRiskTest, SignalsBeyondTheirCapsStayAtOneHundred) {
  AccountData a = Buyer(2, 0, 10);
  a.open_p1_tickets = 7;
  a.facts.satisfaction = 1.0;
  a.facts.overdue_share = 1.0;
  EXPECT_DOUBLE_EQ(AssessChurnRisk(a, kAsOf).score, 100);
}

TEST(ChurnRiskTest, CadenceAgainstTheUsualGap) {
  // 5 orders over days 850..950: usual gap (950 - 850) / 4 = 25 days; silent 50 days = 2 gaps:
  // 40 × (2 - 1) / (3 - 1) = 20.
  const ChurnAssessment r = AssessChurnRisk(Buyer(5, 850, 950), kAsOf);
  EXPECT_DOUBLE_EQ(r.score, 20);
  const RiskFactorScore* cadence = Find(r, "purchase_cadence");
  ASSERT_NE(cadence, nullptr);
  EXPECT_NE(cadence->detail.find("last order 50 days ago"), std::string::npos) << cadence->detail;
  EXPECT_NE(cadence->detail.find("usual gap 25.0 days"), std::string::npos) << cadence->detail;

  // 4 orders over days 700..970: gap 90, silent 30 days < one gap: nothing.
  EXPECT_EQ(AssessChurnRisk(Buyer(4, 700, 970), kAsOf).score, 0);
  // Exactly one usual gap: still nothing (boundary).
  EXPECT_EQ(AssessChurnRisk(Buyer(3, 850, 950), kAsOf).score, 0);
  // Gap (960 - 900) / 2 = 30, silent 40 days = 1.333 gaps: 40 × 0.3333 / 2 = 6.666667 (rounded
  // to 1e-6).
  EXPECT_DOUBLE_EQ(AssessChurnRisk(Buyer(3, 900, 960), kAsOf).score, 6.666667);
  // Exactly three gaps and beyond: the full 40.
  EXPECT_DOUBLE_EQ(AssessChurnRisk(Buyer(2, 880, 910), kAsOf).score, 40);
  EXPECT_DOUBLE_EQ(AssessChurnRisk(Buyer(2, 100, 130), kAsOf).score, 40);
}

TEST(ChurnRiskTest, OrdersOnOneDayUseTheMinimumGap) {
  // Three orders on day 986: gap 0 → 7 days; silent 14 days = 2 gaps → 20.
  EXPECT_DOUBLE_EQ(AssessChurnRisk(Buyer(3, 986, 986), kAsOf).score, 20);
}

TEST(ChurnRiskTest, SingleOrderUsesTheReferenceGap) {
  // One order 180 days ago against the 90-day reference: 2 gaps → 20.
  const ChurnAssessment r = AssessChurnRisk(Buyer(1, 820, 820), kAsOf);
  EXPECT_DOUBLE_EQ(r.score, 20);
  ASSERT_NE(Find(r, "purchase_cadence"), nullptr);
  EXPECT_NE(Find(r, "purchase_cadence")->detail.find("single order"), std::string::npos);
  EXPECT_EQ(AssessChurnRisk(Buyer(1, 910, 910), kAsOf).score, 0);   // 90 days: one gap
  EXPECT_DOUBLE_EQ(AssessChurnRisk(Buyer(1, 730, 730), kAsOf).score, 40);  // 270 days: 3 gaps
}

TEST(ChurnRiskTest, OrderOnTheAsOfDayIsNoRisk) {
  EXPECT_EQ(AssessChurnRisk(Buyer(2, 990, 1000), kAsOf).score, 0);
}

TEST(ChurnRiskTest, OpenP1TicketsTenPointsEachUpToTwenty) {
  for (const auto& [tickets, points] : std::vector<std::pair<int, double>>{{0, 0}, {1, 10}, {2, 20}, {3, 20}}) {
    AccountData a = Buyer(0, 0, 0);
    a.open_p1_tickets = tickets;
    const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
    EXPECT_DOUBLE_EQ(r.score, points) << tickets;
    if (tickets > 0) {
      ASSERT_NE(Find(r, "open_p1_tickets"), nullptr);
      EXPECT_NE(Find(r, "open_p1_tickets")->detail.find(std::to_string(tickets) + " open P1 ticket"), std::string::npos);
    } else {
      EXPECT_EQ(Find(r, "open_p1_tickets"), nullptr);
    }
  }
}

TEST(ChurnRiskTest, SatisfactionBelowThreeScaled) {
  // 20 × (3 - mean) / 2, nothing at 3 or above.
  for (const auto& [mean, points] :
       std::vector<std::pair<double, double>>{{5, 0}, {4.5, 0}, {3, 0}, {2.5, 5}, {2, 10}, {1.5, 15}, {1, 20}}) {
    AccountData a = Buyer(0, 0, 0);
    a.facts.satisfaction = mean;
    a.surveys_in_window = 2;
    const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
    EXPECT_DOUBLE_EQ(r.score, points) << mean;
    EXPECT_EQ(Find(r, "satisfaction") != nullptr, points > 0) << mean;
  }
  AccountData a = Buyer(0, 0, 0);
  a.facts.satisfaction = 1.5;
  a.surveys_in_window = 2;
  EXPECT_NE(Find(AssessChurnRisk(a, kAsOf), "satisfaction")->detail.find("1.50 of 5 over 2 surveys"), std::string::npos);
}

TEST(ChurnRiskTest, OverdueShareScaled) {
  AccountData a = Buyer(0, 0, 0);
  a.facts.overdue_share = 0.25;
  const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
  EXPECT_DOUBLE_EQ(r.score, 5);
  ASSERT_NE(Find(r, "overdue_payments"), nullptr);
  EXPECT_NE(Find(r, "overdue_payments")->detail.find("25.0%"), std::string::npos);
}

TEST(ChurnRiskTest, FactorsAddUpToTheScoreMostPointsFirst) {
  AccountData a = Buyer(5, 850, 950);  // cadence 20
  a.open_p1_tickets = 1;                // 10
  a.facts.satisfaction = 2.5;           // 5
  a.surveys_in_window = 1;
  a.facts.overdue_share = 0.6;          // 12
  const ChurnAssessment r = AssessChurnRisk(a, kAsOf);
  EXPECT_DOUBLE_EQ(r.score, 47);
  ASSERT_EQ(r.factors.size(), 4u);
  EXPECT_EQ(r.factors[0].factor, "purchase_cadence");
  EXPECT_EQ(r.factors[1].factor, "overdue_payments");
  EXPECT_EQ(r.factors[2].factor, "open_p1_tickets");
  EXPECT_EQ(r.factors[3].factor, "satisfaction");
  double sum = 0;
  for (const RiskFactorScore& f : r.factors) {
    EXPECT_GT(f.points, 0);
    EXPECT_FALSE(f.detail.empty());
    sum += f.points;
  }
  EXPECT_NEAR(sum, r.score, 1e-6);
}

TEST(ChurnRiskTest, MonotoneInEveryInput) {
  const AccountData base = [] {
    AccountData a = Buyer(4, 850, 940);
    a.facts.satisfaction = 3.5;
    a.surveys_in_window = 1;
    return a;
  }();
  // Longer silence (later as_of) never lowers the score.
  double last = -1;
  for (int days = 0; days <= 400; days += 3) {
    const double s = AssessChurnRisk(base, Day(940 + days)).score;
    EXPECT_GE(s, last) << days;
    last = s;
  }
  // A longer usual gap (earlier first order) never raises it.
  last = 101;
  for (int first = 930; first >= 0; first -= 10) {
    AccountData a = base;
    a.facts.first_order_time = Day(first);
    const double s = AssessChurnRisk(a, kAsOf).score;
    EXPECT_LE(s, last) << first;
    last = s;
  }
  last = -1;
  for (int tickets = 0; tickets <= 5; ++tickets) {
    AccountData a = base;
    a.open_p1_tickets = tickets;
    const double s = AssessChurnRisk(a, kAsOf).score;
    EXPECT_GE(s, last) << tickets;
    last = s;
  }
  last = -1;
  for (double mean = 5; mean >= 1; mean -= 0.25) {
    AccountData a = base;
    a.facts.satisfaction = mean;
    const double s = AssessChurnRisk(a, kAsOf).score;
    EXPECT_GE(s, last) << mean;
    last = s;
  }
  last = -1;
  for (double share = 0; share <= 1.0001; share += 0.05) {
    AccountData a = base;
    a.facts.overdue_share = share;
    const double s = AssessChurnRisk(a, kAsOf).score;
    EXPECT_GE(s, last) << share;
    last = s;
  }
  EXPECT_GT(last, AssessChurnRisk(base, kAsOf).score);
}

TEST(ChurnRiskTest, StoredMicrosRoundTrip) {
  EXPECT_EQ(ChurnRiskMicros(0), 0);
  EXPECT_EQ(ChurnRiskMicros(6.666667), 6666667);
  EXPECT_EQ(ChurnRiskMicros(100), 100000000);
}

}  // namespace
}  // namespace crm::kam
