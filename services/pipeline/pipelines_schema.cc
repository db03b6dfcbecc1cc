#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of pipelines, stages and settings (its own migration module, so areas evolve independently).
db::MigrationSet PipelinesMigrations() { return db::MigrationSet{"pipeline.pipelines", {}}; }

}  // namespace crm::pipeline
