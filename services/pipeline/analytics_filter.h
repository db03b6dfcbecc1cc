// The AnalyticsFilter every analytics call takes, checked and resolved once for all of them.
// No gRPC and no SQL here (the predicates live in analytics_store).
//
//  - pipeline: filter.pipeline_id, or the default pipeline when empty; unknown → NOT_FOUND
//    naming filter.pipeline_id;
//  - period: [period_start, period_end], UTC calendar dates, inclusive; an unset end is open.
//    What it applies to is the call's choice (PeriodOf). A date that is not a real date →
//    INVALID_ARGUMENT naming filter.period_start / filter.period_end; start after end →
//    INVALID_ARGUMENT naming filter.period_end;
//  - owner: exact match; team_id: the owner is one of the team's members; an unknown team →
//    NOT_FOUND naming filter.team_id; both owner and team_id → INVALID_ARGUMENT naming
//    filter.team_id;
//  - the caller's owner scope (a sales rep's own, a team manager's team): every call sees only
//    the opportunities of owners within it; an owner outside it → PERMISSION_DENIED naming
//    filter.owner;
//  - region / industry: exact match on the opportunity's account;
//  - source_channel: exact match (UNSPECIFIED = any); a value outside the enum →
//    INVALID_ARGUMENT naming filter.source_channel;
//  - source_campaign_id: exact match; an unknown campaign → NOT_FOUND naming
//    filter.source_campaign_id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/current_call.h"
#include "common/core/money.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Which date of an opportunity the filter's period applies to.
enum class PeriodOf {
  kCreation,       // create_time (the funnel)
  kExpectedClose,  // expected_close_date (the forecast)
  kClose,          // close_time (performance and revenue: what closed in the period)
};

// Which opportunities an analytics call considers. Every set filter narrows (AND).
struct AnalyticsScope {
  std::string pipeline_id;
  PeriodOf period_of = PeriodOf::kCreation;
  // Inclusive UTC day numbers.
  std::optional<int64_t> from_day;
  std::optional<int64_t> to_day;
  std::string owner;
  // When set, the owner must be one of these (an empty list matches nothing).
  std::optional<std::vector<std::string>> owners;
  // Of the opportunity's account.
  std::string region;
  std::string industry;
  int source_channel = 0;  // 0 = any
  std::string source_campaign_id;
};

// The checks that need no database. The pipeline and team are left to ResolveAnalyticsScope.
absl::StatusOr<AnalyticsScope> ParseAnalyticsFilter(const crm::v1::AnalyticsFilter& filter, PeriodOf period_of,
                                                    const OwnerScope& caller);

// What every analytics call reads before its figures.
struct AnalyticsSetting {
  crm::v1::Pipeline pipeline;
  // To the base currency of the sales settings, in which every amount is reported.
  CurrencyConverter converter;
};

// Inside a read: the pipeline the call is about (also set into scope->pipeline_id), the team's
// members (scope->owners), the campaign's existence, and the currency converter.
absl::StatusOr<AnalyticsSetting> ResolveAnalyticsScope(soci::session& sql, const crm::v1::AnalyticsFilter& filter,
                                                       AnalyticsScope* scope);

}  // namespace crm::pipeline
