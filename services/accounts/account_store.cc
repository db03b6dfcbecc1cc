#include "services/accounts/account_store.h"

#include <soci/soci.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/duplicates/duplicate_store.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "common/db/tags.h"

namespace soci {

// crm.v1.Account into an accounts row, for the insert and the update (reads map rows with
// AccountFromRow below, which follows kAccountColumns).
template <>
struct type_conversion<crm::v1::Account> {
  typedef values base_type;

  // SOCI compiles this for use(account) but never calls it for a read-only binding.
  static void from_base(const values&, indicator, crm::v1::Account&) {
    throw soci_error("accounts rows are read with AccountFromRow");
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Account& a, Values& v, indicator& ind) {
    const bool has_revenue = a.has_annual_revenue();
    v.set("id", a.id());
    v.set("name", a.name());
    v.set("kind", static_cast<long long>(a.kind()));
    v.set("industry", a.industry());
    v.set("region", a.region());
    v.set("size_band", static_cast<long long>(a.size_band()));
    v.set("revenue_currency", a.annual_revenue().currency_code(), has_revenue ? i_ok : i_null);
    v.set("revenue_units", static_cast<long long>(a.annual_revenue().units()));
    v.set("revenue_nanos", static_cast<long long>(a.annual_revenue().nanos()));
    v.set("owner", a.owner());
    v.set("lifecycle_stage", static_cast<long long>(a.lifecycle_stage()));
    v.set("tier", static_cast<long long>(a.tier()));
    v.set("tags", crm::db::EncodeTags(a.tags()));
    v.set("profession", a.profession());
    v.set("age_band", static_cast<long long>(a.age_band()));
    v.set("external_key", a.external_key(), a.external_key().empty() ? i_null : i_ok);
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(a.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(a.update_time())));
    v.set("delete_time", static_cast<long long>(crm::TimestampToMicros(a.delete_time())),
          a.has_delete_time() ? i_ok : i_null);
    v.set("custom_fields", crm::customfields::EncodeValues(a.custom_fields()),
          a.custom_fields().empty() ? i_null : i_ok);
    v.set("website", a.website());
    v.set("phone", a.phone());
    v.set("merged_into", a.merged_into_id(), a.merged_into_id().empty() ? i_null : i_ok);
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::accounts {
namespace {

constexpr char kAccountColumns[] =
    "id, name, kind, industry, region, size_band, revenue_currency, revenue_units, revenue_nanos,"
    " owner, lifecycle_stage, tier, tags, profession, age_band, external_key, create_time,"
    " update_time, delete_time, revision, custom_fields, website, phone, merged_into";
const std::string kSelectAccount = absl::StrCat("SELECT ", kAccountColumns, " FROM accounts");

// One row of kAccountColumns, in their order.
crm::v1::Account AccountFromRow(const db::ScannedRow& r) {
  crm::v1::Account a;
  a.set_id(std::string(r.Text(0)));
  a.set_name(std::string(r.Text(1)));
  a.set_kind(static_cast<crm::v1::AccountKind>(r.Int(2)));
  a.set_industry(std::string(r.Text(3)));
  a.set_region(std::string(r.Text(4)));
  a.set_size_band(static_cast<crm::v1::SizeBand>(r.Int(5)));
  if (!r.IsNull(6)) {
    auto* revenue = a.mutable_annual_revenue();
    revenue->set_currency_code(std::string(r.Text(6)));
    revenue->set_units(r.Int(7));
    revenue->set_nanos(static_cast<int32_t>(r.Int(8)));
  }
  a.set_owner(std::string(r.Text(9)));
  a.set_lifecycle_stage(static_cast<crm::v1::LifecycleStage>(r.Int(10)));
  a.set_tier(static_cast<crm::v1::AccountTier>(r.Int(11)));
  db::DecodeTags(r.Text(12), a.mutable_tags());
  a.set_profession(std::string(r.Text(13)));
  a.set_age_band(static_cast<crm::v1::AgeBand>(r.Int(14)));
  a.set_external_key(std::string(r.Text(15)));
  *a.mutable_create_time() = MicrosToTimestamp(r.Int(16));
  *a.mutable_update_time() = MicrosToTimestamp(r.Int(17));
  if (!r.IsNull(18)) *a.mutable_delete_time() = MicrosToTimestamp(r.Int(18));
  a.set_etag(FormatEtag(r.Int(19)));
  customfields::DecodeValues(r.Text(20), a.mutable_custom_fields());
  a.set_website(std::string(r.Text(21)));
  a.set_phone(std::string(r.Text(22)));
  if (!r.IsNull(23)) a.set_merged_into_id(std::string(r.Text(23)));
  return a;
}

// The account whose `column` is `value`; on MySQL `lock` adds the dialect's row lock.
absl::StatusOr<std::optional<crm::v1::Account>> FindBy(soci::session& sql, const char* column,
                                                       const std::string& value, const char* lock = "") {
  db::SqlQuery q(kSelectAccount);
  q.Where(absl::StrCat(column, " = ?"), value);
  q.Append(lock);
  return db::ScanOne<crm::v1::Account>(sql, q, "read account", AccountFromRow);
}
constexpr char kInsertAccount[] =
    "INSERT INTO accounts (id, name, kind, industry, region, size_band, revenue_currency,"
    " revenue_units, revenue_nanos, owner, lifecycle_stage, tier, tags, profession, age_band,"
    " external_key, create_time, update_time, delete_time, custom_fields, website, phone, merged_into, revision)"
    " VALUES (:id, :name, :kind, :industry, :region, :size_band, :revenue_currency, :revenue_units, :revenue_nanos,"
    " :owner, :lifecycle_stage, :tier, :tags, :profession, :age_band, :external_key, :create_time,"
    " :update_time, :delete_time, :custom_fields, :website, :phone, :merged_into, 1)";
constexpr char kUpdateAccount[] =
    "UPDATE accounts SET name = :name, kind = :kind, industry = :industry, region = :region,"
    " size_band = :size_band, revenue_currency = :revenue_currency, revenue_units = :revenue_units,"
    " revenue_nanos = :revenue_nanos, owner = :owner, lifecycle_stage = :lifecycle_stage,"
    " tier = :tier, tags = :tags, profession = :profession, age_band = :age_band,"
    " external_key = :external_key, create_time = :create_time, update_time = :update_time,"
    " delete_time = :delete_time, custom_fields = :custom_fields, website = :website, phone = :phone,"
    " merged_into = :merged_into, revision = revision + 1 WHERE id = :id AND revision = :expected_revision";

const char* SortColumn(AccountOrder order) {
  switch (order) {
    case AccountOrder::kName:
      return "name";
    case AccountOrder::kCreateTime:
      return "create_time";
    case AccountOrder::kUpdateTime:
      return "update_time";
    case AccountOrder::kId:
      break;
  }
  return "id";
}

}  // namespace

absl::StatusOr<std::optional<crm::v1::Account>> AccountStore::Find(soci::session& sql, const std::string& id) {
  return FindBy(sql, "id", id);
}

absl::StatusOr<std::optional<crm::v1::Account>> AccountStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return FindBy(tx.session(), "id", id, tx.dialect().ForUpdate());
}

absl::StatusOr<std::optional<crm::v1::Account>> AccountStore::FindForShare(db::Tx& tx, const std::string& id) {
  return FindBy(tx.session(), "id", id, tx.dialect().ForShare());
}

absl::StatusOr<std::optional<crm::v1::Account>> AccountStore::FindByExternalKey(soci::session& sql,
                                                                                const std::string& key) {
  return FindBy(sql, "external_key", key);
}

absl::Status AccountStore::Insert(db::Tx& tx, const crm::v1::Account& account) {
  absl::Status status = db::Guard("insert account", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertAccount, account);
    return absl::OkStatus();
  });
  if (absl::IsAlreadyExists(status)) {
    return AlreadyExistsField("account.external_key", "is already used by another account");
  }
  if (!status.ok()) return status;
  if (absl::Status s = duplicates::DuplicateIndex::Insert(tx, crm::v1::DUPLICATE_ENTITY_ACCOUNT, account.id(),
                                                          duplicates::KeysOf(account));
      !s.ok()) {
    return s;
  }
  if (account.custom_fields().empty()) return status;
  return customfields::CustomValueIndex::Replace(tx, customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT), account.id(), account.custom_fields());
}

