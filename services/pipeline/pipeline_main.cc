// PipelineService on its own (with the event stream), same flags as crm-server.
#include "common/server/server_host.h"
#include "services/admin/admin_module.h"
#include "services/customfields/customfields_module.h"
#include "services/duplicates/duplicates_module.h"
#include "services/events/events_module.h"
#include "services/pipeline/pipeline_module.h"

int main(int argc, char** argv) {
  return crm::server::RunServerMain(argc, argv, "crm-pipeline-server",
                                    {crm::pipeline::PipelineModule(), crm::events::EventsModule(), crm::admin::AdminModule(),
                                     crm::customfields::CustomFieldsModule(), crm::duplicates::DuplicatesModule()});
}
