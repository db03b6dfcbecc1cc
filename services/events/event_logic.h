// Rules for reading the event log page by page.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/event.pb.h"

namespace crm::events {

// Checks a Subscribe request; INVALID_ARGUMENT naming the field.
absl::Status ValidateSubscribe(const crm::v1::SubscribeRequest& request);

class EventLogic {
 public:
  explicit EventLogic(const server::Runtime& runtime) : rt_(runtime) {}
  absl::StatusOr<crm::v1::ListEventsResponse> List(const server::CallContext& call,
                                                   const crm::v1::ListEventsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::events
