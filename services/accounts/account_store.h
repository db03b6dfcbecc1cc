// SQL for accounts: every statement named once here, rows mapped once (soci::type_conversion
// in account_store.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "common/db/query.h"
#include "crm/v1/account.pb.h"

namespace soci {
class session;
}

namespace crm::accounts {

// Sort orders a list may ask for; the key column is fixed per order, never taken from the request.
enum class AccountOrder { kId, kName, kCreateTime, kUpdateTime };

struct AccountListQuery {
  // Every filter but the owner, which `owners` carries.
  crm::v1::AccountFilter filter;
  // The owners the caller may see (OwnerScope::ListOwners), narrowed by the request's owner;
  // nullopt: any owner.
  std::optional<std::vector<std::string>> owners;
  bool show_deleted = false;
  AccountOrder order = AccountOrder::kId;
  bool descending = false;
  // Keyset position: rows strictly after (after_key, after_id) in the chosen order.
  std::optional<std::string> after_key;
  std::string after_id;
  // Conditions on custom fields (filter.custom_fields, resolved against the definitions).
  std::vector<customfields::IndexCondition> custom_conditions;
  // Set when the list is ordered by a custom field; `order` and the keys above are then unused,
  // and custom_after is the keyset position (nullopt on the first page).
  std::optional<customfields::IndexOrder> custom_order;
  std::optional<customfields::CustomOrderPosition> custom_after;
  // Below this many matches a custom condition's accounts are read and sorted, from this many on
  // the list walks its own order and tests the condition per row (customfields::kFewMatches): an
  // equality with a custom order, or the one custom condition of a list in id order. A test
  // moves it to read the same list the other way.
  int64_t few_matches = customfields::kFewMatches;
  int limit = 50;
};

class AccountStore {
 public:
  // nullopt when no account has this id.
  static absl::StatusOr<std::optional<crm::v1::Account>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Account>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Like Find, with a shared lock for the rest of the write transaction: for a record created
  // under the account, so that a merge or delete of it waits (and then is seen).
  static absl::StatusOr<std::optional<crm::v1::Account>> FindForShare(db::Tx& tx, const std::string& id);
  static absl::StatusOr<std::optional<crm::v1::Account>> FindByExternalKey(soci::session& sql,
                                                                           const std::string& key);
  // Inserts with revision 1. A taken external_key → ALREADY_EXISTS naming account.external_key.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Account& account);
  // Writes every column of `account` and bumps the revision, only if the stored revision is
  // still `expected_revision`. False when it was not (someone else changed it). `stored` is the
  // account as read at that revision: the custom-value index and the duplicate keys are rewritten
  // only when the values they hold differ from its.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Account& stored, const crm::v1::Account& account,
                                     int64_t expected_revision);
  static absl::StatusOr<std::vector<crm::v1::Account>> List(soci::session& sql, const AccountListQuery& query);
  // The statements List runs for `query`, in turn until it has query.limit accounts: one, or for
  // an order by a custom field the run of accounts with a value (none when the position is past
  // it) and the run of those without. For EXPLAIN (bench/customfield_bench.cc). An order by a
  // custom field with an equality on another, and a list in id order with one custom condition
  // other than an equality, first count (up to query.few_matches) what it matches, to choose
  // how to read (customfields::kFewMatches).
  static absl::StatusOr<std::vector<db::SqlQuery>> ListStatements(soci::session& sql, const AccountListQuery& query);

  // The sort key of `account` for `order`, as stored in page tokens.
  static std::string SortKey(const crm::v1::Account& account, AccountOrder order);
};

}  // namespace crm::accounts
