#include "services/kam/kam_module.h"

#include <memory>

#include "services/kam/kam_handler.h"
#include "services/kam/kam_jobs.h"
#include "services/kam/kam_schema.h"

namespace crm::kam {
namespace {

class KeyAccountServiceModule final : public server::ServiceModule {
 public:
  explicit KeyAccountServiceModule(const server::Runtime& runtime)
      : reclassify_(runtime), plans_(runtime), handler_(runtime, reclassify_, plans_), jobs_(runtime, reclassify_, plans_) {}
  std::string service_name() const override { return crm::v1::KeyAccountService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }
  void StartBackground() override { jobs_.Start(); }
  void StopBackground() override { jobs_.Stop(); }

 private:
  ReclassifyLogic reclassify_;
  PlanLogic plans_;
  KeyAccountHandler handler_;
  KamJobs jobs_;
};

}  // namespace

server::ModuleSpec KamModule() {
  return server::ModuleSpec{
      "kam",
      [] { return AllKamMigrations(); },
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<KeyAccountServiceModule>(runtime);
      },
  };
}

}  // namespace crm::kam
