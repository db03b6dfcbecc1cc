#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

db::MigrationSet KnowledgeMigrations() {
  return db::MigrationSet{"servicedesk.knowledge", {}};
}

}  // namespace crm::servicedesk
