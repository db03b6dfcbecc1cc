#include "services/kam/kam_schema.h"

namespace crm::kam {

// Key account plans (owned by the plan area).
db::MigrationSet PlanMigrations() {
  return db::MigrationSet{
      "kam.plans",
      {
          {1,
           "key account plans",
           {
               // Times are microseconds since the Unix epoch (UTC); dates are day numbers (days
               // since 1970-01-01, common/core/date_util.h); `revision` backs the etag.
               // `content` holds the objectives and actions as protobuf JSON: they are always read
               // and written whole with their plan and never queried on their own.
               // Review reminders: `review_pending_day` is the review date whose reminder is still
               // owed (NULL when none is), set whenever next_review_day is set or moved and
               // cleared, together with recording `reminded_review_day`, by the one conditional
               // UPDATE that claims the reminder. Neither touches the revision: reminders are
               // not a change of the plan.
               // No foreign key to accounts: the account is checked in the writing transaction
               // (KAM tables migrate independently of the accounts module).
               "CREATE TABLE IF NOT EXISTS kam_account_plans ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " content {{LONG_TEXT}} NOT NULL,"
               " next_review_day BIGINT NULL,"
               " review_pending_day BIGINT NULL,"
               " reminded_review_day BIGINT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS kam_account_plans_by_account ON kam_account_plans (account_id, id)",
               "CREATE INDEX IF NOT EXISTS kam_account_plans_by_owner ON kam_account_plans (owner, id)",
               // ListAccountPlans by review_due_by.
               "CREATE INDEX IF NOT EXISTS kam_account_plans_by_review ON kam_account_plans (next_review_day, id)",
               // The reminder job reads only plans whose reminder is owed and due; reminded
               // plans leave this range (NULL) however long their review stays overdue.
               "CREATE INDEX IF NOT EXISTS kam_account_plans_review_pending ON kam_account_plans"
               " (review_pending_day, id)",
           },
           /*seed=*/nullptr},
      }};
}

}  // namespace crm::kam
