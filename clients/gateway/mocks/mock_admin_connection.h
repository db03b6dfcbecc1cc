// gMock mock of AdminConnection: construct AdminClient over it to test code that uses the client
// without a server. One MOCK_METHOD per RPC of admin_rpcs.h, e.g.
//   EXPECT_CALL(*connection, WhoAmI(_)).WillOnce(Return(user));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/admin_connection.h"

namespace crm::client::mocks {

class MockAdminConnection : public AdminConnection {
 public:
#define CRM_ADMIN_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_ADMIN_RPCS(CRM_ADMIN_MOCK_CONNECTION)
#undef CRM_ADMIN_MOCK_CONNECTION
};

}  // namespace crm::client::mocks
