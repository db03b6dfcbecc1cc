// ServiceDeskService on its own (with the event stream), same flags as crm-server.
#include "common/server/server_host.h"
#include "services/admin/admin_module.h"
#include "services/customfields/customfields_module.h"
#include "services/events/events_module.h"
#include "services/servicedesk/servicedesk_module.h"

int main(int argc, char** argv) {
  return crm::server::RunServerMain(argc, argv, "crm-servicedesk-server",
                                    {crm::servicedesk::ServiceDeskModule(), crm::events::EventsModule(), crm::admin::AdminModule(),
                                     crm::customfields::CustomFieldsModule()});
}
