#include "services/kam/kam_schema.h"

#include <soci/soci.h>

#include "services/kam/model_store.h"

namespace crm::kam {
namespace {

// Version 1 of the scoring model: the defaults every installation starts from. Runs inside the
// migration; the count makes it harmless should it ever run again.
void SeedFirstModel(soci::session& sql, const db::Dialect&) {
  long long versions = 0;
  sql << "SELECT COUNT(*) FROM kam_scoring_models", soci::into(versions);
  if (versions > 0) return;
  ModelStore::InsertFirst(sql);
}

}  // namespace

const std::vector<IndexDefinition>& ClassificationIndexes() {
  // Lists in score order within a tier; a list across tiers merges one range per tier (a
  // handful) rather than keep another score index that every run would rebuild. Accounts at
  // risk by risk.
  static const auto* indexes = new std::vector<IndexDefinition>{
      {"kam_classifications_by_tier",
       "CREATE INDEX IF NOT EXISTS kam_classifications_by_tier ON kam_classifications"
       " (tier, composite_micro, account_id)"},
      {"kam_classifications_by_risk",
       "CREATE INDEX IF NOT EXISTS kam_classifications_by_risk ON kam_classifications (churn_risk_micro, account_id)"},
  };
  return *indexes;
}

db::MigrationSet ModelMigrations() {
  return db::MigrationSet{
      "kam.model",
      {
          {1,
           "scoring model versions, version 1",
           {
               // A version is never changed once written. `model` is the crm.v1.ScoringModel as
               // JSON (version, created_by and create_time are the columns): new fields of the
               // model read as their defaults from older versions. Times: microseconds since the
               // Unix epoch (UTC).
               "CREATE TABLE IF NOT EXISTS kam_scoring_models ("
               " version BIGINT NOT NULL PRIMARY KEY,"
               " model {{LONG_TEXT}} NOT NULL,"
               " created_by VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",
           },
           SeedFirstModel},
      }};
}

db::MigrationSet ClassificationMigrations() {
  db::MigrationSet set{
      "kam.classification",
      {
          {1,
           "reclassification runs, classifications, qualitative inputs, overrides, tier changes",
           {
               // One row per Reclassify (and scheduled) run. finish_time is NULL while it runs and
               // when it failed (status says which). `tier_changes` counts changes written (or,
               // for a dry run, the changes it would have written).
               "CREATE TABLE IF NOT EXISTS kam_runs ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " model_version BIGINT NOT NULL,"
               " as_of BIGINT NOT NULL,"
               " dry_run BIGINT NOT NULL,"
               " actor VARCHAR(200) NOT NULL,"
               " status BIGINT NOT NULL,"
               " start_time BIGINT NOT NULL,"
               " finish_time BIGINT NULL,"
               " accounts BIGINT NOT NULL,"
               " tier_changes BIGINT NOT NULL,"
               " overridden BIGINT NOT NULL,"
               " error VARCHAR(2000) NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS kam_runs_by_start ON kam_runs (start_time, id)",

               // The latest classification of each account (replaced by every run that is not a
               // dry run). Scores and normalised dimension values are integers in millionths
               // (composite_micro 82400000 = 82.4 points; dim_* 0..1000000), exact to the
               // engine's 1e-6 rounding, so ordering and page tokens need no floating point.
               // Enums are the crm.v1 numbers (abc: AbcClass, segment: RfmSegment, lifecycle:
               // LifecycleStage, tiers: AccountTier). `tier` is the account's tier after the run
               // (an override's while one was in force); `churn_risk_micro` is 0..100000000.
               // Money: the window revenue in the base currency `currency`, in micros.
               "CREATE TABLE IF NOT EXISTS kam_classifications ("
               " account_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " run_id VARCHAR(64) NOT NULL,"
               " model_version BIGINT NOT NULL,"
               " as_of BIGINT NOT NULL,"
               " abc BIGINT NOT NULL,"
               " recency_score BIGINT NOT NULL,"
               " frequency_score BIGINT NOT NULL,"
               " monetary_score BIGINT NOT NULL,"
               " segment BIGINT NOT NULL,"
               " lifecycle BIGINT NOT NULL,"
               " composite_micro BIGINT NOT NULL,"
               " computed_tier BIGINT NOT NULL,"
               " tier BIGINT NOT NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " revenue_micros BIGINT NOT NULL,"
               " churn_risk_micro BIGINT NOT NULL,"
               " dim_revenue_contribution BIGINT NOT NULL,"
               " dim_profit BIGINT NOT NULL,"
               " dim_purchase_frequency BIGINT NOT NULL,"
               " dim_recency BIGINT NOT NULL,"
               " dim_tenure BIGINT NOT NULL,"
               " dim_payment_behaviour BIGINT NOT NULL,"
               " dim_satisfaction BIGINT NOT NULL,"
               " dim_industry_influence BIGINT NOT NULL,"
               " dim_cooperation_potential BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",

               // Qualitative judgement, 1..5; 0 = not assessed (the dimension is then neutral).
               "CREATE TABLE IF NOT EXISTS kam_qualitative_inputs ("
               " account_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " industry_influence BIGINT NOT NULL,"
               " cooperation_potential BIGINT NOT NULL,"
               " assessed_by VARCHAR(200) NOT NULL,"
               " update_time BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",

               // At most one override per account; an expired one stays until the next run (or a
               // clear) records its end as a tier change and deletes it.
               "CREATE TABLE IF NOT EXISTS kam_tier_overrides ("
               " account_id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " tier BIGINT NOT NULL,"
               " reason VARCHAR(2000) NOT NULL,"
               " expire_time BIGINT NOT NULL,"
               " set_by VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS kam_tier_overrides_by_expiry ON kam_tier_overrides (expire_time, account_id)",

               // Append-only. source: TierChangeSource. run_id is empty for overrides.
               "CREATE TABLE IF NOT EXISTS kam_tier_changes ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " old_tier BIGINT NOT NULL,"
               " new_tier BIGINT NOT NULL,"
               " source BIGINT NOT NULL,"
               " reason VARCHAR(2000) NOT NULL,"
               " model_version BIGINT NOT NULL,"
               " run_id VARCHAR(64) NOT NULL,"
               " actor VARCHAR(200) NOT NULL,"
               " change_time BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS kam_tier_changes_by_account ON kam_tier_changes (account_id, change_time, id)",
               "CREATE INDEX IF NOT EXISTS kam_tier_changes_by_time ON kam_tier_changes (change_time, id)",
               "CREATE INDEX IF NOT EXISTS kam_tier_changes_by_new_tier ON kam_tier_changes (new_tier, change_time, id)",
           },
           /*seed=*/nullptr},
          {2,
           "classifications: lists across tiers merge the tier index instead of a score index",
           {},
           [](soci::session& sql, const db::Dialect& dialect) {
             sql << dialect.DropIndex("kam_classifications", "kam_classifications_by_score");
           }},
      }};
  std::vector<std::string>& first = set.migrations[0].statements;
  for (const IndexDefinition& index : ClassificationIndexes()) first.push_back(index.create);
  return set;
}

std::vector<db::MigrationSet> AllKamMigrations() {
  return {ModelMigrations(), ClassificationMigrations(), PlanMigrations()};
}

}  // namespace crm::kam
