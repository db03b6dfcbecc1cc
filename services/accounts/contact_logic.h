// Rules for contacts: validation, creation under a live account with request-id replay,
// field-mask updates under etags, hard delete, per-account keyset lists. No gRPC and no SQL here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Checks every client-settable field of `contact`; field names are prefixed with `prefix`
// (e.g. "contact"). Collects all violations.
absl::Status ValidateContact(const crm::v1::Contact& contact, const std::string& prefix);

class ContactLogic {
 public:
  explicit ContactLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Contact> Create(const server::CallContext& call, const crm::v1::CreateContactRequest& request);
  absl::StatusOr<crm::v1::Contact> Get(const server::CallContext& call, const crm::v1::GetContactRequest& request);
  absl::StatusOr<crm::v1::Contact> Update(const server::CallContext& call, const crm::v1::UpdateContactRequest& request);
  // A hard delete: the row goes. Interactions and activities that named the contact keep its id
  // (they are history and carry no foreign key to contacts), so GetContact on it then answers
  // NOT_FOUND.
  absl::StatusOr<crm::v1::DeleteContactResponse> Delete(const server::CallContext& call,
                                                        const crm::v1::DeleteContactRequest& request);
  absl::StatusOr<crm::v1::ListContactsResponse> List(const server::CallContext& call,
                                                     const crm::v1::ListContactsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::accounts
