// gMock mock of AccountConnection: construct AccountsClient over it to test code that uses
// the client without a server.
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/account_connection.h"

namespace crm::client::mocks {

class MockAccountConnection : public AccountConnection {
 public:
  MOCK_METHOD(absl::StatusOr<v1::Account>, CreateAccount, (const v1::CreateAccountRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, GetAccount, (const v1::GetAccountRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, UpdateAccount, (const v1::UpdateAccountRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, DeleteAccount, (const v1::DeleteAccountRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Account>, UndeleteAccount, (const v1::UndeleteAccountRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ListAccountsResponse>, ListAccounts,
              (const v1::ListAccountsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, CreateContact, (const v1::CreateContactRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, GetContact, (const v1::GetContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Contact>, UpdateContact, (const v1::UpdateContactRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::DeleteContactResponse>, DeleteContact,
              (const v1::DeleteContactRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListContactsResponse>, ListContacts,
              (const v1::ListContactsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Interaction>, LogInteraction, (const v1::LogInteractionRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Interaction>, GetInteraction, (const v1::GetInteractionRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ListInteractionsResponse>, ListInteractions,
              (const v1::ListInteractionsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CreateActivity, (const v1::CreateActivityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, GetActivity, (const v1::GetActivityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, UpdateActivity, (const v1::UpdateActivityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CompleteActivity, (const v1::CompleteActivityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::Activity>, CancelActivity, (const v1::CancelActivityRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ListActivitiesResponse>, ListActivities,
              (const v1::ListActivitiesRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ImportAccountsResponse>, ImportAccounts,
              (const std::vector<v1::Account>&, const ImportOptions&), (override));
  MOCK_METHOD(absl::Status, ExportAccounts,
              (const v1::ExportAccountsRequest&, const AccountCallback&), (override));
};

}  // namespace crm::client::mocks
