// SQL for key account plans: every statement named once here, rows mapped once
// (soci::type_conversion in plan_store.cc). Review-reminder bookkeeping (which review date is
// still owed a reminder) lives in columns of the plan row that crm.v1.AccountPlan does not show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/keyaccount.pb.h"

namespace soci {
class session;
}

namespace crm::kam {

// Ordered by id (creation order). Every set filter narrows the result (AND).
struct PlanListQuery {
  std::string account_id;
  std::string owner;
  // Plans whose next review day is on or before this day number.
  std::optional<int64_t> review_due_by_day;
  // Keyset position: plans with an id strictly greater ("" = from the start).
  std::string after_id;
  int limit = 50;
};

// A plan whose review reminder is owed: the review day it is owed for.
struct DueReview {
  std::string plan_id;
  int64_t review_day = 0;
};

class PlanStore {
 public:
  // nullopt when no plan has this id.
  static absl::StatusOr<std::optional<crm::v1::AccountPlan>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::AccountPlan>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1; the reminder for its next review date (if any) is owed.
  static absl::Status Insert(db::Tx& tx, const crm::v1::AccountPlan& plan);
  // Writes every mutable column and bumps the revision, only if the stored revision is still
  // `expected_revision` (false when it was not). `rearm_review`: the next review date was set or
  // moved, so its reminder is owed afresh (none when the date was cleared).
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::AccountPlan& plan, int64_t expected_revision,
                                     bool rearm_review);
  static absl::StatusOr<std::vector<crm::v1::AccountPlan>> List(soci::session& sql, const PlanListQuery& query);

  // Plans owed a reminder for a review day on or before `today`, by (day, id); served by
  // kam_account_plans_review_pending.
  static absl::StatusOr<std::vector<DueReview>> DueReviews(soci::session& sql, int64_t today, int limit);
  // Marks the reminder of `due` as sent, only if it is still owed for that day. True when this
  // call claimed it; false when another process already did or the date moved meanwhile.
  static absl::StatusOr<bool> ClaimReview(db::Tx& tx, const DueReview& due);
};

}  // namespace crm::kam
