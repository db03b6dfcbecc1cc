#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the campaign area (its own migration module, so areas evolve independently).
db::MigrationSet CampaignMigrations() {
  return db::MigrationSet{
      "pipeline.campaign",
      {
          {1,
           "campaigns",
           {
               // Money is a currency + micros (common/core/money.h; currency NULL when no cost was
               // given). Dates are day numbers (common/core/date_util.h; NULL when unset). Times
               // are microseconds since the Unix epoch (UTC); `revision` backs the etag.
               "CREATE TABLE IF NOT EXISTS campaigns ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(800) NOT NULL,"
               " channel BIGINT NOT NULL,"
               " cost_currency VARCHAR(3) NULL,"
               " cost_micros BIGINT NOT NULL,"
               " start_day BIGINT NULL,"
               " end_day BIGINT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS campaigns_by_channel ON campaigns (channel, id)",
               // Campaign performance counts and sums a campaign's opportunities from this index
               // alone (CampaignStore::OpportunityTotals). The table is the opportunity area's
               // (migrated before this module); the index lives here, next to the only query
               // that needs it.
               "CREATE INDEX IF NOT EXISTS opportunities_by_campaign ON opportunities"
               " (source_campaign_id, status, amount_currency, amount_micros)",
           }},
      }};
}

}  // namespace crm::pipeline
