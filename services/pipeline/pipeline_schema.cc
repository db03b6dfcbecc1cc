#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

std::vector<db::MigrationSet> AllPipelineMigrations() { return {PipelinesMigrations(), OpportunityMigrations(), LeadMigrations(), CampaignMigrations(), OrderMigrations(), TargetMigrations(), AnalyticsMigrations()}; }

}  // namespace crm::pipeline
