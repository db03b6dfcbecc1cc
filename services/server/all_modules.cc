#include "services/server/all_modules.h"

#include "services/accounts/accounts_module.h"
#include "services/events/events_module.h"
#include "services/pipeline/pipeline_module.h"

namespace crm {

std::vector<server::ModuleSpec> AllModules() {
  return {accounts::AccountsModule(), pipeline::PipelineModule(), events::EventsModule()};
}

}  // namespace crm
