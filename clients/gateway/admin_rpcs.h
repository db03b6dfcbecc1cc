// Every RPC of crm.v1.AdminService, listed once. Each layer of the admin client (stub, metadata
// decorator, connection, client, mocks) expands this list, as servicedesk_rpcs.h does for
// ServiceDeskService; admin_connection_test.cc checks the list against the service.
//
// A row is X(Method, Request, Response, Kind), with the kinds of retry_loop.h (CallKind):
//   kRead               a read: retried on UNAVAILABLE;
//   kIdempotentChange   a change whose repeat leaves the state as the first attempt left it:
//                       retried;
//   kChange             sent once.
#pragma once

#define CRM_ADMIN_RPCS(X)                                                                      \
  /* Replaces the user's role, team, name and disabled flag whole: a repeat writes the same */ \
  /* values again (last writer wins, as between any two close writers). */                     \
  X(SetUser, SetUserRequest, User, kIdempotentChange)                                          \
  X(GetUser, GetUserRequest, User, kRead)                                                      \
  X(ListUsers, ListUsersRequest, ListUsersResponse, kRead)                                     \
  /* No request_id: a repeat after a lost reply would mint a second token, and the first */    \
  /* one's secret, shown only in that lost reply, would be gone. */                            \
  X(CreateAccessToken, CreateAccessTokenRequest, CreateAccessTokenResponse, kChange)           \
  /* Revoking twice keeps the first revocation and answers the token again. */                 \
  X(RevokeAccessToken, RevokeAccessTokenRequest, AccessToken, kIdempotentChange)               \
  X(ListAccessTokens, ListAccessTokensRequest, ListAccessTokensResponse, kRead)                \
  X(WhoAmI, WhoAmIRequest, User, kRead)                                                        \
  X(ListAuditRecords, ListAuditRecordsRequest, ListAuditRecordsResponse, kRead)

// The lists that page by page_token / next_page_token, as X(Element, Plural, field): the
// client offers ListAll<Plural>(List<Plural>Request) over List<Plural>, yielding every Element
// of the response's repeated `field`.
#define CRM_ADMIN_PAGED_LISTS(X)       \
  X(User, Users, users)                \
  X(AccessToken, AccessTokens, tokens) \
  X(AuditRecord, AuditRecords, records)
