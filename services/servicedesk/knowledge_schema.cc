#include "services/servicedesk/servicedesk_schema.h"

#include <soci/soci.h>

#include "common/db/fulltext.h"
#include "services/servicedesk/knowledge_store.h"

namespace crm::servicedesk {

// Tables of the knowledge base. Times are microseconds since the Unix epoch (UTC); `revision`
// backs the etag.
db::MigrationSet KnowledgeMigrations() {
  return db::MigrationSet{
      "servicedesk.knowledge",
      {
          {1,
           "solutions",
           {
               // `tags` is stored as "|a|b|" so one LIKE finds a tag. usage_count is the number of
               // tickets the solution is linked to; a link does not move `revision`, so an editor's
               // etag stays valid while agents use the solution. A deleted solution keeps its row
               // (delete_time set) so that its links stay meaningful; it is hidden everywhere else.
               "CREATE TABLE IF NOT EXISTS solutions ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " title VARCHAR(800) NOT NULL,"
               " body {{LONG_TEXT}} NOT NULL,"
               " tags VARCHAR(4000) NOT NULL,"
               " category VARCHAR(200) NOT NULL,"
               " usage_count BIGINT NOT NULL,"
               " author VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " delete_time BIGINT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS solutions_by_category ON solutions (category, id)",
               "CREATE INDEX IF NOT EXISTS solutions_by_usage ON solutions (usage_count, id)",
               // One row per (ticket, solution): the primary key makes a second link of the same
               // pair fail, so the usage count moves once per ticket even under racing calls.
               "CREATE TABLE IF NOT EXISTS solution_links ("
               " ticket_id VARCHAR(64) NOT NULL,"
               " solution_id VARCHAR(64) NOT NULL,"
               " linked_by VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " PRIMARY KEY (ticket_id, solution_id)){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS solution_links_by_solution ON solution_links (solution_id, ticket_id)",
           },
           // The full-text index's statements differ per backend, and only the seed step learns
           // which backend it runs on.
           [](soci::session& sql, const db::Dialect& dialect) {
             for (const std::string& statement : db::FullTextSchema(SolutionSearchIndex(), dialect.backend())) {
               sql << statement;
             }
           }},
      }};
}

}  // namespace crm::servicedesk
