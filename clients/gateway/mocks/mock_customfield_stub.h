// gMock mock of CustomFieldStub, for testing code that builds a connection over a stub
// (MakeCustomFieldConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetCustomField(_, _)).WillOnce(Return(absl::UnavailableError("")))...
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/customfield_stub.h"

namespace crm::client::mocks {

class MockCustomFieldStub : public CustomFieldStub {
 public:
#define CRM_CUSTOMFIELD_MOCK_STUB(Method, Request, Response, Kind)                              \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_MOCK_STUB)
#undef CRM_CUSTOMFIELD_MOCK_STUB
};

}  // namespace crm::client::mocks
