#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

std::vector<db::MigrationSet> AllServiceDeskMigrations() {
  return {SlaMigrations(), TicketMigrations(), KnowledgeMigrations(), SatisfactionMigrations()};
}

}  // namespace crm::servicedesk
