// The gRPC edge of EventService.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/event.grpc.pb.h"
#include "services/events/event_logic.h"
#include "services/events/subscription.h"

namespace crm::events {

class EventHandler final : public crm::v1::EventService::CallbackService {
 public:
  explicit EventHandler(const server::Runtime& runtime) : rt_(runtime), logic_(runtime) {}

  grpc::ServerWriteReactor<crm::v1::Event>* Subscribe(grpc::CallbackServerContext* context,
                                                      const crm::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* ListEvents(grpc::CallbackServerContext* context, const crm::v1::ListEventsRequest* request,
                                       crm::v1::ListEventsResponse* response) override;

  // Ends every live subscription (shutdown).
  void EndSubscriptions();

 private:
  const server::Runtime& rt_;
  EventLogic logic_;
  SubscriptionRegistry subscriptions_;
};

}  // namespace crm::events
