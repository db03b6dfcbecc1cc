#include <stdexcept>

#include <soci/soci.h>

#include "services/pipeline/funnel_aggregates.h"
#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the analytics area (its own migration module, so areas evolve independently): the
// funnel aggregates, maintained in the same transaction as every stage change (see
// funnel_aggregates.h), so that GetFunnel reads a few thousand pre-summed rows instead of the
// whole stage history.
db::MigrationSet AnalyticsMigrations() {
  return db::MigrationSet{
      "pipeline.analytics",
      {
          {1,
           "funnel aggregates",
           {
               // Per opportunity: what the aggregates count it under. The account's region and
               // industry are kept as counted so a later change of the account can be moved.
               "CREATE TABLE IF NOT EXISTS funnel_opportunities ("
               " opportunity_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " region VARCHAR(200) NOT NULL,"
               " industry VARCHAR(200) NOT NULL){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS funnel_opportunities_by_account ON funnel_opportunities (account_id)",
               // Per opportunity and stage it ever entered: whether it went on to a later stage,
               // and its completed visits (count, total length in microseconds).
               "CREATE TABLE IF NOT EXISTS funnel_stage_facts ("
               " opportunity_id VARCHAR(64) NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " converted BIGINT NOT NULL,"
               " visits BIGINT NOT NULL,"
               " visit_micros BIGINT NOT NULL,"
               " PRIMARY KEY (opportunity_id, stage_id)){{KEYED_TABLE_OPTIONS}}",
               // Sums per pipeline, creation day and stage, once for all opportunities
               // (dimension '') and once per value of each filter dimension ('owner', 'region',
               // 'industry', 'channel', 'campaign'), so a funnel with at most one of them reads
               // one key range. closed / cycle_micros: opportunities now closed in the stage and
               // Σ (close_time - create_time).
               "CREATE TABLE IF NOT EXISTS funnel_cube ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(16) NOT NULL,"
               " dimension_value VARCHAR(200) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " entered BIGINT NOT NULL,"
               " converted BIGINT NOT NULL,"
               " visits BIGINT NOT NULL,"
               " visit_micros BIGINT NOT NULL,"
               " closed BIGINT NOT NULL,"
               " cycle_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, created_day, stage_id)){{KEYED_TABLE_OPTIONS}}",
               // Opportunities now in each stage and their amount, per currency ('' = no amount),
               // keyed like funnel_cube.
               "CREATE TABLE IF NOT EXISTS funnel_holdings ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(16) NOT NULL,"
               " dimension_value VARCHAR(200) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " holding_count BIGINT NOT NULL,"
               " amount_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, created_day, stage_id, currency))"
               "{{KEYED_TABLE_OPTIONS}}",
           },
           // Filled by version 2's rebuild.
           nullptr},
          {2,
           "funnel aggregates by day and by month",
           {
               // Rows now sum a day (grain 'D') or a calendar month (grain 'M', created_day = its
               // first day), so whole months of a period are read from month rows. Derived data:
               // dropped and rebuilt from the history.
               "DROP TABLE IF EXISTS funnel_cube",
               "DROP TABLE IF EXISTS funnel_holdings",
               "CREATE TABLE funnel_cube ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(16) NOT NULL,"
               " dimension_value VARCHAR(200) NOT NULL,"
               " grain VARCHAR(1) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " entered BIGINT NOT NULL,"
               " converted BIGINT NOT NULL,"
               " visits BIGINT NOT NULL,"
               " visit_micros BIGINT NOT NULL,"
               " closed BIGINT NOT NULL,"
               " cycle_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, grain, created_day, stage_id))"
               "{{KEYED_TABLE_OPTIONS}}",
               "CREATE TABLE funnel_holdings ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(16) NOT NULL,"
               " dimension_value VARCHAR(200) NOT NULL,"
               " grain VARCHAR(1) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " holding_count BIGINT NOT NULL,"
               " amount_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, grain, created_day, stage_id, currency))"
               "{{KEYED_TABLE_OPTIONS}}",
           },
           // Filled by version 3's rebuild (the rebuild writes version 3's columns).
           nullptr},
          {3,
           "funnel aggregates for pairs of filters",
           {
               // Each opportunity's row now holds everything it is counted under, so the facts
               // can be filtered like the cube: by creation day for the days of a period outside
               // whole months, by owner, campaign or region for three filters and more. The
               // creation-day index carries the filter columns so scanning the edge days of a
               // period reads no table rows.
               "DROP TABLE IF EXISTS funnel_opportunities",
               "CREATE TABLE funnel_opportunities ("
               " opportunity_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " pipeline_id VARCHAR(64) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " region VARCHAR(200) NOT NULL,"
               " industry VARCHAR(200) NOT NULL,"
               " source_channel BIGINT NOT NULL,"
               " source_campaign_id VARCHAR(64) NOT NULL){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX funnel_opportunities_by_account ON funnel_opportunities (account_id)",
               "CREATE INDEX funnel_opportunities_by_day ON funnel_opportunities"
               " (pipeline_id, created_day, owner, region, industry, source_channel, source_campaign_id)",
               "CREATE INDEX funnel_opportunities_by_owner ON funnel_opportunities (pipeline_id, owner, created_day)",
               "CREATE INDEX funnel_opportunities_by_campaign ON funnel_opportunities"
               " (pipeline_id, source_campaign_id, created_day)",
               "CREATE INDEX funnel_opportunities_by_region ON funnel_opportunities"
               " (pipeline_id, region, industry, created_day)",
               // Slices now include every pair of filter dimensions ("owner+region", value
               // "<length of the first>:<first>|<second>"), month rows only: wider columns.
               "DROP TABLE IF EXISTS funnel_cube",
               "DROP TABLE IF EXISTS funnel_holdings",
               "CREATE TABLE funnel_cube ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(32) NOT NULL,"
               " dimension_value VARCHAR(420) NOT NULL,"
               " grain VARCHAR(1) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " entered BIGINT NOT NULL,"
               " converted BIGINT NOT NULL,"
               " visits BIGINT NOT NULL,"
               " visit_micros BIGINT NOT NULL,"
               " closed BIGINT NOT NULL,"
               " cycle_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, grain, created_day, stage_id))"
               "{{KEYED_TABLE_OPTIONS}}",
               "CREATE TABLE funnel_holdings ("
               " pipeline_id VARCHAR(64) NOT NULL,"
               " dimension VARCHAR(32) NOT NULL,"
               " dimension_value VARCHAR(420) NOT NULL,"
               " grain VARCHAR(1) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " stage_id VARCHAR(64) NOT NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " holding_count BIGINT NOT NULL,"
               " amount_micros BIGINT NOT NULL,"
               " PRIMARY KEY (pipeline_id, dimension, dimension_value, grain, created_day, stage_id, currency))"
               "{{KEYED_TABLE_OPTIONS}}",
           },
           // Filled by version 4's rebuild.
           nullptr},
          {4,
           "funnel aggregates for region + industry + channel",
           {
               // The cube gains the slice region + industry + channel (rebuilt below). Three or
               // more filters otherwise include an owner (or team) or a campaign: their indexes
               // now carry every filter column, so the facts are filtered without reading table
               // rows; the region index had no use left.
               "DROP TABLE IF EXISTS funnel_opportunities",
               "CREATE TABLE funnel_opportunities ("
               " opportunity_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " pipeline_id VARCHAR(64) NOT NULL,"
               " created_day BIGINT NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " region VARCHAR(200) NOT NULL,"
               " industry VARCHAR(200) NOT NULL,"
               " source_channel BIGINT NOT NULL,"
               " source_campaign_id VARCHAR(64) NOT NULL){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX funnel_opportunities_by_account ON funnel_opportunities (account_id)",
               "CREATE INDEX funnel_opportunities_by_day ON funnel_opportunities"
               " (pipeline_id, created_day, owner, region, industry, source_channel, source_campaign_id)",
               "CREATE INDEX funnel_opportunities_by_owner ON funnel_opportunities"
               " (pipeline_id, owner, created_day, region, industry, source_channel, source_campaign_id)",
               "CREATE INDEX funnel_opportunities_by_campaign ON funnel_opportunities"
               " (pipeline_id, source_campaign_id, created_day, owner, region, industry, source_channel)",
           },
           // Filled by version 5's rebuild.
           nullptr},
          {5,
           "funnel aggregates for an owner with two dimensions",
           // The cube gains owner + region + industry, owner + region + channel and owner +
           // industry + channel (a team with two more filters summed a team's facts before).
           {},
           // A database that already holds opportunities gets its aggregates from their history.
           [](soci::session& sql, const db::Dialect&) {
             if (absl::Status s = RebuildFunnelAggregates(sql); !s.ok()) throw std::runtime_error(s.ToString());
           }},
          {6,
           "owner index led by the filter columns",
           {},
           // The owner index is read only for an owner (or team) with three or more of region,
           // industry and channel: led by them, it seeks each member's matching opportunities
           // instead of scanning all of them (the creation day follows for a period).
           [](soci::session& sql, const db::Dialect& dialect) {
             sql << dialect.DropIndex("funnel_opportunities", "funnel_opportunities_by_owner");
             sql << "CREATE INDEX funnel_opportunities_by_owner ON funnel_opportunities"
                    " (pipeline_id, owner, region, industry, source_channel, created_day, source_campaign_id)";
           }},
      }};
}

}  // namespace crm::pipeline
