// Every RPC of crm.v1.CustomFieldService, listed once. Each layer of the custom-field client
// (stub, metadata decorator, connection, client, mocks) expands this list, as admin_rpcs.h does
// for AdminService; customfield_connection_test.cc checks the list against the service.
//
// A row is X(Method, Request, Response, Kind), with the kinds of retry_loop.h (CallKind):
//   kRead    a read: retried on UNAVAILABLE;
//   kCreate  carries a request_id, which the connection fills in when the caller left it empty;
//            the server answers a repeated request_id with the first result, so it is retried;
//   kChange  sent once, as the account updates, deletes and undeletes are (an etag does not
//            make a retry safe: a retry of a change that committed meets the new etag and
//            reports ABORTED for a change that succeeded).
#pragma once

#define CRM_CUSTOMFIELD_RPCS(X)                                                 \
  X(CreateCustomField, CreateCustomFieldRequest, CustomField, kCreate)          \
  X(GetCustomField, GetCustomFieldRequest, CustomField, kRead)                  \
  X(UpdateCustomField, UpdateCustomFieldRequest, CustomField, kChange)          \
  X(DeleteCustomField, DeleteCustomFieldRequest, CustomField, kChange)          \
  X(UndeleteCustomField, UndeleteCustomFieldRequest, CustomField, kChange)      \
  X(ListCustomFields, ListCustomFieldsRequest, ListCustomFieldsResponse, kRead) \
  X(ListCustomFieldVersions, ListCustomFieldVersionsRequest, ListCustomFieldVersionsResponse, kRead)

// The lists that page by page_token / next_page_token, as X(Element, Plural, field): the
// client offers ListAll<Plural>(List<Plural>Request) over List<Plural>, yielding every Element
// of the response's repeated `field`.
#define CRM_CUSTOMFIELD_PAGED_LISTS(X) \
  X(CustomField, CustomFields, fields) \
  X(CustomField, CustomFieldVersions, versions)
