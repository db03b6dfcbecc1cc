#include "services/admin/admin_module.h"

#include <memory>

#include "services/admin/admin_handler.h"

namespace crm::admin {
namespace {

class AdminServiceModule final : public server::ServiceModule {
 public:
  explicit AdminServiceModule(const server::Runtime& runtime) : handler_(runtime) {}
  std::string service_name() const override { return crm::v1::AdminService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }

 private:
  AdminHandler handler_;
};

}  // namespace

server::ModuleSpec AdminModule() {
  return server::ModuleSpec{
      "admin",
      nullptr,  // auth_users and auth_tokens are created by the server host (common/auth)
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<AdminServiceModule>(runtime);
      },
  };
}

}  // namespace crm::admin
