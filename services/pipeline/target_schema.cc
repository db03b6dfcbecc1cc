#include "services/pipeline/target_logic.h"
#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the target area (its own migration module, so areas evolve independently).
db::MigrationSet TargetMigrations() {
  return db::MigrationSet{
      "pipeline.target",
      {
          {1,
           "sales teams and targets",
           {
               // Teams are keyed by the id their caller chose. Times are microseconds since the
               // Unix epoch (UTC); `revision` counts changes (teams carry no etag on the wire).
               "CREATE TABLE IF NOT EXISTS sales_teams ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(200) NOT NULL,"
               " manager VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               // One row per member, in the order the caller listed them, so analytics can ask
               // "which owners belong to team T" with an index instead of parsing a list.
               "CREATE TABLE IF NOT EXISTS sales_team_members ("
               " team_id VARCHAR(64) NOT NULL,"
               " ordinal BIGINT NOT NULL,"
               " member_name VARCHAR(200) NOT NULL,"
               " PRIMARY KEY (team_id, ordinal),"
               " FOREIGN KEY (team_id) REFERENCES sales_teams (id)){{TABLE_OPTIONS}}",
               "CREATE UNIQUE INDEX IF NOT EXISTS sales_team_members_unique"
               " ON sales_team_members (team_id, member_name)",
               "CREATE INDEX IF NOT EXISTS sales_team_members_by_member ON sales_team_members (member_name, team_id)",

               // A target belongs to exactly one of an owner or a team: the other column is ''.
               // Periods are inclusive day numbers (days since 1970-01-01). The unique key makes
               // "a target for the same owner / team and period" one row, which SetTarget replaces.
               // The quota is stored in micros of its currency.
               "CREATE TABLE IF NOT EXISTS sales_targets ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " owner VARCHAR(200) NOT NULL,"
               " team_id VARCHAR(64) NOT NULL,"
               " period_start BIGINT NOT NULL,"
               " period_end BIGINT NOT NULL,"
               " quota_currency VARCHAR(3) NOT NULL,"
               " quota_micros BIGINT NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE UNIQUE INDEX IF NOT EXISTS sales_targets_by_subject ON sales_targets"
               " (owner, team_id, period_start, period_end)",
               "CREATE INDEX IF NOT EXISTS sales_targets_by_team ON sales_targets (team_id, period_start)",
               "CREATE INDEX IF NOT EXISTS sales_targets_by_period ON sales_targets (period_start, period_end)",
           },
           /*seed=*/nullptr},
      }};
}

}  // namespace crm::pipeline
