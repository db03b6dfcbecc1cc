#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the target area (its own migration module, so areas evolve independently).
db::MigrationSet TargetMigrations() { return db::MigrationSet{"pipeline.target", {}}; }

}  // namespace crm::pipeline
