// KeyAccountService on its own (with the event stream), same flags as crm-server. It reads the
// accounts, orders, tickets and surveys other services keep in the same database.
#include "common/server/server_host.h"
#include "services/admin/admin_module.h"
#include "services/customfields/customfields_module.h"
#include "services/events/events_module.h"
#include "services/kam/kam_module.h"

int main(int argc, char** argv) {
  return crm::server::RunServerMain(argc, argv, "crm-kam-server", {crm::kam::KamModule(), crm::events::EventsModule(), crm::admin::AdminModule(),
                                     crm::customfields::CustomFieldsModule()});
}
