// The connection layer of AccountService: one virtual per RPC without gRPC types, behind which
// the default implementation holds the retry, backoff and idempotency policies (retry_loop.h)
// and fills request ids. AccountsClient forwards to it; tests of code using AccountsClient
// substitute mocks/mock_account_connection.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/gateway/account_stub.h"
#include "clients/gateway/client_options.h"
#include "crm/v1/account.pb.h"

namespace crm::client {

// Called after each row is handed to the stream: rows sent so far, rows in total.
using ImportProgress = std::function<void(int64_t sent, int64_t total)>;

struct ImportOptions {
  // Create rows that match existing accounts even when the duplicate settings refuse that
  // (ImportAccountsRequest.confirm_duplicate on every row).
  bool confirm_duplicates = false;
  ImportProgress progress;
};
// Called for each exported account; return false to stop the export early.
using AccountCallback = std::function<bool(const v1::Account& account)>;

class AccountConnection {
 public:
  virtual ~AccountConnection() = default;

  virtual absl::StatusOr<v1::Account> CreateAccount(const v1::CreateAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> GetAccount(const v1::GetAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> UpdateAccount(const v1::UpdateAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> DeleteAccount(const v1::DeleteAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> UndeleteAccount(
      const v1::UndeleteAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      const v1::ListAccountsRequest& request) = 0;
  virtual absl::StatusOr<v1::Contact> CreateContact(const v1::CreateContactRequest& request) = 0;
  virtual absl::StatusOr<v1::Contact> GetContact(const v1::GetContactRequest& request) = 0;
  virtual absl::StatusOr<v1::Contact> UpdateContact(const v1::UpdateContactRequest& request) = 0;
  virtual absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      const v1::DeleteContactRequest& request) = 0;
  virtual absl::StatusOr<v1::ListContactsResponse> ListContacts(
      const v1::ListContactsRequest& request) = 0;
  virtual absl::StatusOr<v1::Interaction> LogInteraction(
      const v1::LogInteractionRequest& request) = 0;
  virtual absl::StatusOr<v1::Interaction> GetInteraction(
      const v1::GetInteractionRequest& request) = 0;
  virtual absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      const v1::ListInteractionsRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> CreateActivity(const v1::CreateActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> GetActivity(const v1::GetActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> UpdateActivity(const v1::UpdateActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> CompleteActivity(
      const v1::CompleteActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> CancelActivity(const v1::CancelActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      const v1::ListActivitiesRequest& request) = 0;

  // Streams every row, then waits for the summary; per-row failures are in the response.
  virtual absl::StatusOr<v1::ImportAccountsResponse> ImportAccounts(
      const std::vector<v1::Account>& rows, const ImportOptions& options) = 0;
  // OK also when `on_account` stopped the export early.
  virtual absl::Status ExportAccounts(const v1::ExportAccountsRequest& request,
                                      const AccountCallback& on_account) = 0;
};

// Dials AccountsAddress(options) with the default stub stack.
absl::StatusOr<std::shared_ptr<AccountConnection>> MakeAccountConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<AccountConnection> MakeAccountConnection(std::shared_ptr<AccountStub> stub,
                                                         const ClientOptions& options);

}  // namespace crm::client
