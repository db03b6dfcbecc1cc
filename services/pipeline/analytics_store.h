// SQL for the analytics area. For now every figure is computed from the raw opportunities and
// stage_changes tables on each call (no pre-aggregation yet).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/money.h"
#include "services/pipeline/analytics_filter.h"

namespace soci {
class session;
}
namespace crm::db {
class SqlQuery;
}

namespace crm::pipeline {

// Opportunities in scope currently in `stage_id` with `status`, amounts in `currency`
// (nullopt: opportunities without an amount).
struct StageHolding {
  std::string stage_id;
  int status = 0;
  std::optional<std::string> currency;
  int64_t count = 0;
  int64_t micros = 0;
};

// Completed visits to a stage (a visit ends at the opportunity's next stage change).
struct StageVisits {
  std::string stage_id;
  int64_t visits = 0;
  double average_micros = 0;
};

struct CycleTotals {
  int64_t closed = 0;
  double average_micros = 0;
};

// Adds the scope's predicates to `q`, whose FROM names opportunities `o` joined with their
// accounts `a`. Shared by every analytics query.
void ApplyAnalyticsScope(db::SqlQuery& q, const AnalyticsScope& scope);

class AnalyticsStore {
 public:
  // Per stage: distinct opportunities in scope with at least one history row into it.
  static absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Entered(soci::session& sql,
                                                                              const AnalyticsScope& scope);
  // Of the opportunities in scope that entered `stage_id`, how many have a history row into one
  // of `later_stage_ids` after their first entry into `stage_id`.
  static absl::StatusOr<int64_t> ConvertedFrom(soci::session& sql, const AnalyticsScope& scope,
                                               const std::string& stage_id,
                                               const std::vector<std::string>& later_stage_ids);
  static absl::StatusOr<std::vector<StageVisits>> CompletedVisits(soci::session& sql, const AnalyticsScope& scope);
  static absl::StatusOr<std::vector<StageHolding>> Holdings(soci::session& sql, const AnalyticsScope& scope);
  // Opportunities in scope currently won or lost: how many and mean close_time - create_time.
  static absl::StatusOr<CycleTotals> ClosedCycle(soci::session& sql, const AnalyticsScope& scope);
};

}  // namespace crm::pipeline
