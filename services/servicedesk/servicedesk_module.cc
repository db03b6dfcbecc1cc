#include "services/servicedesk/servicedesk_module.h"

#include <memory>

#include "services/servicedesk/servicedesk_handler.h"
#include "services/servicedesk/servicedesk_schema.h"
#include "services/servicedesk/ticket_jobs.h"

namespace crm::servicedesk {
namespace {

class ServiceDeskServiceModule final : public server::ServiceModule {
 public:
  explicit ServiceDeskServiceModule(const server::Runtime& runtime) : handler_(runtime), jobs_(runtime) {}
  std::string service_name() const override { return crm::v1::ServiceDeskService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }
  void StartBackground() override { jobs_.Start(); }
  void StopBackground() override { jobs_.Stop(); }

 private:
  ServiceDeskHandler handler_;
  TicketJobs jobs_;
};

}  // namespace

server::ModuleSpec ServiceDeskModule() {
  return server::ModuleSpec{
      "servicedesk",
      [] { return AllServiceDeskMigrations(); },
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<ServiceDeskServiceModule>(runtime);
      },
  };
}

}  // namespace crm::servicedesk
