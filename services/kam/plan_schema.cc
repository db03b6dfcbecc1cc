#include "services/kam/kam_schema.h"

namespace crm::kam {

// Key account plans (owned by the plan area).
db::MigrationSet PlanMigrations() { return db::MigrationSet{"kam.plans", {}}; }

}  // namespace crm::kam
