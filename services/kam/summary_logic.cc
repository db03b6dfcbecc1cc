#include "services/kam/summary_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/kam/model_logic.h"
#include "services/kam/summary_store.h"

namespace crm::kam {
namespace {

using Granularity = crm::v1::GetTierSummaryRequest::Granularity;

constexpr crm::v1::AccountTier kTiers[] = {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY,
                                           crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_POTENTIAL};
constexpr crm::v1::AbcClass kAbcClasses[] = {crm::v1::ABC_CLASS_A, crm::v1::ABC_CLASS_B, crm::v1::ABC_CLASS_C};
constexpr int kParetoSteps = 100;

bool Quarterly(Granularity g) { return g == crm::v1::GetTierSummaryRequest::GRANULARITY_QUARTER; }
int64_t PeriodStart(Granularity g, int64_t day) { return Quarterly(g) ? QuarterStart(day) : MonthStart(day); }
int64_t NextPeriodStart(Granularity g, int64_t day) { return Quarterly(g) ? NextQuarterStart(day) : NextMonthStart(day); }

// The Pareto points (summary_logic.h) of revenues fed largest first.
class ParetoSampler {
 public:
  ParetoSampler(int64_t accounts, int64_t total_revenue) : accounts_(accounts), total_(total_revenue) {}

  void Add(int64_t revenue) {
    ++seen_;
    cumulative_ += revenue;
    // The next boundary count strictly above the last emitted one.
    while (step_ <= kParetoSteps && Boundary(step_) < seen_) ++step_;
    if (step_ <= kParetoSteps && Boundary(step_) == seen_ && seen_ < accounts_) Emit();
  }

  std::vector<crm::v1::ParetoPoint> Finish() {
    if (accounts_ <= 0) return {};
    if (total_ <= 0) {
      points_.clear();
      points_.push_back(Point(0, 0));
      points_.push_back(Point(1, 1));
      return points_;
    }
    points_.push_back(Point(1, static_cast<double>(cumulative_) / static_cast<double>(total_)));
    return points_;
  }

 private:
  int64_t Boundary(int k) const { return static_cast<int64_t>(static_cast<__int128>(k) * accounts_ / kParetoSteps); }
  static crm::v1::ParetoPoint Point(double account_share, double revenue_share) {
    crm::v1::ParetoPoint p;
    p.set_account_share(account_share);
    p.set_revenue_share(revenue_share);
    return p;
  }
  void Emit() {
    points_.push_back(Point(static_cast<double>(seen_) / static_cast<double>(accounts_),
                            total_ > 0 ? static_cast<double>(cumulative_) / static_cast<double>(total_) : 0));
  }

