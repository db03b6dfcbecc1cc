// gMock mock of ServiceDeskConnection: construct ServiceDeskClient over it to test code that uses
// the client without a server. One MOCK_METHOD per RPC of servicedesk_rpcs.h, e.g.
//   EXPECT_CALL(*connection, GetTicket(_)).WillOnce(Return(ticket));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/servicedesk_connection.h"

namespace crm::client::mocks {

class MockServiceDeskConnection : public ServiceDeskConnection {
 public:
#define CRM_SERVICEDESK_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_MOCK_CONNECTION)
#undef CRM_SERVICEDESK_MOCK_CONNECTION
};

}  // namespace crm::client::mocks
