// CustomFieldClient: the public face of CustomFieldService (the fields administrators add to
// accounts, contacts, leads, opportunities and tickets) for C++ callers. A cheap value to copy
// (it shares one connection); every call returns absl::Status / absl::StatusOr carrying the
// server's code, message and field violations (crm::FieldViolationsOf in common/core/errors.h).
// The values themselves travel in each entity's own messages (Account.custom_fields).
//
// It has one method per RPC, named as the RPC (the list is customfield_rpcs.h):
//   absl::StatusOr<v1::CustomField> CreateCustomField(const v1::CreateCustomFieldRequest&);
//   absl::StatusOr<v1::CustomField> GetCustomField(const v1::GetCustomFieldRequest&);
// and a ListAll<Plural> for every list that pages by token:
//   StreamRange<v1::CustomField> ListAllCustomFields(v1::ListCustomFieldsRequest);
//   StreamRange<v1::CustomField> ListAllCustomFieldVersions(v1::ListCustomFieldVersionsRequest);
//
// Reads (Get*, List*) are retried on UNAVAILABLE. CreateCustomField gets a random request_id
// when the request has none, which makes it safe to retry, and is retried. Updates, deletes and
// undeletes are sent once: on UNAVAILABLE read the field again and decide.
#pragma once

#include <memory>

#include "clients/gateway/customfield_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class CustomFieldClient {
 public:
  explicit CustomFieldClient(std::shared_ptr<CustomFieldConnection> connection)
      : connection_(std::move(connection)) {}

#define CRM_CUSTOMFIELD_CLIENT_FORWARD(Method, Request, Response, Kind) \
  CRM_CUSTOMFIELD_CONNECTION_SIGNATURE(Method, Request, Response) {     \
    return connection_->Method(request);                                \
  }
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_CLIENT_FORWARD)
#undef CRM_CUSTOMFIELD_CLIENT_FORWARD

  // Every element across all pages (page_token in `request` says where to start); each page is
  // one List call. A failed page ends the range with its error as the last element.
#define CRM_CUSTOMFIELD_CLIENT_LIST_ALL(Element, Plural, field) \
  StreamRange<v1::Element> ListAll##Plural(v1::List##Plural##Request request);
  CRM_CUSTOMFIELD_PAGED_LISTS(CRM_CUSTOMFIELD_CLIENT_LIST_ALL)
#undef CRM_CUSTOMFIELD_CLIENT_LIST_ALL

 private:
  std::shared_ptr<CustomFieldConnection> connection_;
};

}  // namespace crm::client
