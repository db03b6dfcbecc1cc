// SQL of merge records: one row per merge (the crm.v1.Merge as JSON, kept for audit) and one
// tombstone per merged record saying where it went. Written in the merge's own transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/duplicate_service.pb.h"

namespace soci {
class session;
}

namespace crm::duplicates {

struct MergeListQuery {
  crm::v1::DuplicateEntity entity = crm::v1::DUPLICATE_ENTITY_UNSPECIFIED;  // unspecified: any
  std::string survivor_id;                                                 // "": any
  std::string merged_id;                                                   // "": any
  std::string after_id;                                                    // keyset cursor
  int limit = 50;
};

class MergeStore {
 public:
  // The merge and a tombstone for each of its merged records.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Merge& merge);
  // nullopt when no merge has this id.
  static absl::StatusOr<std::optional<crm::v1::Merge>> Find(soci::session& sql, const std::string& id);
  // Where record `id` of kind `entity` went; nullopt when it was never merged.
  static absl::StatusOr<std::optional<crm::v1::MergedInto>> FindTombstone(soci::session& sql,
                                                                         crm::v1::DuplicateEntity entity,
                                                                         const std::string& id);
  // Matching merges in id order after query.after_id.
  static absl::StatusOr<std::vector<crm::v1::Merge>> List(soci::session& sql, const MergeListQuery& query);
};

}  // namespace crm::duplicates
