// gMock mock of EventConnection: construct EventsClient over it to test code that uses the
// client without a server.
#pragma once

#include <gmock/gmock.h>

#include "clients/gateway/event_connection.h"

namespace crm::client::mocks {

class MockEventConnection : public EventConnection {
 public:
  MOCK_METHOD(absl::Status, Subscribe,
              (const v1::SubscribeRequest&, const EventCallback&, CancellationToken), (override));
  MOCK_METHOD(absl::StatusOr<v1::ListEventsResponse>, ListEvents, (const v1::ListEventsRequest&),
              (override));
};

}  // namespace crm::client::mocks
