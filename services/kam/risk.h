// Churn risk of one account from its facts: a pure function, used by Reclassify (which stores
// every account's score for ListAccountsAtRisk) and by GetChurnRisk (live, for one account).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/kam/account_facts.h"

namespace crm::kam {

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

}  // namespace crm::kam
