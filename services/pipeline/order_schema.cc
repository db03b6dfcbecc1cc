#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the order area (its own migration module, so areas evolve independently).
db::MigrationSet OrderMigrations() { return db::MigrationSet{"pipeline.order", {}}; }

}  // namespace crm::pipeline
