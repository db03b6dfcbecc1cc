#include "services/accounts/accounts_module.h"

#include <memory>

#include "services/accounts/account_handler.h"
#include "services/accounts/accounts_schema.h"
#include "services/accounts/reminder_job.h"

namespace crm::accounts {
namespace {

class AccountsServiceModule final : public server::ServiceModule {
 public:
  explicit AccountsServiceModule(const server::Runtime& runtime) : handler_(runtime), reminders_(runtime) {}
  std::string service_name() const override { return crm::v1::AccountService::service_full_name(); }
  grpc::Service* service() override { return &handler_; }
  void StartBackground() override { reminders_.Start(); }
  void StopBackground() override { reminders_.Stop(); }

 private:
  AccountHandler handler_;
  ReminderJob reminders_;
};

}  // namespace

server::ModuleSpec AccountsModule() {
  return server::ModuleSpec{
      "accounts",
      [] { return std::vector<db::MigrationSet>{AccountsMigrations()}; },
      [](server::Runtime& runtime) -> std::unique_ptr<server::ServiceModule> {
        return std::make_unique<AccountsServiceModule>(runtime);
      },
  };
}

}  // namespace crm::accounts
