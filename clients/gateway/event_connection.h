// The connection layer of EventService; see account_connection.h for the layering.
#pragma once

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/gateway/cancellation.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/event_stub.h"
#include "crm/v1/event.pb.h"

namespace crm::client {

// Called for each event, in sequence order; return false to stop following.
using EventCallback = std::function<bool(const v1::Event& event)>;

class EventConnection {
 public:
  virtual ~EventConnection() = default;

  // Blocks, delivering events until `cancel` is cancelled, `on_event` returns false or the server
  // ends the stream (all three return OK), or the stream fails for good. A stream that breaks
  // with UNAVAILABLE, or that the server cancels, is resumed after the last sequence delivered
  // (ClientOptions::subscribe_retry bounds consecutive failures): nothing missed or repeated.
  virtual absl::Status Subscribe(const v1::SubscribeRequest& request, const EventCallback& on_event,
                                 CancellationToken cancel) = 0;
  virtual absl::StatusOr<v1::ListEventsResponse> ListEvents(
      const v1::ListEventsRequest& request) = 0;
};

absl::StatusOr<std::shared_ptr<EventConnection>> MakeEventConnection(const ClientOptions& options);
std::shared_ptr<EventConnection> MakeEventConnection(std::shared_ptr<EventStub> stub,
                                                     const ClientOptions& options);

}  // namespace crm::client
