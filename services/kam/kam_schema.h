// Key-account management's tables, one migration module per area so areas evolve independently.
// The tier service policies live with the accounts (accounts_schema.cc, migration 3) because the
// service desk reads them wherever it runs.
#pragma once

#include <vector>

#include "common/db/migrations.h"

namespace crm::kam {

db::MigrationSet ModelMigrations();           // scoring model versions (kam_schema.cc)
db::MigrationSet ClassificationMigrations();  // runs, classifications, judgement, tier changes (kam_schema.cc)
db::MigrationSet PlanMigrations();            // key account plans and their actions (plan_schema.cc)

// The secondary indexes of kam_classifications: created by its migration, and rebuilt by a
// reclassification on SQLite, which drops them while it replaces every row (building an index
// once from sorted rows costs a fraction of keeping it up to date row by row).
struct IndexDefinition {
  const char* name;
  const char* create;
};
const std::vector<IndexDefinition>& ClassificationIndexes();

// In the order they are applied.
std::vector<db::MigrationSet> AllKamMigrations();

}  // namespace crm::kam
