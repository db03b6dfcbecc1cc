#include "services/servicedesk/servicedesk_schema.h"

namespace crm::servicedesk {

// Satisfaction surveys, read by the metrics area for CSAT mean and response rate.
db::MigrationSet SatisfactionMigrations() {
  return db::MigrationSet{"servicedesk.satisfaction",
                          {
                              {1,
                               "satisfaction_surveys",
                               {
                                   // One row per surveyed ticket; the primary key is what keeps it at one, even when
                                   // two submissions race. ticket_id: tickets.id (the ticket was RESOLVED or CLOSED
                                   // when the survey was submitted). score: 1 (very unhappy) .. 5 (very happy).
                                   // comment: free text, "" when none. create_time: when the survey was submitted,
                                   // microseconds since the Unix epoch (UTC).
                                   "CREATE TABLE IF NOT EXISTS satisfaction_surveys ("
                                   " ticket_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                                   " score BIGINT NOT NULL,"
                                   " comment {{LONG_TEXT}} NOT NULL,"
                                   " create_time BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",
                               },
                               nullptr},
                          }};
}

}  // namespace crm::servicedesk
