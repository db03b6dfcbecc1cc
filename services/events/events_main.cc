// EventService on its own, same flags as crm-server.
#include "common/server/server_host.h"
#include "services/admin/admin_module.h"
#include "services/customfields/customfields_module.h"
#include "services/events/events_module.h"

int main(int argc, char** argv) {
  return crm::server::RunServerMain(argc, argv, "crm-events-server", {crm::events::EventsModule(), crm::admin::AdminModule(),
                                     crm::customfields::CustomFieldsModule()});
}
