// Every RPC of crm.v1.DuplicateService, listed once. Each layer of the duplicate client (stub,
// metadata decorator, connection, client, mocks) expands this list, as customfield_rpcs.h does
// for CustomFieldService; duplicate_connection_test.cc checks the list against the service.
//
// A row is X(Method, Request, Response, Kind), with the kinds of retry_loop.h (CallKind):
//   kRead    a read: retried on UNAVAILABLE;
//   kCreate  given a request_id unless it has one, then retried like a read (a merge's retry
//            returns the first merge);
//   kChange  sent once (an etag does not make a retry safe: a retry of a change that committed
//            meets the new etag and reports ABORTED for a change that succeeded).
#pragma once

#define CRM_DUPLICATE_RPCS(X)                                                    \
  X(FindDuplicates, FindDuplicatesRequest, FindDuplicatesResponse, kRead)        \
  X(GetDuplicateSettings, GetDuplicateSettingsRequest, DuplicateSettings, kRead) \
  X(UpdateDuplicateSettings, UpdateDuplicateSettingsRequest, DuplicateSettings, kChange) \
  X(MergeAccounts, MergeAccountsRequest, MergeAccountsResponse, kCreate)                \
  X(MergeContacts, MergeContactsRequest, MergeContactsResponse, kCreate)                \
  X(GetMerge, GetMergeRequest, Merge, kRead)                                            \
  X(ListMerges, ListMergesRequest, ListMergesResponse, kRead)
