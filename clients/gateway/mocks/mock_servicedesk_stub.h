// gMock mock of ServiceDeskStub, for testing code that builds a connection over a stub
// (MakeServiceDeskConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetTicket(_, _)).WillOnce(Return(absl::UnavailableError("")))...
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/servicedesk_stub.h"

namespace crm::client::mocks {

class MockServiceDeskStub : public ServiceDeskStub {
 public:
#define CRM_SERVICEDESK_MOCK_STUB(Method, Request, Response, Kind)                              \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_MOCK_STUB)
#undef CRM_SERVICEDESK_MOCK_STUB
};

}  // namespace crm::client::mocks
