// Schema of the pipeline service: one migration module per area, applied in this order.
#pragma once

#include <vector>

#include "common/db/migrations.h"

namespace crm::pipeline {

db::MigrationSet PipelinesMigrations();
db::MigrationSet OpportunityMigrations();
db::MigrationSet LeadMigrations();
db::MigrationSet CampaignMigrations();
db::MigrationSet OrderMigrations();
db::MigrationSet TargetMigrations();
db::MigrationSet AnalyticsMigrations();

// Every pipeline migration set, in dependency order.
std::vector<db::MigrationSet> AllPipelineMigrations();

}  // namespace crm::pipeline
