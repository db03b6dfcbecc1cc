// SQL for sales teams and targets: every statement named once here, rows mapped once
// (soci::type_conversion in target_store.cc). Periods are day numbers (common/core/date_util.h),
// quotas micros of their currency (common/core/money.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Targets whose subject and period match; unset fields do not filter.
struct TargetQuery {
  // At most one of the two.
  std::string owner;
  std::string team_id;
  // Inclusive day numbers: targets whose period overlaps [from_day, to_day].
  std::optional<int64_t> from_day;
  std::optional<int64_t> to_day;
};

class TargetStore {
 public:
  // The team with its members in their stored order; nullopt when there is none.
  static absl::StatusOr<std::optional<crm::v1::Team>> FindTeam(soci::session& sql, const std::string& id);
  // Like FindTeam, locking the team row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Team>> FindTeamForUpdate(db::Tx& tx, const std::string& id);
  // Writes the team row (insert when `exists` is false, else update) and replaces its members.
  // A lost insert race → a retryable status (the transaction runs again and updates).
  static absl::Status SaveTeam(db::Tx& tx, const crm::v1::Team& team, bool exists, absl::Time now);
  // Every team in id order, with members.
  static absl::StatusOr<std::vector<crm::v1::Team>> ListTeams(soci::session& sql);

  // The target of exactly this subject and period, locked for the rest of the transaction.
  static absl::StatusOr<std::optional<crm::v1::Target>> FindTargetForUpdate(db::Tx& tx, const std::string& owner,
                                                                            const std::string& team_id,
                                                                            int64_t period_start, int64_t period_end);
  // Inserts a new target. A lost insert race → a retryable status.
  static absl::Status InsertTarget(db::Tx& tx, const crm::v1::Target& target, absl::Time now);
  // Replaces the quota of target `target.id()`.
  static absl::Status UpdateTargetQuota(db::Tx& tx, const crm::v1::Target& target, absl::Time now);
  // Matching targets ordered by period start, period end, owner, team, id.
  static absl::StatusOr<std::vector<crm::v1::Target>> ListTargets(soci::session& sql, const TargetQuery& query);
};

}  // namespace crm::pipeline
