#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

db::MigrationSet SatisfactionMigrations() {
  return db::MigrationSet{"servicedesk.satisfaction", {}};
}

}  // namespace crm::servicedesk
