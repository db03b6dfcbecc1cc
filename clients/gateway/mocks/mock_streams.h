// gMock mocks of the stub layer's stream interfaces, to return from mocked streaming stub
// methods (ExportAccounts, Subscribe, ImportAccounts).
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/streaming.h"

namespace crm::client::mocks {

template <typename Response>
class MockStreamingReadRpc : public StreamingReadRpc<Response> {
 public:
  MOCK_METHOD(bool, Read, (Response*), (override));
  MOCK_METHOD(absl::Status, Finish, (), (override));
  MOCK_METHOD(void, Cancel, (), (override));
};

template <typename Request, typename Response>
class MockStreamingWriteRpc : public StreamingWriteRpc<Request, Response> {
 public:
  MOCK_METHOD(bool, Write, (const Request&), (override));
  MOCK_METHOD(absl::StatusOr<Response>, Close, (), (override));
  MOCK_METHOD(void, Cancel, (), (override));
};

}  // namespace crm::client::mocks
