#include "services/server/all_modules.h"

#include "services/accounts/accounts_module.h"
#include "services/admin/admin_module.h"
#include "services/customfields/customfields_module.h"
#include "services/duplicates/duplicates_module.h"
#include "services/events/events_module.h"
#include "services/kam/kam_module.h"
#include "services/pipeline/pipeline_module.h"
#include "services/servicedesk/servicedesk_module.h"

namespace crm {

std::vector<server::ModuleSpec> AllModules() {
  return {accounts::AccountsModule(), pipeline::PipelineModule(), servicedesk::ServiceDeskModule(),
          kam::KamModule(), events::EventsModule(), admin::AdminModule(),
          customfields::CustomFieldsModule(), duplicates::DuplicatesModule()};
}

}  // namespace crm
