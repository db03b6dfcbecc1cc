#include "services/accounts/tier_policy_store.h"

#include <soci/soci.h>

#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a tier_policies row and crm.v1.TierPolicy.
template <>
struct type_conversion<crm::v1::TierPolicy> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::TierPolicy& p) {
    using crm::db::GetInt64;
    p.Clear();
    p.set_tier(static_cast<crm::v1::AccountTier>(GetInt64(v, "tier")));
    p.set_dedicated_manager_required(GetInt64(v, "dedicated_manager_required") != 0);
    p.set_sla_tier(static_cast<crm::v1::AccountTier>(GetInt64(v, "sla_tier")));
    p.set_review_every_days(static_cast<int32_t>(GetInt64(v, "review_every_days")));
    p.set_contact_every_days(static_cast<int32_t>(GetInt64(v, "contact_every_days")));
    const int64_t update_time = GetInt64(v, "update_time");
    // The seeded defaults carry 0: never updated.
    if (update_time != 0) *p.mutable_update_time() = crm::MicrosToTimestamp(update_time);
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::TierPolicy& p, Values& v, indicator& ind) {
    v.set("tier", static_cast<long long>(p.tier()));
    v.set("dedicated_manager_required", static_cast<long long>(p.dedicated_manager_required() ? 1 : 0));
    v.set("sla_tier", static_cast<long long>(p.sla_tier()));
    v.set("review_every_days", static_cast<long long>(p.review_every_days()));
    v.set("contact_every_days", static_cast<long long>(p.contact_every_days()));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(p.update_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::accounts {
namespace {

constexpr char kSelectPolicies[] =
    "SELECT tier, dedicated_manager_required, sla_tier, review_every_days, contact_every_days, update_time"
    " FROM tier_policies";
const std::string kSelectPolicyByTier = std::string(kSelectPolicies) + " WHERE tier = :tier";
constexpr char kInsertPolicy[] =
    "INSERT INTO tier_policies (tier, dedicated_manager_required, sla_tier, review_every_days,"
    " contact_every_days, update_time) VALUES (:tier, :dedicated_manager_required, :sla_tier,"
    " :review_every_days, :contact_every_days, :update_time)";
constexpr char kUpdatePolicy[] =
    "UPDATE tier_policies SET dedicated_manager_required = :dedicated_manager_required,"
    " sla_tier = :sla_tier, review_every_days = :review_every_days,"
    " contact_every_days = :contact_every_days, update_time = :update_time WHERE tier = :tier";
constexpr char kSelectSlaTier[] = "SELECT sla_tier FROM tier_policies WHERE tier = :tier";

}  // namespace

absl::StatusOr<std::vector<crm::v1::TierPolicy>> TierPolicyStore::List(soci::session& sql) {
  return db::QueryAll<crm::v1::TierPolicy>(sql, db::SqlQuery(std::string(kSelectPolicies) + " ORDER BY tier"),
                                           "list tier policies");
}

namespace {

absl::StatusOr<std::optional<crm::v1::TierPolicy>> FindPolicy(soci::session& sql, const std::string& statement,
                                                               crm::v1::AccountTier tier) {
  crm::v1::TierPolicy policy;
  bool found = false;
  long long key = tier;
  absl::Status status = db::Guard("read tier policy", [&]() -> absl::Status {
    sql << statement, soci::use(key), soci::into(policy);
    found = sql.got_data();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return std::optional<crm::v1::TierPolicy>();
  return std::optional<crm::v1::TierPolicy>(std::move(policy));
}

}  // namespace

absl::StatusOr<std::optional<crm::v1::TierPolicy>> TierPolicyStore::Find(soci::session& sql,
                                                                       crm::v1::AccountTier tier) {
  return FindPolicy(sql, kSelectPolicyByTier, tier);
}

absl::StatusOr<std::optional<crm::v1::TierPolicy>> TierPolicyStore::FindForUpdate(db::Tx& tx,
                                                                                crm::v1::AccountTier tier) {
  return FindPolicy(tx.session(), kSelectPolicyByTier + tx.dialect().ForUpdate(), tier);
}

absl::Status TierPolicyStore::Save(db::Tx& tx, const crm::v1::TierPolicy& policy, bool exists) {
  return db::Guard("write tier policy", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), exists ? kUpdatePolicy : kInsertPolicy, policy);
    return absl::OkStatus();
  });
}

absl::StatusOr<crm::v1::AccountTier> TierPolicyStore::SlaTierFor(soci::session& sql, crm::v1::AccountTier tier) {
  long long key = tier;
  long long sla_tier = 0;
  soci::indicator indicator = soci::i_null;
  absl::Status status = db::Guard("read tier policy SLA tier", [&]() -> absl::Status {
    sql << kSelectSlaTier, soci::use(key), soci::into(sla_tier, indicator);
    if (!sql.got_data()) indicator = soci::i_null;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (indicator != soci::i_ok || sla_tier == 0 || !crm::v1::AccountTier_IsValid(static_cast<int>(sla_tier))) {
    return tier;
  }
  return static_cast<crm::v1::AccountTier>(sla_tier);
}

}  // namespace crm::accounts
