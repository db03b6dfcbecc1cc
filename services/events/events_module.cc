#include "services/events/events_module.h"

#include <memory>

#include "services/events/event_handler.h"

namespace crm::events {
namespace {

class EventsServiceModule final : public server::ServiceModule {
 public:
  explicit EventsServiceModule(const server::Runtime& runtime) : handler_(runtime) {}
  std::string service_name() const override { return crm::v1::EventService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }
  // Live streams would otherwise hold the drain open until its deadline.
  void StopBackground() override { handler_.EndSubscriptions(); }

 private:
  EventHandler handler_;
};

}  // namespace

server::ModuleSpec EventsModule() {
  return server::ModuleSpec{
      "events",
      nullptr,  // the outbox tables belong to common's migrations
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<EventsServiceModule>(runtime);
      },
  };
}

}  // namespace crm::events
