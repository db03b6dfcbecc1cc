// SQL of churn risk: the accounts at risk as the last reclassification scored them
// (kam_classifications.churn_risk_micro), highest first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace soci {
class session;
}

namespace crm::kam {

struct AtRiskQuery {
  int64_t min_risk_micro = 0;
  int tier = 0;       // crm.v1.AccountTier; 0 = any
  std::string owner;  // "" = any
  // Continue after this (churn_risk_micro, account_id) in the list order.
  std::optional<int64_t> after_risk_micro;
  std::string after_account_id;
  int limit = 50;
};

struct AtRiskRow {
  std::string account_id;
  int64_t churn_risk_micro = 0;
  int32_t model_version = 0;
  int64_t as_of_micros = 0;
};

class RiskStore {
 public:
  // Classified accounts that are not deleted, with churn_risk_micro >= min_risk_micro, in
  // (churn_risk_micro descending, account_id ascending) order.
  static absl::StatusOr<std::vector<AtRiskRow>> ListAtRisk(soci::session& sql, const AtRiskQuery& query);
};

}  // namespace crm::kam
