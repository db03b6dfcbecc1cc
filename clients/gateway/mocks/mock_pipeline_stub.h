// gMock mock of PipelineStub, for testing code that builds a connection over a stub
// (MakePipelineConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetFunnel(_, _)).WillOnce(Return(absl::UnavailableError("")))...
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/pipeline_stub.h"

namespace crm::client::mocks {

class MockPipelineStub : public PipelineStub {
 public:
#define CRM_PIPELINE_MOCK_STUB(Method, Request, Response, Kind)                                 \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_PIPELINE_RPCS(CRM_PIPELINE_MOCK_STUB)
#undef CRM_PIPELINE_MOCK_STUB
};

}  // namespace crm::client::mocks