  int64_t accounts_;
  int64_t total_;
  int64_t seen_ = 0;
  __int128 cumulative_ = 0;
  int step_ = 1;
  std::vector<crm::v1::ParetoPoint> points_{Point(0, 0)};
};

struct Periods {
  std::vector<int64_t> starts;  // day numbers; period i is [starts[i], ends[i])
  std::vector<int64_t> ends;
};

absl::StatusOr<Periods> ResolvePeriods(const crm::v1::GetTierSummaryRequest& request, int64_t today) {
  Validator v;
  v.OptionalDate(request.period_start(), request.has_period_start(), "period_start");
  v.OptionalDate(request.period_end(), request.has_period_end(), "period_end");
  v.Enum(request.granularity(), crm::v1::GetTierSummaryRequest::Granularity_IsValid, "granularity", false);
  if (!v.ok()) return v.status();
  const Granularity g = request.granularity();
  int64_t end = today;
  if (request.has_period_end()) end = *DayNumberFromDate(request.period_end(), "period_end");
  int64_t start = 0;
  if (request.has_period_start()) {
    start = *DayNumberFromDate(request.period_start(), "period_start");
  } else {
    start = PeriodStart(g, end);
    for (int i = 0; i < (Quarterly(g) ? 3 : 11); ++i) start = PeriodStart(g, start - 1);
  }
  if (end < start) return InvalidField("period_end", "must not be before period_start");
  Periods periods;
  for (int64_t p = PeriodStart(g, start); p <= end; p = NextPeriodStart(g, p)) {
    if (static_cast<int>(periods.starts.size()) == kMaxSummaryPeriods) {
      return InvalidField("period_start", absl::StrCat("the range spans more than ", kMaxSummaryPeriods, " periods"));
    }
    periods.starts.push_back(p);
    periods.ends.push_back(NextPeriodStart(g, p));
  }
  return periods;
}

int64_t FindGroup(const std::vector<ClassGroup>& groups, int64_t value, int64_t ClassGroup::*field) {
  for (const ClassGroup& g : groups) {
    if (g.value == value) return g.*field;
  }
  return 0;
}

double Share(int64_t part, int64_t total) {
  return total > 0 ? static_cast<double>(part) / static_cast<double>(total) : 0;
}

}  // namespace

absl::StatusOr<crm::v1::TierSummary> SummaryLogic::GetTierSummary(const server::CallContext& call,
                                                                 const crm::v1::GetTierSummaryRequest& request) {
  const absl::Time now = rt_.clock->Now();
  const int64_t today = DayNumberOf(now);
  absl::StatusOr<Periods> periods = ResolvePeriods(request, today);
  if (!periods.ok()) return periods.status();

  // Tier changes by change_time over whole periods; churn over days, the running period
  // capped at tomorrow and periods after today left out.
  std::vector<Span> change_spans, churn_spans;
  for (size_t i = 0; i < periods->starts.size(); ++i) {
    change_spans.push_back(Span{ToMicros(StartOfDay(periods->starts[i])), ToMicros(StartOfDay(periods->ends[i]))});
    if (periods->starts[i] <= today) {
      churn_spans.push_back(Span{periods->starts[i], std::min(periods->ends[i], today + 1)});
    }
  }

  struct Figures {
    std::optional<FinishedRun> run;
    std::vector<ClassGroup> tiers, abc;
    std::vector<crm::v1::ParetoPoint> pareto;
    std::vector<TierMoves> moves;
    std::vector<ChurnCounts> churn;
  };
  absl::StatusOr<Figures> figures =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<Figures> {
        Figures f;
        absl::StatusOr<std::optional<FinishedRun>> run = SummaryStore::LastFinishedRun(sql);
        if (!run.ok()) return run.status();
        f.run = *run;
        // The churn window of the run's model (the one in force before any run).
        absl::StatusOr<crm::v1::ScoringModel> model =
            LoadScoringModel(sql, f.run ? f.run->model_version : 0, "model_version");
        if (!model.ok()) return model.status();

        absl::StatusOr<std::vector<ClassGroup>> tiers = SummaryStore::GroupByTier(sql);
        if (!tiers.ok()) return tiers.status();
        f.tiers = *std::move(tiers);
        absl::StatusOr<std::vector<ClassGroup>> abc = SummaryStore::GroupByAbc(sql);
        if (!abc.ok()) return abc.status();
        f.abc = *std::move(abc);

        int64_t accounts = 0, revenue = 0;
        for (const ClassGroup& g : f.tiers) {
          accounts += g.accounts;
          revenue += g.revenue_micros;
        }
        ParetoSampler pareto(accounts, revenue);
        if (accounts > 0 && revenue > 0) {
          if (absl::Status s = SummaryStore::ForEachRevenueDescending(sql, [&](int64_t r) { pareto.Add(r); }); !s.ok()) {
            return s;
          }
        }
        f.pareto = pareto.Finish();

        absl::StatusOr<std::vector<TierMoves>> moves = SummaryStore::CountTierMoves(sql, change_spans);
        if (!moves.ok()) return moves.status();
        f.moves = *std::move(moves);
        absl::StatusOr<std::vector<ChurnCounts>> churn = SummaryStore::CountChurn(sql, churn_spans, model->window_days());
        if (!churn.ok()) return churn.status();
        f.churn = *std::move(churn);
        return f;
      });
  if (!figures.ok()) return figures.status();

  crm::v1::TierSummary summary;
  if (figures->run) {
    summary.set_model_version(figures->run->model_version);
    *summary.mutable_as_of() = MicrosToTimestamp(figures->run->as_of_micros);
  }
  int64_t total_revenue = 0;
  for (const ClassGroup& g : figures->tiers) total_revenue += g.revenue_micros;

  auto add_tier = [&](crm::v1::AccountTier tier) {
    crm::v1::TierShare* share = summary.add_tiers();
    share->set_tier(tier);
    share->set_accounts(FindGroup(figures->tiers, tier, &ClassGroup::accounts));
    share->set_revenue_share(Share(FindGroup(figures->tiers, tier, &ClassGroup::revenue_micros), total_revenue));
  };
  for (crm::v1::AccountTier tier : kTiers) add_tier(tier);
  if (FindGroup(figures->tiers, crm::v1::ACCOUNT_TIER_UNSPECIFIED, &ClassGroup::accounts) > 0) {
    add_tier(crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  }
  for (crm::v1::AbcClass abc : kAbcClasses) {
    crm::v1::AbcShare* share = summary.add_abc();
    share->set_abc_class(abc);
    share->set_accounts(FindGroup(figures->abc, abc, &ClassGroup::accounts));
    share->set_revenue_share(Share(FindGroup(figures->abc, abc, &ClassGroup::revenue_micros), total_revenue));
  }
  for (crm::v1::ParetoPoint& p : figures->pareto) *summary.add_pareto() = std::move(p);

  size_t churn_index = 0;
  for (size_t i = 0; i < periods->starts.size(); ++i) {
    crm::v1::PeriodTierChanges* period = summary.add_periods();
    *period->mutable_period_start() = DateFromDayNumber(periods->starts[i]);
    period->set_upgrades(figures->moves[i].upgrades);
    period->set_downgrades(figures->moves[i].downgrades);
    if (periods->starts[i] <= today && churn_index < figures->churn.size()) {
      const ChurnCounts& c = figures->churn[churn_index++];
      period->set_churn_rate(Share(c.churned, c.active));
    }
  }
  return summary;
}

}  // namespace crm::kam
