// gMock mock of AdminStub, for testing code that builds a connection over a stub
// (MakeAdminConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetUser(_, _)).WillOnce(Return(absl::UnavailableError("")))...
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/admin_stub.h"

namespace crm::client::mocks {

class MockAdminStub : public AdminStub {
 public:
#define CRM_ADMIN_MOCK_STUB(Method, Request, Response, Kind)                                    \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_ADMIN_RPCS(CRM_ADMIN_MOCK_STUB)
#undef CRM_ADMIN_MOCK_STUB
};

}  // namespace crm::client::mocks
