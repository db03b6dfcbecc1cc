// gMock mock of PipelineConnection: construct PipelineClient over it to test code that uses the
// client without a server. One MOCK_METHOD per RPC of pipeline_rpcs.h, e.g.
//   EXPECT_CALL(*connection, GetOpportunity(_)).WillOnce(Return(opportunity));
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/pipeline_connection.h"

namespace crm::client::mocks {

class MockPipelineConnection : public PipelineConnection {
 public:
#define CRM_PIPELINE_MOCK_CONNECTION(Method, Request, Response, Kind) \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (const v1::Request&), (override));
  CRM_PIPELINE_RPCS(CRM_PIPELINE_MOCK_CONNECTION)
#undef CRM_PIPELINE_MOCK_CONNECTION
};

}  // namespace crm::client::mocks
