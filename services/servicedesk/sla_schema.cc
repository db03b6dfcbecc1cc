#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

// Tables of the SLA area: business calendars and SLA policies. Times are microseconds since the
// Unix epoch (UTC); `revision` backs the etag.
//
// The repeated parts (a calendar's hours and holidays; a policy's tiers, categories, targets and
// escalation chain) live in one `rules` column as protobuf JSON with enums as numbers: they are
// always read and written whole with their row, never queried on their own, and policies are few
// (configuration), so matching a ticket to a policy reads the live ones in precedence order.
db::MigrationSet SlaMigrations() {
  return db::MigrationSet{
      "servicedesk.sla",
      {
          {1,
           "calendars_and_policies",
           {
               "CREATE TABLE IF NOT EXISTS business_calendars ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(800) NOT NULL,"
               " time_zone VARCHAR(200) NOT NULL,"
               " rules {{LONG_TEXT}} NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               // delete_time: a soft delete. Deleted policies leave Get / List / matching but
               // stay loadable for the tickets targeted under them.
               "CREATE TABLE IF NOT EXISTS sla_policies ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(800) NOT NULL,"
               " precedence BIGINT NOT NULL,"
               " calendar_id VARCHAR(64) NOT NULL,"
               " warning_percent BIGINT NOT NULL,"
               " rules {{LONG_TEXT}} NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " delete_time BIGINT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS sla_policies_by_precedence ON sla_policies (precedence, id)",
           },
           nullptr},
      }};
}

}  // namespace crm::servicedesk
