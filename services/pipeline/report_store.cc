#include "services/pipeline/report_store.h"

#include <soci/soci.h>

#include <string>

#include "common/db/query.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.pb.h"
#include "services/pipeline/analytics_store.h"

namespace crm::pipeline {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// Each query below is completed with ApplyAnalyticsScope's predicates, its own, and its GROUP BY.
constexpr char kOpenByExpectedClose[] =
    "SELECT o.expected_close_day, o.amount_currency, o.probability, COUNT(*), SUM(o.amount_micros)"
    " FROM opportunities o JOIN accounts a ON a.id = o.account_id";
constexpr char kOpenByExpectedCloseGroups[] = " GROUP BY o.expected_close_day, o.amount_currency, o.probability";

// Close times are non-negative integers of microseconds on both backends, so the start of the
// UTC day is the same integer arithmetic everywhere (no dialect date function needed).
constexpr char kWonByCloseDay[] =
    "SELECT o.close_time - o.close_time % 86400000000, o.amount_currency, COUNT(*), SUM(o.amount_micros)"
    " FROM opportunities o JOIN accounts a ON a.id = o.account_id";
constexpr char kWonByCloseDayGroups[] = " GROUP BY o.close_time - o.close_time % 86400000000, o.amount_currency";

constexpr char kClosedByOwner[] =
    "SELECT o.owner, o.status, o.amount_currency, COUNT(*), SUM(o.amount_micros), AVG(o.close_time - o.create_time)"
    " FROM opportunities o JOIN accounts a ON a.id = o.account_id";
constexpr char kClosedByOwnerGroups[] = " GROUP BY o.owner, o.status, o.amount_currency";

constexpr char kWonByAccount[] =
    "SELECT o.account_id, a.kind, a.industry, a.region, a.size_band, a.profession, a.age_band, o.amount_currency,"
    " SUM(o.amount_micros) FROM opportunities o JOIN accounts a ON a.id = o.account_id";
constexpr char kWonByAccountGroups[] =
    " GROUP BY o.account_id, a.kind, a.industry, a.region, a.size_band, a.profession, a.age_band, o.amount_currency";

const long long kOpen = crm::v1::OPPORTUNITY_STATUS_OPEN;
const long long kWon = crm::v1::OPPORTUNITY_STATUS_WON;
const long long kLost = crm::v1::OPPORTUNITY_STATUS_LOST;

// Prepares `q` on `statement` (parameters bound); the caller adds its into()s and runs it.
void Prepare(soci::statement& statement, const db::SqlQuery& q) {
  statement.alloc();
  statement.prepare(q.text());
  q.BindTo(statement);
}

std::optional<std::string> Optional(const std::string& value, soci::indicator indicator) {
  if (indicator != soci::i_ok) return std::nullopt;
  return value;
}

}  // namespace

absl::StatusOr<std::vector<ExpectedCloseGroup>> ReportStore::OpenByExpectedClose(soci::session& sql,
                                                                                const AnalyticsScope& scope) {
  std::vector<ExpectedCloseGroup> rows;
  absl::Status status = db::Guard("sum the forecast", [&]() -> absl::Status {
    db::SqlQuery q(kOpenByExpectedClose);
    ApplyAnalyticsScope(q, scope);
    q.Where("o.status = ?", kOpen);
    q.Where("o.expected_close_day IS NOT NULL");
    q.Append(kOpenByExpectedCloseGroups);
    long long day = 0, probability = 0, count = 0, micros = 0;
    std::string currency;
    soci::indicator currency_ind = soci::i_ok, micros_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(day));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(probability));
    statement.exchange(soci::into(count));
    statement.exchange(soci::into(micros, micros_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      rows.push_back(ExpectedCloseGroup{day, Optional(currency, currency_ind), probability, count,
                                        micros_ind == soci::i_ok ? micros : 0});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<WonOnDay>> ReportStore::WonByCloseDay(soci::session& sql, const AnalyticsScope& scope) {
  std::vector<WonOnDay> rows;
  absl::Status status = db::Guard("sum won amounts per close day", [&]() -> absl::Status {
    db::SqlQuery q(kWonByCloseDay);
    ApplyAnalyticsScope(q, scope);
    q.Where("o.status = ?", kWon);
    q.Where("o.close_time IS NOT NULL");
    q.Append(kWonByCloseDayGroups);
    long long day_start = 0, count = 0, micros = 0;
    std::string currency;
    soci::indicator currency_ind = soci::i_ok, micros_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(day_start));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(count));
    statement.exchange(soci::into(micros, micros_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      rows.push_back(WonOnDay{day_start / kMicrosPerDay, Optional(currency, currency_ind), count,
                              micros_ind == soci::i_ok ? micros : 0});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<OwnerClosedGroup>> ReportStore::ClosedByOwner(soci::session& sql,
                                                                         const AnalyticsScope& scope) {
  std::vector<OwnerClosedGroup> rows;
  absl::Status status = db::Guard("sum closed opportunities per owner", [&]() -> absl::Status {
    db::SqlQuery q(kClosedByOwner);
    ApplyAnalyticsScope(q, scope);
    q.Where("(o.status = ? OR o.status = ?)", kWon, kLost);
    q.Where("o.close_time IS NOT NULL");
    q.Append(kClosedByOwnerGroups);
    std::string owner, currency;
    long long status_value = 0, count = 0, micros = 0;
    double cycle = 0;
    soci::indicator currency_ind = soci::i_ok, micros_ind = soci::i_ok, cycle_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(owner));
    statement.exchange(soci::into(status_value));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(count));
    statement.exchange(soci::into(micros, micros_ind));
    statement.exchange(soci::into(cycle, cycle_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      rows.push_back(OwnerClosedGroup{owner, static_cast<int>(status_value), Optional(currency, currency_ind), count,
                                      micros_ind == soci::i_ok ? micros : 0, cycle_ind == soci::i_ok ? cycle : 0});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<AccountWon>> ReportStore::WonByAccount(soci::session& sql, const AnalyticsScope& scope) {
  std::vector<AccountWon> rows;
  absl::Status status = db::Guard("sum won amounts per account", [&]() -> absl::Status {
    db::SqlQuery q(kWonByAccount);
    ApplyAnalyticsScope(q, scope);
    q.Where("o.status = ?", kWon);
    q.Where("o.close_time IS NOT NULL");
    q.Append(kWonByAccountGroups);
    AccountWon row;
    long long kind = 0, size_band = 0, age_band = 0, micros = 0;
    std::string currency;
    soci::indicator currency_ind = soci::i_ok, micros_ind = soci::i_ok;
    soci::statement statement(sql);
    Prepare(statement, q);
    statement.exchange(soci::into(row.account_id));
    statement.exchange(soci::into(kind));
    statement.exchange(soci::into(row.industry));
    statement.exchange(soci::into(row.region));
    statement.exchange(soci::into(size_band));
    statement.exchange(soci::into(row.profession));
    statement.exchange(soci::into(age_band));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(micros, micros_ind));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      row.kind = static_cast<int>(kind);
      row.size_band = static_cast<int>(size_band);
      row.age_band = static_cast<int>(age_band);
      row.currency = Optional(currency, currency_ind);
      row.micros = micros_ind == soci::i_ok ? micros : 0;
      rows.push_back(row);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rows;
}

}  // namespace crm::pipeline
