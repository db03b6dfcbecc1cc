// SQL of the dashboard summaries: aggregates over the last reclassification
// (kam_classifications, kam_runs), tier changes (kam_tier_changes) and orders. Every figure is
// an aggregate computed by the database; only the Pareto curve streams one column, in batches.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace soci {
class session;
}

namespace crm::kam {

struct FinishedRun {
  int32_t model_version = 0;
  int64_t as_of_micros = 0;
};

// Accounts and their window revenue sharing one value of a classification column.
struct ClassGroup {
  int64_t value = 0;  // crm.v1 enum number
  int64_t accounts = 0;
  int64_t revenue_micros = 0;
};

// [start, end) in microseconds (tier changes) or day numbers (orders).
struct Span {
  int64_t start = 0;
  int64_t end = 0;
};

struct TierMoves {
  int64_t upgrades = 0;
  int64_t downgrades = 0;
};

struct ChurnCounts {
  int64_t active = 0;   // ordered in the churn window before the period
  int64_t churned = 0;  // of those, no order in the churn window before the period's end
};

class SummaryStore {
 public:
  // The last run that finished and was not a dry run; nullopt when there is none.
  static absl::StatusOr<std::optional<FinishedRun>> LastFinishedRun(soci::session& sql);
  // Classified accounts and revenue per tier / per ABC class, in value order.
  static absl::StatusOr<std::vector<ClassGroup>> GroupByTier(soci::session& sql);
  static absl::StatusOr<std::vector<ClassGroup>> GroupByAbc(soci::session& sql);
  // Calls `on_revenue` with every classification's window revenue, largest first, fetching a
  // batch of rows at a time (memory stays at one batch however many accounts there are).
  static absl::Status ForEachRevenueDescending(soci::session& sql, const std::function<void(int64_t)>& on_revenue);
  // Per span of change_time (one pass over the changes of all spans): changes to a higher tier
  // (a lower AccountTier number) and to a lower one; changes from or to UNSPECIFIED are neither.
  static absl::StatusOr<std::vector<TierMoves>> CountTierMoves(soci::session& sql, const std::vector<Span>& spans);
  // Per span of days [s, e) (one grouped pass over the orders of all spans): accounts with an
  // order (not cancelled) in [s - window_days, s), and of those the ones with none in
  // [e - window_days, e).
  static absl::StatusOr<std::vector<ChurnCounts>> CountChurn(soci::session& sql, const std::vector<Span>& day_spans,
                                                             int window_days);
};

}  // namespace crm::kam
