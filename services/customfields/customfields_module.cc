#include "services/customfields/customfields_module.h"

#include <memory>

#include "services/customfields/customfield_handler.h"

namespace crm::customfields {
namespace {

class CustomFieldServiceModule final : public server::ServiceModule {
 public:
  explicit CustomFieldServiceModule(const server::Runtime& runtime) : handler_(runtime) {}
  std::string service_name() const override { return crm::v1::CustomFieldService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }

 private:
  CustomFieldHandler handler_;
};

}  // namespace

server::ModuleSpec CustomFieldsModule() {
  return server::ModuleSpec{
      "customfields",
      nullptr,  // the tables are the server host's (common/customfields), as every service reads them
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<CustomFieldServiceModule>(runtime);
      },
  };
}

}  // namespace crm::customfields
