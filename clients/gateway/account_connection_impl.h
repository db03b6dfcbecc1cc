// The default AccountConnection: retries per retry_loop.h, fills request ids into creates.
#pragma once

#include <memory>

#include "clients/gateway/account_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultAccountConnection final : public AccountConnection {
 public:
  DefaultAccountConnection(std::shared_ptr<AccountStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

  absl::StatusOr<v1::Account> CreateAccount(const v1::CreateAccountRequest& request) override;
  absl::StatusOr<v1::Account> GetAccount(const v1::GetAccountRequest& request) override;
  absl::StatusOr<v1::Account> UpdateAccount(const v1::UpdateAccountRequest& request) override;
  absl::StatusOr<v1::Account> DeleteAccount(const v1::DeleteAccountRequest& request) override;
  absl::StatusOr<v1::Account> UndeleteAccount(const v1::UndeleteAccountRequest& request) override;
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      const v1::ListAccountsRequest& request) override;
  absl::StatusOr<v1::Contact> CreateContact(const v1::CreateContactRequest& request) override;
  absl::StatusOr<v1::Contact> GetContact(const v1::GetContactRequest& request) override;
  absl::StatusOr<v1::Contact> UpdateContact(const v1::UpdateContactRequest& request) override;
  absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      const v1::DeleteContactRequest& request) override;
  absl::StatusOr<v1::ListContactsResponse> ListContacts(
      const v1::ListContactsRequest& request) override;
  absl::StatusOr<v1::Interaction> LogInteraction(const v1::LogInteractionRequest& request) override;
  absl::StatusOr<v1::Interaction> GetInteraction(const v1::GetInteractionRequest& request) override;
  absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      const v1::ListInteractionsRequest& request) override;
  absl::StatusOr<v1::Activity> CreateActivity(const v1::CreateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> GetActivity(const v1::GetActivityRequest& request) override;
  absl::StatusOr<v1::Activity> UpdateActivity(const v1::UpdateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CompleteActivity(
      const v1::CompleteActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CancelActivity(const v1::CancelActivityRequest& request) override;
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      const v1::ListActivitiesRequest& request) override;

  absl::StatusOr<v1::ImportAccountsResponse> ImportAccounts(
      const std::vector<v1::Account>& rows, const ImportOptions& options) override;
  absl::Status ExportAccounts(const v1::ExportAccountsRequest& request,
                              const AccountCallback& on_account) override;

 private:
  template <typename Request, typename Response>
  using StubMethod = absl::StatusOr<Response> (AccountStub::*)(grpc::ClientContext&,
                                                               const Request&);

  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(Idempotency idempotency, StubMethod<Request, Response> method,
                                const Request& request) {
    return RetryLoop(policy_, idempotency, [&](grpc::ClientContext& context) {
      return (stub_.get()->*method)(context, request);
    });
  }

  // A create carries a request id (the caller's or a fresh one) before its first attempt, so
  // every attempt sends the same one and retrying is safe.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Create(StubMethod<Request, Response> method, const Request& request) {
    Request with_id = request;
    EnsureRequestId(with_id, policy_);
    return Call(Idempotency::kIdempotent, method, with_id);
  }

  std::shared_ptr<AccountStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
