#include <soci/soci.h>

#include "absl/time/clock.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "crm/v1/pipeline.pb.h"
#include "services/pipeline/pipeline_schema.h"
#include "services/pipeline/pipelines_store.h"

namespace crm::pipeline {
namespace {

constexpr char kCountDefaultPipelines[] = "SELECT COUNT(*) FROM pipelines WHERE default_flag = 1";

// The default B2B pipeline every installation starts with. Runs inside the migration (once per
// database, under the migration lock); the count makes it harmless should it ever run again
// (MySQL commits DDL and this step separately).
void SeedDefaultPipeline(soci::session& sql, const db::Dialect&) {
  long long defaults = 0;
  sql << kCountDefaultPipelines, soci::into(defaults);
  if (defaults > 0) return;
  struct Seed {
    const char* name;
    int probability;
    crm::v1::StageKind kind;
  };
  static constexpr Seed kStages[] = {
      {"Prospecting", 10, crm::v1::STAGE_KIND_OPEN},
      {"Qualification", 20, crm::v1::STAGE_KIND_OPEN},
      {"Needs analysis", 40, crm::v1::STAGE_KIND_OPEN},
      {"Proposal", 60, crm::v1::STAGE_KIND_OPEN},
      {"Negotiation", 80, crm::v1::STAGE_KIND_OPEN},
      {"Won", 100, crm::v1::STAGE_KIND_WON},
      {"Lost", 0, crm::v1::STAGE_KIND_LOST},
  };
  const absl::Time now = absl::Now();
  crm::v1::Pipeline pipeline;
  pipeline.set_id(NewIdAt("pip", now));
  pipeline.set_name("B2B sales");
  pipeline.set_is_default(true);
  *pipeline.mutable_create_time() = TimeToTimestamp(now);
  *pipeline.mutable_update_time() = TimeToTimestamp(now);
  for (const Seed& seed : kStages) {
    crm::v1::Stage* stage = pipeline.add_stages();
    stage->set_id(NewIdAt("stg", now));
    stage->set_name(seed.name);
    stage->set_probability(seed.probability);
    stage->set_kind(seed.kind);
  }
  PipelinesStore::InsertRows(sql, pipeline);
}

}  // namespace

// Tables of pipelines, stages and settings (its own migration module, so areas evolve independently).
db::MigrationSet PipelinesMigrations() {
  return db::MigrationSet{
      "pipeline.pipelines",
      {
          {1,
           "pipelines, stages, sales settings, default pipeline",
           {
               // default_flag is 1 on the default pipeline and NULL elsewhere: the unique key
               // admits many NULLs but only one 1, so there is never a second default.
               // `revision` backs the etag; times are microseconds since the Unix epoch (UTC).
               "CREATE TABLE IF NOT EXISTS pipelines ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(200) NOT NULL UNIQUE,"
               " default_flag BIGINT NULL UNIQUE,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               // Stages are never deleted (retired instead), so history can always name them.
               "CREATE TABLE IF NOT EXISTS pipeline_stages ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " pipeline_id VARCHAR(64) NOT NULL,"
               " sort_order BIGINT NOT NULL,"
               " name VARCHAR(200) NOT NULL,"
               " probability BIGINT NOT NULL,"
               " kind BIGINT NOT NULL,"
               " expected_days BIGINT NOT NULL,"
               " retired BIGINT NOT NULL,"
               " FOREIGN KEY (pipeline_id) REFERENCES pipelines (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS pipeline_stages_by_pipeline ON pipeline_stages (pipeline_id, sort_order)",
               // One row (id 1). Rates are decimal text, relative to the base currency.
               "CREATE TABLE IF NOT EXISTS sales_settings ("
               " id BIGINT NOT NULL PRIMARY KEY,"
               " base_currency VARCHAR(3) NOT NULL,"
               " threshold_currency VARCHAR(3) NULL,"
               " threshold_micros BIGINT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "{{INSERT_IGNORE}} INTO sales_settings (id, base_currency, threshold_currency, threshold_micros,"
               " revision) VALUES (1, 'EUR', NULL, NULL, 1)",
               "CREATE TABLE IF NOT EXISTS sales_rates ("
               " currency_code VARCHAR(3) NOT NULL PRIMARY KEY,"
               " rate VARCHAR(40) NOT NULL){{TABLE_OPTIONS}}",
           },
           SeedDefaultPipeline},
      }};
}

}  // namespace crm::pipeline
