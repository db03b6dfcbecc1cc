#include "services/servicedesk/metrics_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "google/protobuf/duration.pb.h"
#include "services/servicedesk/metrics_store.h"

namespace crm::servicedesk {
namespace {

// What one row of the response adds up, from the store's per-group figures.
struct RowFigures {
  MetricsCounts counts;
  int64_t escalations = 0;
  std::vector<absl::Duration> first_response;
  std::vector<absl::Duration> resolution;

  void Add(const MetricsCounts& c) {
    counts.created += c.created;
    counts.resolved += c.resolved;
    counts.first_response_met += c.first_response_met;
    counts.first_response_breached += c.first_response_breached;
    counts.resolution_met += c.resolution_met;
    counts.resolution_breached += c.resolution_breached;
    counts.surveys += c.surveys;
    counts.score_sum += c.score_sum;
  }
  void Add(const TicketDurations& d) {
    if (d.first_response.has_value()) first_response.push_back(*d.first_response);
    if (d.resolution.has_value()) resolution.push_back(*d.resolution);
  }
};

void ToProto(absl::Duration d, google::protobuf::Duration* out) {
  absl::Duration rest;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rest);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
}

// Sorts `values`.
void FillStats(std::vector<absl::Duration>& values, crm::v1::DurationStats* out) {
  out->set_count(static_cast<int64_t>(values.size()));
  if (values.empty()) return;
  absl::Duration sum;
  for (absl::Duration d : values) sum += d;
  ToProto(sum / static_cast<int64_t>(values.size()), out->mutable_mean());
  ToProto(NearestRankP90(values), out->mutable_p90());
}

std::optional<double> Ratio(int64_t numerator, int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

void FillRow(RowFigures& figures, std::string key, crm::v1::ServiceMetricsRow* row) {
  const MetricsCounts& c = figures.counts;
  row->set_key(std::move(key));
  row->set_tickets_created(c.created);
  row->set_tickets_resolved(c.resolved);
  FillStats(figures.first_response, row->mutable_first_response());
  FillStats(figures.resolution, row->mutable_resolution());
  if (auto v = Ratio(c.first_response_met, c.first_response_met + c.first_response_breached)) {
    row->set_first_response_compliance(*v);
  }
  if (auto v = Ratio(c.resolution_met, c.resolution_met + c.resolution_breached)) row->set_resolution_compliance(*v);
  if (auto v = Ratio(c.score_sum, c.surveys)) row->set_csat_mean(*v);
  if (auto v = Ratio(c.surveys, c.resolved)) row->set_csat_response_rate(*v);
  row->set_escalations(figures.escalations);
}

// The group's key as the response names it: the enum value's name, or the agent.
std::string KeyName(crm::v1::MetricsGrouping grouping, const MetricsGroupKey& key) {
  switch (grouping) {
    case crm::v1::METRICS_GROUPING_TIER:
      if (crm::v1::AccountTier_IsValid(static_cast<int>(key.number))) {
        return crm::v1::AccountTier_Name(static_cast<crm::v1::AccountTier>(key.number));
      }
      return absl::StrCat(key.number);
    case crm::v1::METRICS_GROUPING_PRIORITY:
      if (crm::v1::TicketPriority_IsValid(static_cast<int>(key.number))) {
        return crm::v1::TicketPriority_Name(static_cast<crm::v1::TicketPriority>(key.number));
      }
      return absl::StrCat(key.number);
    case crm::v1::METRICS_GROUPING_AGENT:
      return key.text;
    default:
      return "";
  }
}

absl::StatusOr<MetricsFilter> FilterOf(const crm::v1::GetServiceMetricsRequest& request) {
  Validator v;
  v.OptionalDate(request.period_start(), request.has_period_start(), "period_start");
  v.OptionalDate(request.period_end(), request.has_period_end(), "period_end");
  v.Enum(request.tier(), crm::v1::AccountTier_IsValid, "tier", false);
  v.OptionalText(request.agent(), "agent", kMaxShortTextLength);
  v.Enum(request.group_by(), crm::v1::MetricsGrouping_IsValid, "group_by", false);
  if (!v.ok()) return v.status();

  MetricsFilter filter;
  filter.tier = request.tier();
  filter.agent = request.agent();
  std::optional<int64_t> first_day, last_day;
  if (request.has_period_start()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.period_start(), "period_start");
    if (!day.ok()) return day.status();
    first_day = *day;
    filter.created_from = StartOfDay(*day);
  }
  if (request.has_period_end()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.period_end(), "period_end");
    if (!day.ok()) return day.status();
    last_day = *day;
    // The end date is inclusive: up to the start of the next day.
    filter.created_before = StartOfDay(*day + 1);
  }
  if (first_day.has_value() && last_day.has_value() && *last_day < *first_day) {
    return InvalidField("period_end", "must not be before period_start");
  }
  return filter;
}

}  // namespace

