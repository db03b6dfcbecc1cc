// Rules for the dashboard reports of PipelineService: GetForecast, GetOwnerPerformance and
// GetTargetGroupDistribution. No gRPC and no SQL here (the aggregates come from report_store).
// Computed on every call from the opportunities, accounts and sales_targets tables.
//
// Common to all three:
//  - filter: AnalyticsFilter as analytics_filter.h checks and resolves it (pipeline, owner or
//    team, the account's region / industry, source channel / campaign; bad or unknown values
//    answer INVALID_ARGUMENT / NOT_FOUND naming the filter field). What its period applies to is
//    said per call below; period_start / period_end are inclusive UTC calendar dates;
//  - money: every amount is summed per currency in integer micros, each currency's sum is
//    converted once to the base currency of the sales settings (rounded half away from zero)
//    and the converted sums are added. An amount whose currency has no rate is
//    FAILED_PRECONDITION naming "opportunity.amount.currency_code" (a quota's:
//    "target.quota.currency_code"), never added up as a plain number. Opportunities without an
//    amount count where counts are asked for and add 0. A total beyond the range of a money
//    amount is OUT_OF_RANGE. Every Money in a response is in base_currency, set even when 0.
//
// GetForecast — the period applies to the expected close date (PeriodOf::kExpectedClose).
//  - granularity "" or "month": calendar months; "quarter": calendar quarters (Jan-Mar, ...).
//    Anything else (matched exactly, lower case) → INVALID_ARGUMENT naming "granularity".
//  - open_opportunities / best_case / weighted: over the OPEN opportunities in scope that have an
//    expected close date, each in the period containing that date: their count, Σ amount, and
//    Σ amount × probability / 100 — per currency the exact integer Σ micros × probability,
//    divided by 100 rounded half away from zero to micros of that currency, then converted once.
//    An open opportunity whose expected close date has passed stays in its (past) period: the
//    forecast shows it as slipped rather than moving it.
//  - closed_won: Σ amount of the opportunities now WON whose close date (the UTC day of
//    close_time) falls in the period, under the same filter with its period applied to the
//    close date instead (a reopened opportunity counts only once won again).
//  - which periods: with both period_start and period_end, every period overlapping
//    [period_start, period_end], in order, empty ones with zeros; otherwise every period from the
//    first to the last one holding an open or won opportunity, gaps included (zeros), so the
//    time axis is continuous; none when nothing is in scope. period_start / period_end of a
//    ForecastPeriod are the first and last day of the calendar period even when the filter
//    covers only part of it (its figures then count only the covered days).
//  - at most kMaxForecastPeriods periods: a longer requested span → INVALID_ARGUMENT naming
//    filter.period_end; without both ends, data spread wider → INVALID_ARGUMENT naming
//    filter.period_start and filter.period_end (give a period).
//
// GetOwnerPerformance — the period applies to the close date (PeriodOf::kClose).
//  - per owner, over the opportunities in scope now WON or LOST whose close date is in the
//    period (a reopened one counts only once closed again, with its latest close):
//    won_amount = Σ won amounts; won; lost; win_rate = won / (won + lost), 0 when none;
//    average_cycle_days = mean close_time − create_time in days over won and lost, 0 when none.
//  - quota: Σ of the owner's own targets (team targets are not split onto members) whose period
//    overlaps the filter period, each quota counted whole (a quarter's target counts fully for
//    a month inside it; a month target and the quarter around it both count, so ask with the
//    period the targets were set for). Without period_start or period_end that end is open;
//    with neither, every target of the owner counts (all time, like the won figures). Unset when
//    the owner has no such target.
//  - attainment = won_amount / quota; unset without a quota or when the quota is 0.
//  - owners listed: every owner with a won or lost opportunity in scope, and every owner with a
//    quota in the period who passes the owner / team filter. Quotas are not per pipeline, region,
//    industry or source, so those filters narrow the opportunities only: an owner with a quota
//    and nothing matching is listed with zeros against the whole quota.
//  - sorted by won_amount descending, then owner ascending.
//
// GetTargetGroupDistribution — the period applies to the close date (PeriodOf::kClose).
//  - over the opportunities in scope now WON whose close date is in the period, grouped by
//    their account's attributes as currently recorded (soft-deleted accounts included: the
//    revenue was won):
//      by_industry, by_region: the text as stored (exact, like the filter); "" when the account
//        has none (can never collide with a real value);
//      by_size_band: the SizeBand enum name, e.g. "SIZE_BAND_MEDIUM"; "SIZE_BAND_UNSPECIFIED"
//        when unset (person accounts usually), so these three each cover all won revenue;
//      by_profession, by_age_band: person accounts only; profession as stored ("" when none),
//        the AgeBand enum name (e.g. "AGE_BAND_25_34", "AGE_BAND_UNSPECIFIED"). An account
//        records its age band, not a birth date, so the band is the one recorded now.
//  - per bucket: accounts = distinct accounts with such a won opportunity; won_revenue = Σ of
//    those won amounts; revenue_share = won_revenue / total won revenue in scope (the per
//    currency sums of ALL won amounts in scope, each converted once), 0 when that total is 0.
//    Person buckets share the same denominator, so their shares add up to the persons' part.
//  - each list sorted by won_revenue descending, then key ascending.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

// The most periods one forecast lists (a century of months).
inline constexpr int kMaxForecastPeriods = 1200;

class ReportLogic {
 public:
  explicit ReportLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Forecast> Forecast(const server::CallContext& call,
                                             const crm::v1::GetForecastRequest& request);
  absl::StatusOr<crm::v1::OwnerPerformance> OwnerPerformance(const server::CallContext& call,
                                                             const crm::v1::GetOwnerPerformanceRequest& request);
  absl::StatusOr<crm::v1::TargetGroupDistribution> TargetGroupDistribution(
      const server::CallContext& call, const crm::v1::GetTargetGroupDistributionRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
