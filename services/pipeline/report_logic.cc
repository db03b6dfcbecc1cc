#include "services/pipeline/report_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/money.h"
#include "common/db/entity_ops.h"
#include "crm/v1/account.pb.h"
#include "services/pipeline/analytics_filter.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/pipeline/report_store.h"
#include "services/pipeline/target_logic.h"

namespace crm::pipeline {
namespace {

// Where an amount without a rate came from, as named in FAILED_PRECONDITION.
constexpr char kAmountField[] = "opportunity.amount";
constexpr char kQuotaField[] = "target.quota";
constexpr double kMicrosPerDay = 86400.0 * 1e6;

// Exact sums per currency, converted only at the end.
using PerCurrency = std::map<std::string, __int128>;

void Add(PerCurrency& sums, const std::optional<std::string>& currency, __int128 micros) {
  if (currency.has_value()) sums[*currency] += micros;
}

// Each currency's sum divided by `divisor` (rounded half away from zero to micros of that
// currency), converted once to the base currency, and the results added up.
absl::StatusOr<int64_t> ToBase(const PerCurrency& sums, const CurrencyConverter& converter, absl::string_view field,
                               int64_t divisor = 1) {
  __int128 total = 0;
  for (const auto& [currency, sum] : sums) {
    if (!converter.HasRate(currency)) {
      // The converter words the FAILED_PRECONDITION naming "<field>.currency_code".
      return converter.ToBaseMicros(Amount{currency, 0}, field).status();
    }
    const __int128 scaled = ScaleRounded(sum, 1, divisor);
    if (!FitsMoney(scaled)) return absl::OutOfRangeError("a total exceeds the range of a money amount");
    absl::StatusOr<int64_t> converted = converter.ToBaseMicros(Amount{currency, static_cast<int64_t>(scaled)}, field);
    if (!converted.ok()) return absl::OutOfRangeError("a total exceeds the range of a money amount");
    total += *converted;
  }
  if (!FitsMoney(total)) return absl::OutOfRangeError("a total exceeds the range of a money amount");
  return static_cast<int64_t>(total);
}

// ---- Forecast ----

enum class Granularity { kMonth, kQuarter };

absl::StatusOr<Granularity> ParseGranularity(const std::string& text) {
  if (text.empty() || text == "month") return Granularity::kMonth;
  if (text == "quarter") return Granularity::kQuarter;
  return InvalidField("granularity", "must be \"month\" (the default) or \"quarter\"");
}

int64_t PeriodStart(Granularity g, int64_t day) { return g == Granularity::kMonth ? MonthStart(day) : QuarterStart(day); }
int64_t NextPeriodStart(Granularity g, int64_t day) {
  return g == Granularity::kMonth ? NextMonthStart(day) : NextQuarterStart(day);
}

// Periods from the one starting at `first` to the one starting at `last`, both included; stops
// counting past kMaxForecastPeriods.
int CountPeriods(Granularity g, int64_t first, int64_t last) {
  int count = 0;
  for (int64_t p = first; p <= last && count <= kMaxForecastPeriods; p = NextPeriodStart(g, p)) ++count;
  return count;
}

struct PeriodSums {
  int64_t open = 0;
  int64_t won = 0;
  PerCurrency best_case;
  PerCurrency weighted;  // Σ micros × probability (percent), divided by 100 when converted
  PerCurrency closed_won;
};

struct ForecastInputs {
  CurrencyConverter converter;
  std::vector<ExpectedCloseGroup> open;
  std::vector<WonOnDay> won;
};

// ---- Owner performance ----

struct OwnerSums {
  PerCurrency won_amount;
  int64_t won = 0;
  int64_t lost = 0;
  double cycle_micros = 0;  // Σ over closed opportunities
  bool has_quota = false;
  PerCurrency quota;
};

struct OwnerInputs {
  CurrencyConverter converter;
  std::vector<OwnerClosedGroup> closed;
  std::vector<crm::v1::Target> targets;
};

// Whether an owner's targets belong in the report under the scope's owner / team filter.
bool OwnerInScope(const AnalyticsScope& scope, const std::string& owner) {
  if (!scope.owner.empty() && owner != scope.owner) return false;
  if (scope.owners.has_value() && std::find(scope.owners->begin(), scope.owners->end(), owner) == scope.owners->end()) {
    return false;
  }
  return true;
}

// ---- Distribution ----

struct BucketSums {
  std::set<std::string> accounts;
  PerCurrency revenue;
};
using Buckets = std::map<std::string, BucketSums>;

struct DistributionInputs {
  CurrencyConverter converter;
  std::vector<AccountWon> rows;
};

// An enum value's name; the number when the stored value is outside the enum.
template <typename NameFn>
std::string EnumKey(int value, NameFn name_of) {
  std::string name = name_of(value);
  return name.empty() ? absl::StrCat(value) : name;
}

absl::Status FillBuckets(const Buckets& buckets, const CurrencyConverter& converter, int64_t total,
                         google::protobuf::RepeatedPtrField<crm::v1::DistributionBucket>* out) {
  std::vector<std::pair<int64_t, const std::string*>> order;  // base micros, key
  for (const auto& [key, sums] : buckets) {
    absl::StatusOr<int64_t> micros = ToBase(sums.revenue, converter, kAmountField);
    if (!micros.ok()) return micros.status();
    order.emplace_back(*micros, &key);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return *a.second < *b.second;
  });
  for (const auto& [micros, key] : order) {
    crm::v1::DistributionBucket* bucket = out->Add();
    bucket->set_key(*key);
    bucket->set_accounts(static_cast<int64_t>(buckets.at(*key).accounts.size()));
    *bucket->mutable_won_revenue() = MoneyFromMicros(converter.base_currency(), micros);
    bucket->set_revenue_share(total != 0 ? static_cast<double>(micros) / static_cast<double>(total) : 0.0);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<crm::v1::Forecast> ReportLogic::Forecast(const server::CallContext& call,
                                                        const crm::v1::GetForecastRequest& request) {
  absl::StatusOr<Granularity> granularity = ParseGranularity(request.granularity());
  if (!granularity.ok()) return granularity.status();
  const Granularity g = *granularity;
  const crm::v1::AnalyticsFilter& filter = request.filter();
  absl::StatusOr<AnalyticsScope> scope = ParseAnalyticsFilter(filter, PeriodOf::kExpectedClose, call.owners);
  if (!scope.ok()) return scope.status();
  const bool bounded = scope->from_day.has_value() && scope->to_day.has_value();
  if (bounded &&
      CountPeriods(g, PeriodStart(g, *scope->from_day), PeriodStart(g, *scope->to_day)) > kMaxForecastPeriods) {
    return InvalidField("filter.period_end",
                        absl::StrCat("the forecast would list more than ", kMaxForecastPeriods, " periods"));
  }

  absl::StatusOr<ForecastInputs> inputs =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<ForecastInputs> {
        ForecastInputs in;
        AnalyticsScope s = *scope;
        absl::StatusOr<AnalyticsSetting> setting = ResolveAnalyticsScope(sql, filter, &s);
        if (!setting.ok()) return setting.status();
        in.converter = std::move(setting->converter);
        absl::StatusOr<std::vector<ExpectedCloseGroup>> open = ReportStore::OpenByExpectedClose(sql, s);
        if (!open.ok()) return open.status();
        in.open = *std::move(open);
        // closed_won: the same filter, its period on the close date.
        s.period_of = PeriodOf::kClose;
        absl::StatusOr<std::vector<WonOnDay>> won = ReportStore::WonByCloseDay(sql, s);
        if (!won.ok()) return won.status();
        in.won = *std::move(won);
        return in;
      });
  if (!inputs.ok()) return inputs.status();
  const CurrencyConverter& converter = inputs->converter;

  std::map<int64_t, PeriodSums> periods;  // by the period's first day
  for (const ExpectedCloseGroup& group : inputs->open) {
    PeriodSums& p = periods[PeriodStart(g, group.day)];
    p.open += group.count;
    Add(p.best_case, group.currency, group.micros);
    Add(p.weighted, group.currency, static_cast<__int128>(group.micros) * group.probability);
  }
  for (const WonOnDay& group : inputs->won) {
    PeriodSums& p = periods[PeriodStart(g, group.day)];
    p.won += group.count;
    Add(p.closed_won, group.currency, group.micros);
  }

  crm::v1::Forecast forecast;
  forecast.set_base_currency(converter.base_currency());
  int64_t first = 0, last = -1;
  if (bounded) {
    first = PeriodStart(g, *scope->from_day);
    last = PeriodStart(g, *scope->to_day);
  } else if (!periods.empty()) {
    first = periods.begin()->first;
    last = periods.rbegin()->first;
    if (CountPeriods(g, first, last) > kMaxForecastPeriods) {
      const std::string why = absl::StrCat("the opportunities in scope span more than ", kMaxForecastPeriods,
                                           " periods; give period_start and period_end");
      return InvalidFields({{"filter.period_start", why}, {"filter.period_end", why}});
    }
  }
  const PeriodSums empty;
  for (int64_t start = first; start <= last; start = NextPeriodStart(g, start)) {
    const int64_t next = NextPeriodStart(g, start);
    auto it = periods.find(start);
    const PeriodSums& sums = it == periods.end() ? empty : it->second;
    absl::StatusOr<int64_t> best_case = ToBase(sums.best_case, converter, kAmountField);
    if (!best_case.ok()) return best_case.status();
    absl::StatusOr<int64_t> weighted = ToBase(sums.weighted, converter, kAmountField, /*divisor=*/100);
    if (!weighted.ok()) return weighted.status();
    absl::StatusOr<int64_t> closed_won = ToBase(sums.closed_won, converter, kAmountField);
    if (!closed_won.ok()) return closed_won.status();
    crm::v1::ForecastPeriod* out = forecast.add_periods();
    *out->mutable_period_start() = DateFromDayNumber(start);
    *out->mutable_period_end() = DateFromDayNumber(next - 1);
    out->set_open_opportunities(sums.open);
    *out->mutable_weighted() = MoneyFromMicros(converter.base_currency(), *weighted);
    *out->mutable_best_case() = MoneyFromMicros(converter.base_currency(), *best_case);
    *out->mutable_closed_won() = MoneyFromMicros(converter.base_currency(), *closed_won);
  }
  return forecast;
}

absl::StatusOr<crm::v1::OwnerPerformance> ReportLogic::OwnerPerformance(
    const server::CallContext& call, const crm::v1::GetOwnerPerformanceRequest& request) {
  const crm::v1::AnalyticsFilter& filter = request.filter();
  absl::StatusOr<AnalyticsScope> scope = ParseAnalyticsFilter(filter, PeriodOf::kClose, call.owners);
  if (!scope.ok()) return scope.status();

  AnalyticsScope resolved;
  absl::StatusOr<OwnerInputs> inputs =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<OwnerInputs> {
        OwnerInputs in;
        resolved = *scope;
        absl::StatusOr<AnalyticsSetting> setting = ResolveAnalyticsScope(sql, filter, &resolved);
        if (!setting.ok()) return setting.status();
        in.converter = std::move(setting->converter);
        absl::StatusOr<std::vector<OwnerClosedGroup>> closed = ReportStore::ClosedByOwner(sql, resolved);
        if (!closed.ok()) return closed.status();
        in.closed = *std::move(closed);
        // Every target overlapping the period (one owner's when the filter names one); team
        // targets and owners outside a team filter are dropped below.
        absl::StatusOr<std::vector<crm::v1::Target>> targets =
            TargetsOverlapping(sql, resolved.owner, "", resolved.from_day, resolved.to_day);
        if (!targets.ok()) return targets.status();
        in.targets = *std::move(targets);
        return in;
      });
  if (!inputs.ok()) return inputs.status();
  const CurrencyConverter& converter = inputs->converter;

