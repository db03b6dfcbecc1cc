// gMock mock of DuplicateStub, for testing code that builds a connection over a stub
// (MakeDuplicateConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetDuplicateSettings(_, _)).WillOnce(Return(absl::UnavailableError("")))...
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/duplicate_stub.h"

namespace crm::client::mocks {

class MockDuplicateStub : public DuplicateStub {
 public:
#define CRM_DUPLICATE_MOCK_STUB(Method, Request, Response, Kind)                                \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_MOCK_STUB)
#undef CRM_DUPLICATE_MOCK_STUB
};

}  // namespace crm::client::mocks
