#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the opportunity area (its own migration module, so areas evolve independently).
db::MigrationSet OpportunityMigrations() { return db::MigrationSet{"pipeline.opportunity", {}}; }

}  // namespace crm::pipeline
