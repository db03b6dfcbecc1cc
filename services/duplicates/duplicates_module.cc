#include "services/duplicates/duplicates_module.h"

#include <memory>

#include "services/duplicates/duplicate_handler.h"

namespace crm::duplicates {
namespace {

class DuplicateServiceModule final : public server::ServiceModule {
 public:
  explicit DuplicateServiceModule(const server::Runtime& runtime) : handler_(runtime) {}
  std::string service_name() const override { return crm::v1::DuplicateService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }

 private:
  DuplicateHandler handler_;
};

}  // namespace

server::ModuleSpec DuplicatesModule() {
  return server::ModuleSpec{
      "duplicates",
      nullptr,  // the tables are the server host's (common/duplicates): every create writes keys
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<DuplicateServiceModule>(runtime);
      },
  };
}

}  // namespace crm::duplicates
