// gMock mock of AccountStub, for testing code that builds a connection over a stub
// (MakeAccountConnection(stub, options)), e.g. to exercise the retry rules.
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/account_stub.h"

namespace crm::client::mocks {

class MockAccountStub : public AccountStub {
 public:
  MOCK_METHOD(absl::StatusOr<v1::Account>, CreateAccount,
              (grpc::ClientContext&, const v1::CreateAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, GetAccount,
              (grpc::ClientContext&, const v1::GetAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, UpdateAccount,
              (grpc::ClientContext&, const v1::UpdateAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, DeleteAccount,
              (grpc::ClientContext&, const v1::DeleteAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, UndeleteAccount,
              (grpc::ClientContext&, const v1::UndeleteAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListAccountsResponse>, ListAccounts,
              (grpc::ClientContext&, const v1::ListAccountsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, CreateContact,
              (grpc::ClientContext&, const v1::CreateContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, GetContact,
              (grpc::ClientContext&, const v1::GetContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, UpdateContact,
              (grpc::ClientContext&, const v1::UpdateContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::DeleteContactResponse>, DeleteContact,
              (grpc::ClientContext&, const v1::DeleteContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListContactsResponse>, ListContacts,
              (grpc::ClientContext&, const v1::ListContactsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Interaction>, LogInteraction,
              (grpc::ClientContext&, const v1::LogInteractionRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Interaction>, GetInteraction,
              (grpc::ClientContext&, const v1::GetInteractionRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListInteractionsResponse>, ListInteractions,
              (grpc::ClientContext&, const v1::ListInteractionsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CreateActivity,
              (grpc::ClientContext&, const v1::CreateActivityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, GetActivity,
              (grpc::ClientContext&, const v1::GetActivityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, UpdateActivity,
              (grpc::ClientContext&, const v1::UpdateActivityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CompleteActivity,
              (grpc::ClientContext&, const v1::CompleteActivityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CancelActivity,
              (grpc::ClientContext&, const v1::CancelActivityRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListActivitiesResponse>, ListActivities,
              (grpc::ClientContext&, const v1::ListActivitiesRequest&), (override));
  MOCK_METHOD(std::unique_ptr<ImportAccountsStream>, ImportAccounts,
              (std::unique_ptr<grpc::ClientContext>), (override));
  MOCK_METHOD(std::unique_ptr<ExportAccountsStream>, ExportAccounts,
              (std::unique_ptr<grpc::ClientContext>, const v1::ExportAccountsRequest&), (override));
};

}  // namespace crm::client::mocks
