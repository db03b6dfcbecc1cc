#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the analytics area (its own migration module, so areas evolve independently).
db::MigrationSet AnalyticsMigrations() { return db::MigrationSet{"pipeline.analytics", {}}; }

}  // namespace crm::pipeline
