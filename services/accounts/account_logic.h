// Rules for accounts: validation, creation with request-id replay, field-mask updates under
// etags, soft delete, filtered keyset lists; and the account rules every record created under an
// account obeys (FindLiveAccount, CheckContactOfAccount). No gRPC and no SQL here.
#pragma once

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "common/server/call_context.h"
#include "services/accounts/account_store.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Shared with bulk import / export (account_transfer_logic), which writes the same accounts.
inline constexpr char kAccountEntity[] = "account";
inline constexpr char kAccountIdPrefix[] = "acc";

// Fields a caller may change with UpdateAccount, and exactly what an import row sets. Tier
// belongs to key-account management.
const absl::flat_hash_set<std::string>& UpdatableAccountFields();

// Checks every client-settable field of `account`; field names are prefixed with `prefix`
// (e.g. "account"). Collects all violations.
absl::Status ValidateAccount(const crm::v1::Account& account, const std::string& prefix);

// Normalises a valid account before storing: trims tags, removes duplicates, applies defaults.
void NormaliseAccount(crm::v1::Account& account);

// Checks an account filter (ListAccounts, ExportAccounts); field names are prefixed with
// `prefix` (e.g. "filter"). Collects all violations.
absl::Status ValidateAccountFilter(const crm::v1::AccountFilter& filter, const std::string& prefix);

// One page of `query` (whose filter may name custom fields) as callers see it: the custom
// conditions and order checked against the definitions read in the same transaction, removed
// fields' values hidden. ListAccounts and ExportAccounts.
absl::StatusOr<std::vector<crm::v1::Account>> ListVisibleAccounts(soci::session& sql, AccountListQuery& query);

// FAILED_PRECONDITION naming `field` for an account merged into another (a tombstone: nothing
// changes it, nothing is created under it), naming the survivor.
absl::Status MergedAccount(absl::string_view field, const crm::v1::Account& account);

// Rules for everything created under an account (contacts, interactions, activities), run
// inside the creating transaction:
//
// The account `account_id`, which must accept new records, share-locked for the rest of the
// transaction: NOT_FOUND naming `field` when it does not exist, FAILED_PRECONDITION naming `field`
// when it is soft-deleted or was merged into another (named in the message).
absl::StatusOr<crm::v1::Account> FindLiveAccount(db::Tx& tx, const std::string& account_id, const std::string& field);
// OK when `contact_id` names a contact of `account_id`; NOT_FOUND naming `field` when there is no
// such contact (with where it went, if it was merged away), INVALID_ARGUMENT naming `field` when
// it belongs to another account. The contact row stays locked until commit, so a concurrent
// delete cannot slip in between.
absl::Status CheckContactOfAccount(db::Tx& tx, const std::string& contact_id, const std::string& account_id,
                                   const std::string& field);

class AccountLogic {
 public:
  explicit AccountLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Account> Create(const server::CallContext& call, const crm::v1::CreateAccountRequest& request);
  absl::StatusOr<crm::v1::Account> Get(const server::CallContext& call, const crm::v1::GetAccountRequest& request);
  absl::StatusOr<crm::v1::Account> Update(const server::CallContext& call, const crm::v1::UpdateAccountRequest& request);
  absl::StatusOr<crm::v1::Account> Delete(const server::CallContext& call, const crm::v1::DeleteAccountRequest& request);
  absl::StatusOr<crm::v1::Account> Undelete(const server::CallContext& call,
                                            const crm::v1::UndeleteAccountRequest& request);
  absl::StatusOr<crm::v1::ListAccountsResponse> List(const server::CallContext& call,
                                                     const crm::v1::ListAccountsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::accounts
