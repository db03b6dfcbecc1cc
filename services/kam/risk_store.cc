#include "services/kam/risk_store.h"

#include <soci/soci.h>

#include "common/db/query.h"
#include "common/db/row.h"

namespace soci {

template <>
struct type_conversion<crm::kam::AtRiskRow> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::kam::AtRiskRow& row) {
    row.account_id = crm::db::GetString(v, "account_id");
    row.churn_risk_micro = crm::db::GetInt64(v, "churn_risk_micro");
    row.model_version = static_cast<int32_t>(crm::db::GetInt64(v, "model_version"));
    row.as_of_micros = crm::db::GetInt64(v, "as_of");
  }
};

}  // namespace soci

namespace crm::kam {
namespace {

// kam_classifications_by_risk (churn_risk_micro, account_id) serves the range and the order.
constexpr char kSelectAtRisk[] =
    "SELECT c.account_id AS account_id, c.churn_risk_micro AS churn_risk_micro,"
    " c.model_version AS model_version, c.as_of AS as_of"
    " FROM kam_classifications c JOIN accounts a ON a.id = c.account_id";

}  // namespace

absl::StatusOr<std::vector<AtRiskRow>> RiskStore::ListAtRisk(soci::session& sql, const AtRiskQuery& query) {
  db::SqlQuery q(kSelectAtRisk);
  q.Where("a.delete_time IS NULL");
  q.Where("c.churn_risk_micro >= ?", static_cast<long long>(query.min_risk_micro));
  if (query.tier != 0) q.Where("c.tier = ?", query.tier);
  if (!query.owner.empty()) q.Where("a.owner = ?", query.owner);
  if (query.after_risk_micro) {
    const auto after = static_cast<long long>(*query.after_risk_micro);
    q.Where("(c.churn_risk_micro < ? OR (c.churn_risk_micro = ? AND c.account_id > ?))", after, after,
            query.after_account_id);
  }
  q.Append(" ORDER BY c.churn_risk_micro DESC, c.account_id ASC LIMIT ?", query.limit);
  return db::QueryAll<AtRiskRow>(sql, q, "list accounts at risk");
}

}  // namespace crm::kam
