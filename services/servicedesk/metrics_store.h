// SQL behind service metrics: aggregates over the ticket, survey and history tables of the other
// service-desk areas (their schema comments define the columns), every statement named once here,
// rows mapped once (soci::type_conversion in metrics_store.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/servicedesk.pb.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

// Which tickets count. Every set bound narrows the result (AND).
struct MetricsFilter {
  std::optional<absl::Time> created_from;                         // inclusive
  std::optional<absl::Time> created_before;                       // exclusive
  crm::v1::AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;  // UNSPECIFIED: any tier
  std::string agent;                                              // "": any assignee
};

// A group's key as stored: the tier or priority number, or the assignee.
struct MetricsGroupKey {
  int64_t number = 0;
  std::string text;
  bool operator<(const MetricsGroupKey& o) const { return number != o.number ? number < o.number : text < o.text; }
};

// The counts of one group. A target is decided when it was met (met time set, breach flag clear)
// or breached (flag set, or unmet with its due time before `now`); only tickets with that target.
struct MetricsCounts {
  MetricsGroupKey key;
  int64_t created = 0;
  int64_t resolved = 0;  // resolve_time set
  int64_t first_response_met = 0;
  int64_t first_response_breached = 0;
  int64_t resolution_met = 0;
  int64_t resolution_breached = 0;
  int64_t surveys = 0;
  int64_t score_sum = 0;
};

// One ticket's wall-clock durations, for means and percentiles.
struct TicketDurations {
  MetricsGroupKey key;
  std::optional<absl::Duration> first_response;  // first_response_time - create_time
  std::optional<absl::Duration> resolution;      // resolve_time - create_time
};

struct MetricsGroupCount {
  MetricsGroupKey key;
  int64_t count = 0;
};

// Tickets new, open or pending now, of one priority.
struct BacklogRow {
  int64_t priority = 0;
  int64_t open = 0;
  // Either target breached: a stored flag, or an unmet target's due time before `now`.
  int64_t breached = 0;
};

class MetricsStore {
 public:
  // One row per group with tickets (one row in all for METRICS_GROUPING_UNSPECIFIED).
  static absl::StatusOr<std::vector<MetricsCounts>> Counts(soci::session& sql, const MetricsFilter& filter,
                                                           crm::v1::MetricsGrouping grouping, absl::Time now);
  // The tickets with a first response or a resolution.
  static absl::StatusOr<std::vector<TicketDurations>> Durations(soci::session& sql, const MetricsFilter& filter,
                                                                crm::v1::MetricsGrouping grouping);
  // Escalations (history kind ESCALATED) of the tickets, per group with any.
  static absl::StatusOr<std::vector<MetricsGroupCount>> Escalations(soci::session& sql, const MetricsFilter& filter,
                                                                    crm::v1::MetricsGrouping grouping);
  // The backlog by priority, for the filter's tier and agent (its period does not apply).
  static absl::StatusOr<std::vector<BacklogRow>> Backlog(soci::session& sql, const MetricsFilter& filter,
                                                         absl::Time now);
};

}  // namespace crm::servicedesk