absl::StatusOr<bool> AccountStore::Update(db::Tx& tx, const crm::v1::Account& stored, const crm::v1::Account& account,
                                          int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateAccount, account, expected_revision, "update account");
  if (absl::IsAlreadyExists(updated.status())) {
    return AlreadyExistsField("account.external_key", "is already used by another account");
  }
  if (!updated.ok() || !*updated) return updated;
  absl::Status indexed = customfields::CustomValueIndex::ReplaceIfChanged(
      tx, customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT), account.id(), stored.custom_fields(),
      account.custom_fields());
  if (!indexed.ok()) return indexed;
  // Renames, new websites and phones, soft deletes and undeletes change the keys.
  absl::Status keyed = duplicates::DuplicateIndex::ReplaceIfChanged(
      tx, crm::v1::DUPLICATE_ENTITY_ACCOUNT, account.id(), duplicates::KeysOf(stored), duplicates::KeysOf(account));
  if (!keyed.ok()) return keyed;
  return true;
}

namespace {

// The conditions every order of a list shares; `custom_conditions` in place of the query's own
// when one of them already drives the list.
void AddListFilters(db::SqlQuery& q, const AccountListQuery& query,
                    const std::vector<customfields::IndexCondition>& custom_conditions) {
  const crm::v1::AccountFilter& f = query.filter;
  if (!query.show_deleted) q.Where("delete_time IS NULL");
  if (query.owners) q.WhereIn("owner", *query.owners);
  if (f.tier() != 0) q.Where("tier = ?", static_cast<long long>(f.tier()));
  if (f.lifecycle_stage() != 0) q.Where("lifecycle_stage = ?", static_cast<long long>(f.lifecycle_stage()));
  if (!f.industry().empty()) q.Where("industry = ?", f.industry());
  if (!f.region().empty()) q.Where("region = ?", f.region());
  if (f.kind() != 0) q.Where("kind = ?", static_cast<long long>(f.kind()));
  if (!f.text().empty()) q.Where(db::Dialect::ContainsPredicate("name"), db::Dialect::ContainsPattern(f.text()));
  if (!f.tag().empty()) {
    q.Where("tags LIKE ? ESCAPE '!'", db::Dialect::ContainsPattern(db::EncodedTag(f.tag())));
  }
  customfields::CustomValueIndex::AddConditions(q, customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT),
                                                "id", custom_conditions);
}

}  // namespace

