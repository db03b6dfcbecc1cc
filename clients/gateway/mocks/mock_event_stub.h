// gMock mock of EventStub (streams to return from Subscribe: mock_streams.h).
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/event_stub.h"

namespace crm::client::mocks {

class MockEventStub : public EventStub {
 public:
  MOCK_METHOD(std::unique_ptr<SubscribeStream>, Subscribe,
              (std::unique_ptr<grpc::ClientContext>, const v1::SubscribeRequest&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListEventsResponse>, ListEvents,
              (grpc::ClientContext&, const v1::ListEventsRequest&), (override));
};

}  // namespace crm::client::mocks
