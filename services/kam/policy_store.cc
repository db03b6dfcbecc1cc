#include "services/kam/policy_store.h"

#include <soci/soci.h>

#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace crm::kam {
namespace {

// The account columns every list of this area returns, as crm.v1.AccountRef.
crm::v1::AccountRef AccountRefFrom(const soci::values& v) {
  crm::v1::AccountRef ref;
  ref.set_account_id(db::GetString(v, "id"));
  ref.set_name(db::GetString(v, "name"));
  ref.set_tier(static_cast<crm::v1::AccountTier>(db::GetInt64(v, "tier")));
  ref.set_owner(db::GetString(v, "owner"));
  return ref;
}

// Served by accounts_by_owner (owner, id): only ownerless accounts are read, joined to their
// tier's policy by primary key, then sorted by (tier, id).
constexpr char kSelectWithoutManager[] =
    "SELECT a.id, a.name, a.tier, a.owner FROM accounts a JOIN tier_policies p ON p.tier = a.tier"
    " WHERE a.owner = '' AND a.delete_time IS NULL AND p.dedicated_manager_required <> 0";

// The key accounts (cadence in days, 86400000000 microseconds each) with their last
// interaction: per account one seek to its newest entry in interactions_by_account
// (account_id, occur_time, id), never a scan of its interactions; then the due instant, the
// overdue filter and the keyset order over those rows. The owner filter (inner query) narrows
// the accounts through accounts_by_owner. The inner LIMIT (no bound in practice) keeps SQLite
// from flattening `k` into the outer query, which would repeat the seek for every reference to
// last_time.
constexpr char kSelectKeyAccountsHead[] =
    "SELECT d.id, d.name, d.tier, d.owner, d.last_time, d.cadence_days, d.due_time FROM ("
    " SELECT k.id, k.name, k.tier, k.owner, k.last_time, k.cadence_days,"
    " COALESCE(k.last_time, k.create_time) + k.cadence_days * 86400000000 AS due_time FROM ("
    " SELECT a.id, a.name, a.tier, a.owner, a.create_time, p.contact_every_days AS cadence_days,"
    " (SELECT i.occur_time FROM interactions i WHERE i.account_id = a.id"
    " ORDER BY i.occur_time DESC LIMIT 1) AS last_time"
    " FROM accounts a JOIN tier_policies p ON p.tier = a.tier"
    " WHERE a.delete_time IS NULL AND p.contact_every_days > 0";
constexpr char kSelectKeyAccountsTail[] = " LIMIT 9223372036854775807) k) d";

}  // namespace
}  // namespace crm::kam

namespace soci {

// The one mapping of an overdue-contact row.
template <>
struct type_conversion<crm::kam::OverdueContactRow> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::kam::OverdueContactRow& row) {
    row.account = crm::kam::AccountRefFrom(v);
    row.last_interaction_micros.reset();
    if (!crm::db::IsNull(v, "last_time")) row.last_interaction_micros = crm::db::GetInt64(v, "last_time");
    row.cadence_days = static_cast<int32_t>(crm::db::GetInt64(v, "cadence_days"));
    row.due_micros = crm::db::GetInt64(v, "due_time");
  }
};

// Rows of AccountsWithoutManager.
template <>
struct type_conversion<crm::v1::AccountRef> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::v1::AccountRef& ref) { ref = crm::kam::AccountRefFrom(v); }
};

}  // namespace soci

namespace crm::kam {

absl::StatusOr<std::vector<crm::v1::AccountRef>> PolicyStore::AccountsWithoutManager(
    soci::session& sql, const std::optional<TierPosition>& after, int limit) {
  db::SqlQuery q(kSelectWithoutManager);
  if (after.has_value()) {
    const long long tier = after->tier;
    q.Append(" AND (a.tier > ? OR (a.tier = ? AND a.id > ?))", tier, tier, after->account_id);
  }
  q.Append(" ORDER BY a.tier, a.id LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<crm::v1::AccountRef>(sql, q, "list accounts without manager");
}

absl::StatusOr<std::vector<OverdueContactRow>> PolicyStore::OverdueContacts(soci::session& sql,
                                                                           const OverdueContactQuery& query) {
  db::SqlQuery q(kSelectKeyAccountsHead);
  if (!query.owner.empty()) q.Append(" AND a.owner = ?", query.owner);
  q.Append(kSelectKeyAccountsTail);
  q.Where("(d.last_time IS NULL OR d.due_time < ?)", static_cast<long long>(ToMicros(query.now)));
  if (query.after.has_value()) {
    const long long due = query.after->due_micros;
    q.Where("(d.due_time > ? OR (d.due_time = ? AND d.id > ?))", due, due, query.after->account_id);
  }
  q.Append(" ORDER BY d.due_time, d.id LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<OverdueContactRow>(sql, q, "list overdue contacts");
}

}  // namespace crm::kam
