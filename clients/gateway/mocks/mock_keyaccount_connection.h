// gMock mock of KeyAccountConnection: construct KeyAccountClient over it to test code that uses
// the client without a server. One MOCK_METHOD per RPC of keyaccount_rpcs.h, plus Reclassify:
//   EXPECT_CALL(*connection, GetChurnRisk(_)).WillOnce(Return(risk));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/keyaccount_connection.h"

namespace crm::client::mocks {

class MockKeyAccountConnection : public KeyAccountConnection {
 public:
#define CRM_KEYACCOUNT_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_MOCK_CONNECTION)
#undef CRM_KEYACCOUNT_MOCK_CONNECTION
  MOCK_METHOD(absl::StatusOr<v1::ReclassifySummary>, Reclassify,
              (const v1::ReclassifyRequest&, const ReclassifyCallback&), (override));
};

}  // namespace crm::client::mocks
