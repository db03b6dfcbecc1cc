// SQL for the dashboard reports (report_logic.h): forecast, owner performance and target-group
// distribution. Each query aggregates the opportunities in an AnalyticsScope (predicates from
// ApplyAnalyticsScope) per currency; the logic converts and arranges the sums.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/pipeline/analytics_filter.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Open opportunities in scope with an expected close date on `day`, at `probability`, amounts in
// `currency` (nullopt: without an amount).
struct ExpectedCloseGroup {
  int64_t day = 0;
  std::optional<std::string> currency;
  int64_t probability = 0;
  int64_t count = 0;
  int64_t micros = 0;
};

// Won opportunities in scope closed on UTC day `day`, amounts in `currency`.
struct WonOnDay {
  int64_t day = 0;
  std::optional<std::string> currency;
  int64_t count = 0;
  int64_t micros = 0;
};

// Opportunities of `owner` in scope now `status` (won or lost), amounts in `currency`, with the
// mean close_time - create_time.
struct OwnerClosedGroup {
  std::string owner;
  int status = 0;
  std::optional<std::string> currency;
  int64_t count = 0;
  int64_t micros = 0;
  double average_cycle_micros = 0;
};

// Won opportunities in scope of one account, amounts in `currency`, with the account's
// attributes.
struct AccountWon {
  std::string account_id;
  int kind = 0;
  std::string industry;
  std::string region;
  int size_band = 0;
  std::string profession;
  int age_band = 0;
  std::optional<std::string> currency;
  int64_t micros = 0;
};

class ReportStore {
 public:
  // The scope's period must be on the expected close date.
  static absl::StatusOr<std::vector<ExpectedCloseGroup>> OpenByExpectedClose(soci::session& sql,
                                                                            const AnalyticsScope& scope);
  // The scope's period must be on the close date (as for the three below).
  static absl::StatusOr<std::vector<WonOnDay>> WonByCloseDay(soci::session& sql, const AnalyticsScope& scope);
  static absl::StatusOr<std::vector<OwnerClosedGroup>> ClosedByOwner(soci::session& sql,
                                                                      const AnalyticsScope& scope);
  static absl::StatusOr<std::vector<AccountWon>> WonByAccount(soci::session& sql, const AnalyticsScope& scope);
};

}  // namespace crm::pipeline
