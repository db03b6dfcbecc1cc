// SQL for scoring model versions. A version is written once and never changed.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/keyaccount.pb.h"

namespace soci {
class session;
}

namespace crm::kam {

class ModelStore {
 public:
  // `version` 0 = the newest. nullopt when there is no such version.
  static absl::StatusOr<std::optional<crm::v1::ScoringModel>> Find(soci::session& sql, int32_t version);
  // Newest first, versions below `before` (0 = from the newest), at most `limit`.
  static absl::StatusOr<std::vector<crm::v1::ScoringModel>> List(soci::session& sql, int32_t before, int limit);
  // ALREADY_EXISTS when the version exists (a concurrent update took it).
  static absl::Status Insert(db::Tx& tx, const crm::v1::ScoringModel& model);
  // Version 1 with the defaults, inside the migration.
  static void InsertFirst(soci::session& sql);
};

}  // namespace crm::kam
