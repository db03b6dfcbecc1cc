// EventsClient: the public face of EventService — follow the change stream live, or read it
// page by page. A cheap value to copy.
//
//   crm::client::CancellationToken stop;   // stop.Cancel() from any thread ends Subscribe
//   absl::Status status = events.Subscribe(request, [](const crm::v1::Event& e) {
//     Handle(e);
//     return true;                          // false stops as well
//   }, stop);
#pragma once

#include <memory>

#include "clients/gateway/event_connection.h"
#include "clients/gateway/stream_range.h"

namespace crm::client {

class EventsClient {
 public:
  explicit EventsClient(std::shared_ptr<EventConnection> connection)
      : connection_(std::move(connection)) {}

  // See EventConnection::Subscribe: blocks until cancelled, stopped or failed for good; resumes
  // by itself after a broken stream.
  absl::Status Subscribe(const v1::SubscribeRequest& request, const EventCallback& on_event,
                         CancellationToken cancel = CancellationToken()) {
    return connection_->Subscribe(request, on_event, std::move(cancel));
  }

  absl::StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) {
    return connection_->ListEvents(request);
  }
  // Every past event after request.after_sequence(), page after page, until a page comes back
  // empty (the end of the log as of that moment).
  StreamRange<v1::Event> ListAllEvents(v1::ListEventsRequest request);

 private:
  std::shared_ptr<EventConnection> connection_;
};

}  // namespace crm::client
