#include "clients/gateway/events_client.h"

namespace crm::client {

StreamRange<v1::Event> EventsClient::ListAllEvents(v1::ListEventsRequest request) {
  std::shared_ptr<EventConnection> connection = connection_;
  return MakePaginationRange<v1::Event, v1::ListEventsRequest, v1::ListEventsResponse>(
      std::move(request),
      [connection](const v1::ListEventsRequest& r) { return connection->ListEvents(r); },
      [](v1::ListEventsResponse& page) { return TakeAll(*page.mutable_events()); },
      [](v1::ListEventsRequest& next, const v1::ListEventsResponse& page) {
        // Events page by sequence, not by token. A page that does not move forward is treated
        // as the end, so a misbehaving server cannot make this loop forever.
        if (page.events().empty() || page.last_sequence() <= next.after_sequence()) return false;
        next.set_after_sequence(page.last_sequence());
        return true;
      });
}

}  // namespace crm::client