  std::map<std::string, OwnerSums> owners;
  for (const OwnerClosedGroup& group : inputs->closed) {
    OwnerSums& o = owners[group.owner];
    if (group.status == crm::v1::OPPORTUNITY_STATUS_WON) {
      o.won += group.count;
      Add(o.won_amount, group.currency, group.micros);
    } else {
      o.lost += group.count;
    }
    o.cycle_micros += group.average_cycle_micros * static_cast<double>(group.count);
  }
  for (const crm::v1::Target& target : inputs->targets) {
    if (target.owner().empty() || !OwnerInScope(resolved, target.owner())) continue;
    absl::StatusOr<Amount> quota = AmountFromMoney(target.quota(), kQuotaField);
    if (!quota.ok()) return absl::InternalError(absl::StrCat("stored target ", target.id(), " has a malformed quota"));
    OwnerSums& o = owners[target.owner()];
    o.has_quota = true;
    o.quota[quota->currency] += quota->micros;
  }

  struct Row {
    std::string owner;
    int64_t won_micros = 0;
    crm::v1::OwnerStats stats;
  };
  std::vector<Row> rows;
  for (const auto& [owner, sums] : owners) {
    absl::StatusOr<int64_t> won_amount = ToBase(sums.won_amount, converter, kAmountField);
    if (!won_amount.ok()) return won_amount.status();
    Row row;
    row.owner = owner;
    row.won_micros = *won_amount;
    crm::v1::OwnerStats& s = row.stats;
    s.set_owner(owner);
    *s.mutable_won_amount() = MoneyFromMicros(converter.base_currency(), *won_amount);
    s.set_won(sums.won);
    s.set_lost(sums.lost);
    const int64_t closed = sums.won + sums.lost;
    s.set_win_rate(closed > 0 ? static_cast<double>(sums.won) / static_cast<double>(closed) : 0.0);
    s.set_average_cycle_days(closed > 0 ? sums.cycle_micros / static_cast<double>(closed) / kMicrosPerDay : 0.0);
    if (sums.has_quota) {
      absl::StatusOr<int64_t> quota = ToBase(sums.quota, converter, kQuotaField);
      if (!quota.ok()) return quota.status();
      *s.mutable_quota() = MoneyFromMicros(converter.base_currency(), *quota);
      if (*quota != 0) s.set_attainment(static_cast<double>(*won_amount) / static_cast<double>(*quota));
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.won_micros != b.won_micros) return a.won_micros > b.won_micros;
    return a.owner < b.owner;
  });

