// The service desk's tables, one migration module per area so areas evolve independently.
#pragma once

#include <vector>

#include "common/db/migrations.h"

namespace crm::servicedesk {

db::MigrationSet SlaMigrations();           // calendars, SLA policies (sla_schema.cc)
db::MigrationSet TicketMigrations();        // tickets, comments, history, escalation (ticket_schema.cc)
db::MigrationSet KnowledgeMigrations();     // solutions, links, full-text index (knowledge_schema.cc)
db::MigrationSet SatisfactionMigrations();  // surveys (survey_schema.cc)

// In the order they are applied.
std::vector<db::MigrationSet> AllServiceDeskMigrations();

}  // namespace crm::servicedesk
