// AccountsClient: the public face of AccountService for C++ callers. A cheap value to copy
// (it shares one connection); every call returns absl::Status / absl::StatusOr carrying the
// server's code, message and field violations (crm::FieldViolationsOf in common/core/errors.h).
//
//   absl::StatusOr<crm::client::GatewayClient> gateway =
//   crm::client::GatewayClient::Create(options); crm::client::AccountsClient accounts =
//   gateway->accounts(); absl::StatusOr<crm::v1::Account> account = accounts.GetAccount(request);
#pragma once

#include <memory>
#include <vector>

#include "clients/gateway/account_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class AccountsClient {
 public:
  explicit AccountsClient(std::shared_ptr<AccountConnection> connection)
      : connection_(std::move(connection)) {}

  // Creates and LogInteraction get a random request_id when the request has none, which makes
  // them safe to retry; set your own to make a create idempotent across your own retries too.
  absl::StatusOr<v1::Account> CreateAccount(const v1::CreateAccountRequest& request) {
    return connection_->CreateAccount(request);
  }
  absl::StatusOr<v1::Account> GetAccount(const v1::GetAccountRequest& request) {
    return connection_->GetAccount(request);
  }
  absl::StatusOr<v1::Account> UpdateAccount(const v1::UpdateAccountRequest& request) {
    return connection_->UpdateAccount(request);
  }
  absl::StatusOr<v1::Account> DeleteAccount(const v1::DeleteAccountRequest& request) {
    return connection_->DeleteAccount(request);
  }
  absl::StatusOr<v1::Account> UndeleteAccount(const v1::UndeleteAccountRequest& request) {
    return connection_->UndeleteAccount(request);
  }
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(const v1::ListAccountsRequest& request) {
    return connection_->ListAccounts(request);
  }

  absl::StatusOr<v1::Contact> CreateContact(const v1::CreateContactRequest& request) {
    return connection_->CreateContact(request);
  }
  absl::StatusOr<v1::Contact> GetContact(const v1::GetContactRequest& request) {
    return connection_->GetContact(request);
  }
  absl::StatusOr<v1::Contact> UpdateContact(const v1::UpdateContactRequest& request) {
    return connection_->UpdateContact(request);
  }
  absl::StatusOr<v1::DeleteContactResponse> DeleteContact(const v1::DeleteContactRequest& request) {
    return connection_->DeleteContact(request);
  }
  absl::StatusOr<v1::ListContactsResponse> ListContacts(const v1::ListContactsRequest& request) {
    return connection_->ListContacts(request);
  }

  absl::StatusOr<v1::Interaction> LogInteraction(const v1::LogInteractionRequest& request) {
    return connection_->LogInteraction(request);
  }
  absl::StatusOr<v1::Interaction> GetInteraction(const v1::GetInteractionRequest& request) {
    return connection_->GetInteraction(request);
  }
  absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      const v1::ListInteractionsRequest& request) {
    return connection_->ListInteractions(request);
  }

  absl::StatusOr<v1::Activity> CreateActivity(const v1::CreateActivityRequest& request) {
    return connection_->CreateActivity(request);
  }
  absl::StatusOr<v1::Activity> GetActivity(const v1::GetActivityRequest& request) {
    return connection_->GetActivity(request);
  }
  absl::StatusOr<v1::Activity> UpdateActivity(const v1::UpdateActivityRequest& request) {
    return connection_->UpdateActivity(request);
  }
  absl::StatusOr<v1::Activity> CompleteActivity(const v1::CompleteActivityRequest& request) {
    return connection_->CompleteActivity(request);
  }
  absl::StatusOr<v1::Activity> CancelActivity(const v1::CancelActivityRequest& request) {
    return connection_->CancelActivity(request);
  }
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      const v1::ListActivitiesRequest& request) {
    return connection_->ListActivities(request);
  }

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one ListX call. A failed page ends the range with its error as the last element.
  StreamRange<v1::Account> ListAllAccounts(v1::ListAccountsRequest request);
  StreamRange<v1::Contact> ListAllContacts(v1::ListContactsRequest request);
  StreamRange<v1::Interaction> ListAllInteractions(v1::ListInteractionsRequest request);
  StreamRange<v1::Activity> ListAllActivities(v1::ListActivitiesRequest request);

  // Client streaming: one message per row, then the server's summary with per-row errors
  // (indexes into `rows`). Not retried; re-sending the same rows is safe (external keys).
  absl::StatusOr<v1::ImportAccountsResponse> ImportAccounts(const std::vector<v1::Account>& rows,
                                                            const ImportOptions& options) {
    return connection_->ImportAccounts(rows, options);
  }
  absl::StatusOr<v1::ImportAccountsResponse> ImportAccounts(const std::vector<v1::Account>& rows,
                                                            const ImportProgress& progress = {}) {
    return connection_->ImportAccounts(rows, ImportOptions{false, progress});
  }
  // Server streaming: calls `on_account` for every matching account, in id order.
  absl::Status ExportAccounts(const v1::ExportAccountsRequest& request,
                              const AccountCallback& on_account) {
    return connection_->ExportAccounts(request, on_account);
  }

 private:
  std::shared_ptr<AccountConnection> connection_;
};

}  // namespace crm::client
