#include "services/server/all_modules.h"

#include "services/accounts/accounts_module.h"
#include "services/events/events_module.h"

namespace crm {

std::vector<server::ModuleSpec> AllModules() {
  return {accounts::AccountsModule(), events::EventsModule()};
}

}  // namespace crm
