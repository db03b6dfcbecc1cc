// Rules for accounts: validation, creation with request-id replay, field-mask updates under
// etags, soft delete, filtered keyset lists. No gRPC and no SQL here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Checks every client-settable field of `account`; field names are prefixed with `prefix`
// (e.g. "account"). Collects all violations.
absl::Status ValidateAccount(const crm::v1::Account& account, const std::string& prefix);

// Normalises a valid account before storing: trims tags, removes duplicates, applies defaults.
void NormaliseAccount(crm::v1::Account& account);

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