absl::Duration NearestRankP90(std::vector<absl::Duration>& values) {
  if (values.empty()) return absl::ZeroDuration();
  std::sort(values.begin(), values.end());
  // ceil(9n / 10) in integers, so no floating point decides the rank.
  const size_t rank = (9 * values.size() + 9) / 10;
  return values[rank - 1];
}

absl::StatusOr<crm::v1::ServiceMetrics> MetricsLogic::GetServiceMetrics(
    const server::CallContext& call, const crm::v1::GetServiceMetricsRequest& request) {
  absl::StatusOr<MetricsFilter> filter = FilterOf(request);
  if (!filter.ok()) return filter.status();
  const crm::v1::MetricsGrouping grouping = request.group_by();
  const absl::Time now = rt_.clock->Now();

  struct Read {
    std::vector<MetricsCounts> counts;
    std::vector<TicketDurations> durations;
    std::vector<MetricsGroupCount> escalations;
    std::vector<BacklogRow> backlog;
  };
  // One read: every figure comes from the same snapshot.
  absl::StatusOr<Read> read = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<Read> {
    Read r;
    absl::StatusOr<std::vector<MetricsCounts>> counts = MetricsStore::Counts(sql, *filter, grouping, now);
    if (!counts.ok()) return counts.status();
    r.counts = *std::move(counts);
    absl::StatusOr<std::vector<TicketDurations>> durations = MetricsStore::Durations(sql, *filter, grouping);
    if (!durations.ok()) return durations.status();
    r.durations = *std::move(durations);
    absl::StatusOr<std::vector<MetricsGroupCount>> escalations = MetricsStore::Escalations(sql, *filter, grouping);
    if (!escalations.ok()) return escalations.status();
    r.escalations = *std::move(escalations);
    absl::StatusOr<std::vector<BacklogRow>> backlog = MetricsStore::Backlog(sql, *filter, now);
    if (!backlog.ok()) return backlog.status();
    r.backlog = *std::move(backlog);
    return r;
  });
  if (!read.ok()) return read.status();

  // Groups in key order (tier / priority number, agent name); the totals add every group up.
  std::map<MetricsGroupKey, RowFigures> groups;
  RowFigures totals;
  for (const MetricsCounts& c : read->counts) {
    if (c.created == 0) continue;  // the one row of an aggregate over no tickets
    groups[c.key].Add(c);
    totals.Add(c);
  }
  for (const TicketDurations& d : read->durations) {
    groups[d.key].Add(d);
    totals.Add(d);
  }
  for (const MetricsGroupCount& e : read->escalations) {
    if (e.count == 0) continue;
    groups[e.key].escalations += e.count;
    totals.escalations += e.count;
  }

  crm::v1::ServiceMetrics metrics;
  FillRow(totals, "", metrics.mutable_totals());
  if (grouping != crm::v1::METRICS_GROUPING_UNSPECIFIED) {
    for (auto& [key, figures] : groups) FillRow(figures, KeyName(grouping, key), metrics.add_rows());
  }

  std::map<int64_t, BacklogRow> backlog;
  for (int p = crm::v1::TICKET_PRIORITY_P1; p <= crm::v1::TICKET_PRIORITY_P4; ++p) backlog[p].priority = p;
  for (const BacklogRow& row : read->backlog) backlog[row.priority] = row;
  for (const auto& [priority, row] : backlog) {
    crm::v1::BacklogCount* out = metrics.add_backlog();
    out->set_priority(static_cast<crm::v1::TicketPriority>(priority));
    out->set_open(row.open);
    out->set_breached(row.breached);
  }
  return metrics;
}

}  // namespace crm::servicedesk
