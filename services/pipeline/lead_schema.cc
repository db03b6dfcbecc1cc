#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the lead area (its own migration module, so areas evolve independently).
db::MigrationSet LeadMigrations() { return db::MigrationSet{"pipeline.lead", {}}; }

}  // namespace crm::pipeline