  crm::v1::OwnerPerformance performance;
  performance.set_base_currency(converter.base_currency());
  for (Row& row : rows) *performance.add_owners() = std::move(row.stats);
  return performance;
}

absl::StatusOr<crm::v1::TargetGroupDistribution> ReportLogic::TargetGroupDistribution(
    const server::CallContext& call, const crm::v1::GetTargetGroupDistributionRequest& request) {
  const crm::v1::AnalyticsFilter& filter = request.filter();
  absl::StatusOr<AnalyticsScope> scope = ParseAnalyticsFilter(filter, PeriodOf::kClose, call.owners);
  if (!scope.ok()) return scope.status();

  absl::StatusOr<DistributionInputs> inputs =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<DistributionInputs> {
        DistributionInputs in;
        AnalyticsScope s = *scope;
        absl::StatusOr<AnalyticsSetting> setting = ResolveAnalyticsScope(sql, filter, &s);
        if (!setting.ok()) return setting.status();
        in.converter = std::move(setting->converter);
        absl::StatusOr<std::vector<AccountWon>> rows = ReportStore::WonByAccount(sql, s);
        if (!rows.ok()) return rows.status();
        in.rows = *std::move(rows);
        return in;
      });
  if (!inputs.ok()) return inputs.status();
  const CurrencyConverter& converter = inputs->converter;

  PerCurrency all;
  Buckets by_industry, by_region, by_size_band, by_profession, by_age_band;
  const auto add = [](Buckets& buckets, const std::string& key, const AccountWon& row) {
    BucketSums& bucket = buckets[key];
    bucket.accounts.insert(row.account_id);
    Add(bucket.revenue, row.currency, row.micros);
  };
  for (const AccountWon& row : inputs->rows) {
    Add(all, row.currency, row.micros);
    add(by_industry, row.industry, row);
    add(by_region, row.region, row);
    add(by_size_band,
        EnumKey(row.size_band, [](int v) { return crm::v1::SizeBand_Name(static_cast<crm::v1::SizeBand>(v)); }), row);
    if (row.kind == crm::v1::ACCOUNT_KIND_PERSON) {
      add(by_profession, row.profession, row);
      add(by_age_band,
          EnumKey(row.age_band, [](int v) { return crm::v1::AgeBand_Name(static_cast<crm::v1::AgeBand>(v)); }), row);
    }
  }
  absl::StatusOr<int64_t> total = ToBase(all, converter, kAmountField);
  if (!total.ok()) return total.status();

  crm::v1::TargetGroupDistribution distribution;
  distribution.set_base_currency(converter.base_currency());
  const std::pair<const Buckets*, google::protobuf::RepeatedPtrField<crm::v1::DistributionBucket>*> lists[] = {
      {&by_industry, distribution.mutable_by_industry()},
      {&by_region, distribution.mutable_by_region()},
      {&by_size_band, distribution.mutable_by_size_band()},
      {&by_profession, distribution.mutable_by_profession()},
      {&by_age_band, distribution.mutable_by_age_band()},
  };
  for (const auto& [buckets, out] : lists) {
    if (absl::Status s = FillBuckets(*buckets, converter, *total, out); !s.ok()) return s;
  }
  return distribution;
}

}  // namespace crm::pipeline
