// The default EventConnection: retried reads, and a Subscribe that resumes where it broke off.
#pragma once

#include <memory>

#include "clients/gateway/event_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultEventConnection final : public EventConnection {
 public:
  DefaultEventConnection(std::shared_ptr<EventStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

  absl::Status Subscribe(const v1::SubscribeRequest& request, const EventCallback& on_event,
                         CancellationToken cancel) override;
  absl::StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) override;

 private:
  std::shared_ptr<EventStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
