#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the campaign area (its own migration module, so areas evolve independently).
db::MigrationSet CampaignMigrations() { return db::MigrationSet{"pipeline.campaign", {}}; }

}  // namespace crm::pipeline
