#include "clients/gateway/accounts_client.h"

namespace crm::client {

StreamRange<v1::Account> AccountsClient::ListAllAccounts(v1::ListAccountsRequest request) {
  std::shared_ptr<AccountConnection> connection = connection_;
  return MakePaginationRange<v1::Account, v1::ListAccountsRequest, v1::ListAccountsResponse>(
      std::move(request),
      [connection](const v1::ListAccountsRequest& r) { return connection->ListAccounts(r); },
      [](v1::ListAccountsResponse& page) { return TakeAll(*page.mutable_accounts()); },
      NextPageToken<v1::ListAccountsRequest, v1::ListAccountsResponse>);
}

StreamRange<v1::Contact> AccountsClient::ListAllContacts(v1::ListContactsRequest request) {
  std::shared_ptr<AccountConnection> connection = connection_;
  return MakePaginationRange<v1::Contact, v1::ListContactsRequest, v1::ListContactsResponse>(
      std::move(request),
      [connection](const v1::ListContactsRequest& r) { return connection->ListContacts(r); },
      [](v1::ListContactsResponse& page) { return TakeAll(*page.mutable_contacts()); },
      NextPageToken<v1::ListContactsRequest, v1::ListContactsResponse>);
}

StreamRange<v1::Interaction> AccountsClient::ListAllInteractions(
    v1::ListInteractionsRequest request) {
  std::shared_ptr<AccountConnection> connection = connection_;
  return MakePaginationRange<v1::Interaction, v1::ListInteractionsRequest,
                             v1::ListInteractionsResponse>(
      std::move(request),
      [connection](const v1::ListInteractionsRequest& r) {
        return connection->ListInteractions(r);
      },
      [](v1::ListInteractionsResponse& page) { return TakeAll(*page.mutable_interactions()); },
      NextPageToken<v1::ListInteractionsRequest, v1::ListInteractionsResponse>);
}

StreamRange<v1::Activity> AccountsClient::ListAllActivities(v1::ListActivitiesRequest request) {
  std::shared_ptr<AccountConnection> connection = connection_;
  return MakePaginationRange<v1::Activity, v1::ListActivitiesRequest, v1::ListActivitiesResponse>(
      std::move(request),
      [connection](const v1::ListActivitiesRequest& r) { return connection->ListActivities(r); },
      [](v1::ListActivitiesResponse& page) { return TakeAll(*page.mutable_activities()); },
      NextPageToken<v1::ListActivitiesRequest, v1::ListActivitiesResponse>);
}

}  // namespace crm::client
