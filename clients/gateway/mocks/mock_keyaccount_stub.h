// gMock mock of KeyAccountStub, for testing code that builds a connection over a stub
// (MakeKeyAccountConnection(stub, options)), e.g. to exercise the retry rules:
//   EXPECT_CALL(*stub, GetScoringModel(_, _)).WillOnce(Return(absl::UnavailableError("")))...
// Reclassify returns a stream: mocks/mock_streams.h.
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/keyaccount_stub.h"

namespace crm::client::mocks {

class MockKeyAccountStub : public KeyAccountStub {
 public:
#define CRM_KEYACCOUNT_MOCK_STUB(Method, Request, Response, Kind)                               \
  MOCK_METHOD(absl::StatusOr<v1::Response>, Method, (grpc::ClientContext&, const v1::Request&), \
              (override));
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_MOCK_STUB)
#undef CRM_KEYACCOUNT_MOCK_STUB
  MOCK_METHOD(std::unique_ptr<ReclassifyStream>, Reclassify,
              (std::unique_ptr<grpc::ClientContext>, const v1::ReclassifyRequest&), (override));
};

}  // namespace crm::client::mocks
