#include "services/pipeline/analytics_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {
namespace {

constexpr char kScopedHistory[] =
    " FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id"
    " JOIN accounts a ON a.id = o.account_id";
constexpr char kScopedOpportunities[] = " FROM opportunities o JOIN accounts a ON a.id = o.account_id";

// Prepares `q` on `statement` (parameters bound); the caller adds its into()s and runs it.
void Prepare(soci::statement& statement, const db::SqlQuery& q) {
  statement.alloc();
  statement.prepare(q.text());
  q.BindTo(statement);
}

}  // namespace

void ApplyAnalyticsScope(db::SqlQuery& q, const AnalyticsScope& scope) {
  q.Where("o.pipeline_id = ?", scope.pipeline_id);
  switch (scope.period_of) {
    case PeriodOf::kCreation:
    case PeriodOf::kClose: {
      const char* column = scope.period_of == PeriodOf::kCreation ? "o.create_time" : "o.close_time";
      if (scope.from_day.has_value()) {
        q.Where(absl::StrCat(column, " >= ?"), static_cast<long long>(ToMicros(StartOfDay(*scope.from_day))));
      }
      if (scope.to_day.has_value()) {
        q.Where(absl::StrCat(column, " < ?"), static_cast<long long>(ToMicros(StartOfDay(*scope.to_day + 1))));
      }
      break;
    }
    case PeriodOf::kExpectedClose:
      if (scope.from_day.has_value()) q.Where("o.expected_close_day >= ?", static_cast<long long>(*scope.from_day));
      if (scope.to_day.has_value()) q.Where("o.expected_close_day <= ?", static_cast<long long>(*scope.to_day));
      break;
  }
  if (!scope.owner.empty()) q.Where("o.owner = ?", scope.owner);
  if (scope.owners.has_value()) {
    if (scope.owners->empty()) {
      q.Where("1 = 0");
    } else {
      q.Where("(o.owner = ?", scope.owners->front());
      for (size_t i = 1; i < scope.owners->size(); ++i) q.Append(" OR o.owner = ?", (*scope.owners)[i]);
      q.Append(")");
    }
  }
  if (!scope.region.empty()) q.Where("a.region = ?", scope.region);
  if (!scope.industry.empty()) q.Where("a.industry = ?", scope.industry);
  if (scope.source_channel != 0) q.Where("o.source_channel = ?", static_cast<long long>(scope.source_channel));
  if (!scope.source_campaign_id.empty()) q.Where("o.source_campaign_id = ?", scope.source_campaign_id);
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> AnalyticsStore::Entered(soci::session& sql,
                                                                                     const AnalyticsScope& scope) {
  std::vector<std::pair<std::string, int64_t>> rows;
  absl::Status status = db::Guard("count stage entries", [&]() -> absl::Status {
    db::SqlQuery q(std::string("SELECT sc.to_stage_id, COUNT(DISTINCT sc.opportunity_id)") + kScopedHistory);
    ApplyAnalyticsScope(q, scope);
    q.Append(" GROUP BY sc.to_stage_id");
    std::string stage_id;
    long long count = 0;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(stage_id));
    statement.exchange(soci::into(count));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) rows.emplace_back(stage_id, count);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<int64_t> AnalyticsStore::ConvertedFrom(soci::session& sql, const AnalyticsScope& scope,
                                                      const std::string& stage_id,
                                                      const std::vector<std::string>& later_stage_ids) {
  if (later_stage_ids.empty()) return 0;
  long long converted = 0;
  absl::Status status = db::Guard("count stage conversions", [&]() -> absl::Status {
    db::SqlQuery q(
        "SELECT COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM stage_changes l"
        " WHERE l.opportunity_id = f.opportunity_id AND l.sequence > f.first_sequence AND l.to_stage_id IN (");
    for (size_t i = 0; i < later_stage_ids.size(); ++i) q.Append(i == 0 ? "?" : ", ?", later_stage_ids[i]);
    q.Append(")) THEN 1 ELSE 0 END), 0) FROM (SELECT sc.opportunity_id, MIN(sc.sequence) AS first_sequence");
    q.Append(kScopedHistory);
    ApplyAnalyticsScope(q, scope);
    q.Where("sc.to_stage_id = ?", stage_id);
    q.Append(" GROUP BY sc.opportunity_id) f");
    converted = db::QueryInt64(sql, q);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return static_cast<int64_t>(converted);
}

absl::StatusOr<std::vector<StageVisits>> AnalyticsStore::CompletedVisits(soci::session& sql,
                                                                        const AnalyticsScope& scope) {
  std::vector<StageVisits> rows;
  absl::Status status = db::Guard("measure stage visits", [&]() -> absl::Status {
    db::SqlQuery q(std::string("SELECT sc.to_stage_id, COUNT(*), AVG(n.change_time - sc.change_time)") +
                   kScopedHistory +
                   " JOIN stage_changes n ON n.opportunity_id = sc.opportunity_id AND n.sequence ="
                   " (SELECT MIN(m.sequence) FROM stage_changes m"
                   " WHERE m.opportunity_id = sc.opportunity_id AND m.sequence > sc.sequence)");
    ApplyAnalyticsScope(q, scope);
    q.Append(" GROUP BY sc.to_stage_id");
    StageVisits row;
    long long visits = 0;
    double average = 0;
    soci::indicator average_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(row.stage_id));
    statement.exchange(soci::into(visits));
    statement.exchange(soci::into(average, average_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      row.visits = visits;
      row.average_micros = average_ind == soci::i_ok ? average : 0;
      rows.push_back(row);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<StageHolding>> AnalyticsStore::Holdings(soci::session& sql, const AnalyticsScope& scope) {
  std::vector<StageHolding> rows;
  absl::Status status = db::Guard("sum current stages", [&]() -> absl::Status {
    db::SqlQuery q(std::string("SELECT o.stage_id, o.status, o.amount_currency, COUNT(*), SUM(o.amount_micros)") +
                   kScopedOpportunities);
    ApplyAnalyticsScope(q, scope);
    q.Append(" GROUP BY o.stage_id, o.status, o.amount_currency");
    std::string stage_id, currency;
    long long status_value = 0, count = 0, micros = 0;
    soci::indicator currency_ind = soci::i_ok, micros_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(stage_id));
    statement.exchange(soci::into(status_value));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(count));
    statement.exchange(soci::into(micros, micros_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      StageHolding row;
      row.stage_id = stage_id;
      row.status = static_cast<int>(status_value);
      if (currency_ind == soci::i_ok) row.currency = currency;
      row.count = count;
      row.micros = micros_ind == soci::i_ok ? micros : 0;
      rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<CycleTotals> AnalyticsStore::ClosedCycle(soci::session& sql, const AnalyticsScope& scope) {
  CycleTotals totals;
  absl::Status status = db::Guard("measure sales cycle", [&]() -> absl::Status {
    db::SqlQuery q(std::string("SELECT COUNT(*), AVG(o.close_time - o.create_time)") + kScopedOpportunities);
    ApplyAnalyticsScope(q, scope);
    q.Where("(o.status = ? OR o.status = ?)", static_cast<long long>(crm::v1::OPPORTUNITY_STATUS_WON),
            static_cast<long long>(crm::v1::OPPORTUNITY_STATUS_LOST));
    q.Where("o.close_time IS NOT NULL");
    long long closed = 0;
    double average = 0;
    soci::indicator average_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(closed));
    statement.exchange(soci::into(average, average_ind));
    statement.define_and_bind();
    statement.execute(true);
    totals.closed = closed;
    totals.average_micros = average_ind == soci::i_ok ? average : 0;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

}  // namespace crm::pipeline
