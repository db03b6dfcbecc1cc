// SQL for pipelines, stages and the sales settings: every statement named once here, rows
// mapped once (soci::type_conversion in pipelines_store.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

class PipelinesStore {
 public:
  // The pipeline with its stages in order; nullopt when unknown.
  static absl::StatusOr<std::optional<crm::v1::Pipeline>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the pipeline row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Pipeline>> FindForUpdate(db::Tx& tx, const std::string& id);
  // The pipeline marked default; nullopt when none is.
  static absl::StatusOr<std::optional<crm::v1::Pipeline>> FindDefault(soci::session& sql);
  // The id of the pipeline owning stage `stage_id`; nullopt when there is no such stage.
  static absl::StatusOr<std::optional<std::string>> PipelineIdOfStage(soci::session& sql, const std::string& stage_id);

  // Inserts the pipeline (revision 1) and its stages in the listed order. A taken name →
  // ALREADY_EXISTS naming pipeline.name.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Pipeline& pipeline);
  // The same statements on a bare session, throwing soci errors (the migration's seed step).
  static void InsertRows(soci::session& sql, const crm::v1::Pipeline& pipeline);
  // Writes name, default flag and update time and bumps the revision, only if the stored
  // revision is still `expected_revision` (false otherwise); then writes every stage in the
  // listed order, inserting those not stored yet. Stages are never deleted.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Pipeline& pipeline, int64_t expected_revision);
  // Pipelines in id order after `after_id`, at most `limit`, with their stages.
  static absl::StatusOr<std::vector<crm::v1::Pipeline>> List(soci::session& sql, const std::string& after_id,
                                                             int limit);
};

class SalesSettingsStore {
 public:
  // The one settings row with its rates (currency order) and etag.
  static absl::StatusOr<crm::v1::SalesSettings> Load(soci::session& sql);
  // Load, locking the row for the rest of the write transaction.
  static absl::StatusOr<crm::v1::SalesSettings> LoadForUpdate(db::Tx& tx);
  // Writes base currency, threshold and every rate (replacing the stored ones) and bumps the
  // revision, only if it is still `expected_revision`. Rates must be valid decimal text.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::SalesSettings& settings, int64_t expected_revision);
};

}  // namespace crm::pipeline
