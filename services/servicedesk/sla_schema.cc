#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

db::MigrationSet SlaMigrations() {
  return db::MigrationSet{"servicedesk.sla", {}};
}

}  // namespace crm::servicedesk
