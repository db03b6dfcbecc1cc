// gMock mock of CustomFieldConnection: construct CustomFieldClient over it to test code that uses
// the client without a server. One MOCK_METHOD per RPC of customfield_rpcs.h, e.g.
//   EXPECT_CALL(*connection, GetCustomField(_)).WillOnce(Return(field));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/customfield_connection.h"

namespace crm::client::mocks {

class MockCustomFieldConnection : public CustomFieldConnection {
 public:
#define CRM_CUSTOMFIELD_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_MOCK_CONNECTION)
#undef CRM_CUSTOMFIELD_MOCK_CONNECTION
};

}  // namespace crm::client::mocks