absl::StatusOr<std::vector<crm::v1::Account>> AccountStore::List(soci::session& sql, const AccountListQuery& query) {
  absl::StatusOr<std::vector<db::SqlQuery>> statements = ListStatements(sql, query);
  if (!statements.ok()) return statements.status();
  return customfields::ScanInTurn<crm::v1::Account>(sql, *statements, query.limit, AccountFromRow, "list accounts");
}

absl::StatusOr<std::vector<db::SqlQuery>> AccountStore::ListStatements(soci::session& sql,
                                                                      const AccountListQuery& query) {
  const db::Dialect dialect = db::Dialect::Of(sql);
  const absl::string_view entity = customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  std::vector<customfields::IndexCondition> custom_conditions = query.custom_conditions;
  if (query.custom_order) {
    customfields::CustomOrderQuery order(entity, "id", *query.custom_order);
    if (std::optional<customfields::ValueDrivenList> equality =
            customfields::ValueDrivenList::Take(entity, "accounts", "id", custom_conditions)) {
      absl::StatusOr<int64_t> matches =
          customfields::CustomValueIndex::CountUpTo(sql, entity, equality->driver(), query.few_matches);
      if (!matches.ok()) return matches.status();
      order.SetEquality(*std::move(equality), *matches < query.few_matches);
    }
    return customfields::CustomOrderStatements(dialect, kAccountColumns, "accounts", order, query.custom_after,
                                               query.limit,
                                               [&](db::SqlQuery& q) { AddListFilters(q, query, custom_conditions); });
  }
  std::optional<customfields::ValueDrivenList> driven;
  // In id order an equality on a custom value drives the list from its index entries.
  if (query.order == AccountOrder::kId) {
    driven = customfields::ValueDrivenList::Take(entity, "accounts", "id", custom_conditions);
  }
  // In id order, one range that matches many accounts is tested per account while the accounts
  // are walked in id order: the page is full early, where sorting every match would take long.
  bool per_row = false;
  if (query.order == AccountOrder::kId && !driven && custom_conditions.size() == 1) {
    absl::StatusOr<int64_t> matches =
        customfields::CustomValueIndex::CountUpTo(sql, entity, custom_conditions.front(), query.few_matches);
    if (!matches.ok()) return matches.status();
    per_row = *matches >= query.few_matches;
  }
  db::SqlQuery q = driven ? driven->Select(dialect, kAccountColumns) : db::SqlQuery(kSelectAccount);
  AddListFilters(q, query, per_row ? std::vector<customfields::IndexCondition>{} : custom_conditions);
  if (per_row) customfields::CustomValueIndex::AddConditionsPerRow(q, entity, "id", custom_conditions);
  if (query.order == AccountOrder::kId) {
    customfields::ValueDrivenList::AddIdOrder(q, driven, "id", query.after_id, query.descending);
  } else {
    const std::string column = SortColumn(query.order);
    const char* cmp = query.descending ? "<" : ">";
    const char* direction = query.descending ? " DESC" : "";
    if (query.after_key.has_value()) {
      if (query.order == AccountOrder::kName) {
        q.Where(absl::StrCat("(", column, " ", cmp, " ? OR (", column, " = ? AND id ", cmp, " ?))"),
                *query.after_key, *query.after_key, query.after_id);
      } else {
        long long key = 0;
        (void)absl::SimpleAtoi(*query.after_key, &key);
        q.Where(absl::StrCat("(", column, " ", cmp, " ? OR (", column, " = ? AND id ", cmp, " ?))"), key, key,
                query.after_id);
      }
    }
    q.Append(absl::StrCat(" ORDER BY ", column, direction, ", id", direction));
  }
  q.Append(" LIMIT ?", static_cast<long long>(query.limit));
  std::vector<db::SqlQuery> statements;
  statements.push_back(std::move(q));
  return statements;
}

std::string AccountStore::SortKey(const crm::v1::Account& account, AccountOrder order) {
  switch (order) {
    case AccountOrder::kName:
      return account.name();
    case AccountOrder::kCreateTime:
      return std::to_string(TimestampToMicros(account.create_time()));
    case AccountOrder::kUpdateTime:
      return std::to_string(TimestampToMicros(account.update_time()));
    case AccountOrder::kId:
      break;
  }
  return account.id();
}

}  // namespace crm::accounts
