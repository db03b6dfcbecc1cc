#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the opportunity area (its own migration module, so areas evolve independently).
db::MigrationSet OpportunityMigrations() {
  return db::MigrationSet{
      "pipeline.opportunity",
      {
          {1,
           "opportunities and their stage history",
           {
               // Money is currency + micros (amount_currency NULL when there is no amount);
               // expected_close_day is a day number (days since 1970-01-01); times are
               // microseconds since the Unix epoch (UTC); `revision` backs the etag.
               "CREATE TABLE IF NOT EXISTS opportunities ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " name VARCHAR(200) NOT NULL,"
               " amount_currency VARCHAR(3) NULL,"
               " amount_micros BIGINT NOT NULL,"
               " pipeline_id VARCHAR(64) NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " probability BIGINT NOT NULL,"
               " expected_close_day BIGINT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " source_campaign_id VARCHAR(64) NOT NULL,"
               " source_channel BIGINT NOT NULL,"
               " lead_id VARCHAR(64) NOT NULL,"
               " status BIGINT NOT NULL,"
               " lost_reason VARCHAR(2000) NOT NULL,"
               " close_time BIGINT NULL,"
               " stage_enter_time BIGINT NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL,"
               " FOREIGN KEY (account_id) REFERENCES accounts (id),"
               " FOREIGN KEY (pipeline_id) REFERENCES pipelines (id),"
               " FOREIGN KEY (stage_id) REFERENCES pipeline_stages (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS opportunities_by_account ON opportunities (account_id, id)",
               "CREATE INDEX IF NOT EXISTS opportunities_by_stage ON opportunities (stage_id, id)",
               "CREATE INDEX IF NOT EXISTS opportunities_by_pipeline ON opportunities (pipeline_id, status, id)",
               "CREATE INDEX IF NOT EXISTS opportunities_by_owner ON opportunities (owner, id)",
               "CREATE INDEX IF NOT EXISTS opportunities_by_close_day ON opportunities (expected_close_day, id)",
               "CREATE INDEX IF NOT EXISTS opportunities_by_currency ON opportunities (amount_currency)",
               // Append-only: one row per stage change, stage names as they were at the time.
               // from_stage_id / from_stage_name are '' for the first entry (creation).
               "CREATE TABLE IF NOT EXISTS stage_changes ("
               " sequence {{AUTO_PK}},"
               " opportunity_id VARCHAR(64) NOT NULL,"
               " pipeline_id VARCHAR(64) NOT NULL,"
               " from_stage_id VARCHAR(64) NOT NULL,"
               " to_stage_id VARCHAR(64) NOT NULL,"
               " from_stage_name VARCHAR(200) NOT NULL,"
               " to_stage_name VARCHAR(200) NOT NULL,"
               " change_time BIGINT NOT NULL,"
               " changed_by VARCHAR(200) NOT NULL,"
               " FOREIGN KEY (opportunity_id) REFERENCES opportunities (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS stage_changes_by_opportunity ON stage_changes (opportunity_id, sequence)",
           },
           nullptr},
          {2,
           "opportunity custom field values",
           {
               // The opportunity's custom values whole (common/customfields EncodeValues), NULL
               // when it has none; filters use the value index, custom_field_values.
               "ALTER TABLE opportunities ADD COLUMN custom_fields {{LONG_TEXT}} NULL",
           }},
      }};
}

}  // namespace crm::pipeline
