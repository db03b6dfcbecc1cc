// AdminClient: the public face of AdminService (users, roles, access tokens) for C++ callers. A
// cheap value to copy (it shares one connection); every call returns absl::Status /
// absl::StatusOr carrying the server's code, message and field violations
// (crm::FieldViolationsOf in common/core/errors.h).
//
// It has one method per RPC, named as the RPC (the list is admin_rpcs.h):
//   absl::StatusOr<v1::User> SetUser(const v1::SetUserRequest&);
//   absl::StatusOr<v1::User> WhoAmI(const v1::WhoAmIRequest&);
// and a ListAll<Plural> for every list that pages by token:
//   StreamRange<v1::User> ListAllUsers(v1::ListUsersRequest);
//   StreamRange<v1::AccessToken> ListAllAccessTokens(v1::ListAccessTokensRequest);
//
// Retried on UNAVAILABLE: the reads (GetUser, ListUsers, ListAccessTokens, WhoAmI), SetUser (a
// whole replace) and RevokeAccessToken (revoking twice changes nothing). CreateAccessToken is
// sent once: on UNAVAILABLE list the user's tokens, revoke one you cannot account for, and
// create again.
#pragma once

#include <memory>

#include "clients/gateway/admin_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class AdminClient {
 public:
  explicit AdminClient(std::shared_ptr<AdminConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_ADMIN_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_ADMIN_CONNECTION_SIGNATURE(Method, Request, Response) { return connection_->Method(request); }
  CRM_ADMIN_RPCS(CRM_ADMIN_CLIENT_FORWARD)
#undef CRM_ADMIN_CLIENT_FORWARD

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one List call. A failed page ends the range with its error as the last element.
#define CRM_ADMIN_CLIENT_LIST_ALL(Element, Plural, field) \
  StreamRange<v1::Element> ListAll##Plural(v1::List##Plural##Request request);
  CRM_ADMIN_PAGED_LISTS(CRM_ADMIN_CLIENT_LIST_ALL)
#undef CRM_ADMIN_CLIENT_LIST_ALL

 private:
  std::shared_ptr<AdminConnection> connection_;
};

}  // namespace crm::client
