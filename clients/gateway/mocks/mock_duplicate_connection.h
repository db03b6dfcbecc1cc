// gMock mock of DuplicateConnection: construct DuplicateClient over it to test code that uses
// the client without a server. One MOCK_METHOD per RPC of duplicate_rpcs.h, e.g.
//   EXPECT_CALL(*connection, FindDuplicates(_)).WillOnce(Return(response));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/duplicate_connection.h"

namespace crm::client::mocks {

class MockDuplicateConnection : public DuplicateConnection {
 public:
#define CRM_DUPLICATE_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_MOCK_CONNECTION)
#undef CRM_DUPLICATE_MOCK_CONNECTION
};

}  // namespace crm::client::mocks
