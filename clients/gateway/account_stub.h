// The stub layer of AccountService: one virtual per RPC, nothing else. The default
// implementation calls gRPC; decorators (metadata_decorator.h) wrap it, and tests substitute
// fakes or mocks (mocks/mock_account_stub.h). Errors arrive as absl::Status with the server's
// code, message and field violations.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/streaming.h"
#include "crm/v1/account.grpc.pb.h"

namespace crm::client {

using ImportAccountsStream =
    StreamingWriteRpc<v1::ImportAccountsRequest, v1::ImportAccountsResponse>;
using ExportAccountsStream = StreamingReadRpc<v1::Account>;

class AccountStub {
 public:
  virtual ~AccountStub() = default;

  virtual absl::StatusOr<v1::Account> CreateAccount(grpc::ClientContext& context,
                                                    const v1::CreateAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> GetAccount(grpc::ClientContext& context,
                                                 const v1::GetAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> UpdateAccount(grpc::ClientContext& context,
                                                    const v1::UpdateAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> DeleteAccount(grpc::ClientContext& context,
                                                    const v1::DeleteAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::Account> UndeleteAccount(
      grpc::ClientContext& context, const v1::UndeleteAccountRequest& request) = 0;
  virtual absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      grpc::ClientContext& context, const v1::ListAccountsRequest& request) = 0;

  virtual absl::StatusOr<v1::Contact> CreateContact(grpc::ClientContext& context,
                                                    const v1::CreateContactRequest& request) = 0;
  virtual absl::StatusOr<v1::Contact> GetContact(grpc::ClientContext& context,
                                                 const v1::GetContactRequest& request) = 0;
  virtual absl::StatusOr<v1::Contact> UpdateContact(grpc::ClientContext& context,
                                                    const v1::UpdateContactRequest& request) = 0;
  virtual absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      grpc::ClientContext& context, const v1::DeleteContactRequest& request) = 0;
  virtual absl::StatusOr<v1::ListContactsResponse> ListContacts(
      grpc::ClientContext& context, const v1::ListContactsRequest& request) = 0;

  virtual absl::StatusOr<v1::Interaction> LogInteraction(
      grpc::ClientContext& context, const v1::LogInteractionRequest& request) = 0;
  virtual absl::StatusOr<v1::Interaction> GetInteraction(
      grpc::ClientContext& context, const v1::GetInteractionRequest& request) = 0;
  virtual absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      grpc::ClientContext& context, const v1::ListInteractionsRequest& request) = 0;

  virtual absl::StatusOr<v1::Activity> CreateActivity(grpc::ClientContext& context,
                                                      const v1::CreateActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> GetActivity(grpc::ClientContext& context,
                                                   const v1::GetActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> UpdateActivity(grpc::ClientContext& context,
                                                      const v1::UpdateActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> CompleteActivity(
      grpc::ClientContext& context, const v1::CompleteActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::Activity> CancelActivity(grpc::ClientContext& context,
                                                      const v1::CancelActivityRequest& request) = 0;
  virtual absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      grpc::ClientContext& context, const v1::ListActivitiesRequest& request) = 0;

  // Streams own their context: the caller prepares it (deadline, metadata) and hands it over.
  virtual std::unique_ptr<ImportAccountsStream> ImportAccounts(
      std::unique_ptr<grpc::ClientContext> context) = 0;
  virtual std::unique_ptr<ExportAccountsStream> ExportAccounts(
      std::unique_ptr<grpc::ClientContext> context, const v1::ExportAccountsRequest& request) = 0;
};

// Calls the service over gRPC.
class DefaultAccountStub final : public AccountStub {
 public:
  explicit DefaultAccountStub(std::unique_ptr<v1::AccountService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  absl::StatusOr<v1::Account> CreateAccount(grpc::ClientContext& context,
                                            const v1::CreateAccountRequest& request) override;
  absl::StatusOr<v1::Account> GetAccount(grpc::ClientContext& context,
                                         const v1::GetAccountRequest& request) override;
  absl::StatusOr<v1::Account> UpdateAccount(grpc::ClientContext& context,
                                            const v1::UpdateAccountRequest& request) override;
  absl::StatusOr<v1::Account> DeleteAccount(grpc::ClientContext& context,
                                            const v1::DeleteAccountRequest& request) override;
  absl::StatusOr<v1::Account> UndeleteAccount(grpc::ClientContext& context,
                                              const v1::UndeleteAccountRequest& request) override;
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(
      grpc::ClientContext& context, const v1::ListAccountsRequest& request) override;

  absl::StatusOr<v1::Contact> CreateContact(grpc::ClientContext& context,
                                            const v1::CreateContactRequest& request) override;
  absl::StatusOr<v1::Contact> GetContact(grpc::ClientContext& context,
                                         const v1::GetContactRequest& request) override;
  absl::StatusOr<v1::Contact> UpdateContact(grpc::ClientContext& context,
                                            const v1::UpdateContactRequest& request) override;
  absl::StatusOr<v1::DeleteContactResponse> DeleteContact(
      grpc::ClientContext& context, const v1::DeleteContactRequest& request) override;
  absl::StatusOr<v1::ListContactsResponse> ListContacts(
      grpc::ClientContext& context, const v1::ListContactsRequest& request) override;

  absl::StatusOr<v1::Interaction> LogInteraction(grpc::ClientContext& context,
                                                 const v1::LogInteractionRequest& request) override;
  absl::StatusOr<v1::Interaction> GetInteraction(grpc::ClientContext& context,
                                                 const v1::GetInteractionRequest& request) override;
  absl::StatusOr<v1::ListInteractionsResponse> ListInteractions(
      grpc::ClientContext& context, const v1::ListInteractionsRequest& request) override;

  absl::StatusOr<v1::Activity> CreateActivity(grpc::ClientContext& context,
                                              const v1::CreateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> GetActivity(grpc::ClientContext& context,
                                           const v1::GetActivityRequest& request) override;
  absl::StatusOr<v1::Activity> UpdateActivity(grpc::ClientContext& context,
                                              const v1::UpdateActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CompleteActivity(
      grpc::ClientContext& context, const v1::CompleteActivityRequest& request) override;
  absl::StatusOr<v1::Activity> CancelActivity(grpc::ClientContext& context,
                                              const v1::CancelActivityRequest& request) override;
  absl::StatusOr<v1::ListActivitiesResponse> ListActivities(
      grpc::ClientContext& context, const v1::ListActivitiesRequest& request) override;

  std::unique_ptr<ImportAccountsStream> ImportAccounts(
      std::unique_ptr<grpc::ClientContext> context) override;
  std::unique_ptr<ExportAccountsStream> ExportAccounts(
      std::unique_ptr<grpc::ClientContext> context,
      const v1::ExportAccountsRequest& request) override;

 private:
  std::unique_ptr<v1::AccountService::StubInterface> grpc_stub_;
};

}  // namespace crm::client
