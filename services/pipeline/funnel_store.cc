#include "services/pipeline/funnel_store.h"

#include <soci/soci.h>

#include <algorithm>
#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "services/pipeline/analytics_store.h"

namespace crm::pipeline {

void StageTally::Add(const StageTally& other, int sign) {
  entered += sign * other.entered;
  converted += sign * other.converted;
  visits += sign * other.visits;
  visit_micros += sign * other.visit_micros;
  closed += sign * other.closed;
  cycle_micros += sign * other.cycle_micros;
}

bool StageTally::IsZero() const {
  return entered == 0 && converted == 0 && visits == 0 && visit_micros == 0 && closed == 0 && cycle_micros == 0;
}

void FunnelTotals::Add(const FunnelTotals& other, int sign) {
  for (const auto& [stage_id, tally] : other.stages) stages[stage_id].Add(tally, sign);
  for (const auto& [key, holding] : other.holdings) {
    HoldingTally& h = holdings[key];
    h.count += sign * holding.count;
    h.micros += sign * holding.micros;
  }
}

bool FunnelTotals::IsZero() const {
  for (const auto& [stage_id, tally] : stages) {
    if (!tally.IsZero()) return false;
  }
  for (const auto& [key, holding] : holdings) {
    if (holding.count != 0 || holding.micros != 0) return false;
  }
  return true;
}

namespace {

// The order of dimensions in a combined slice's name and value, whichever order they are given in.
int DimensionRank(const std::string& dimension) {
  static const char* const kOrder[] = {kSliceOwner, kSliceRegion, kSliceIndustry, kSliceChannel, kSliceCampaign};
  for (int i = 0; i < 5; ++i) {
    if (dimension == kOrder[i]) return i;
  }
  return 5;
}

}  // namespace

const std::vector<std::vector<std::string>>& CombinedDimensions() {
  static const auto* combinations = [] {
    const char* const dimensions[] = {kSliceOwner, kSliceRegion, kSliceIndustry, kSliceChannel, kSliceCampaign};
    auto* all = new std::vector<std::vector<std::string>>;
    for (size_t i = 0; i < std::size(dimensions); ++i) {
      for (size_t j = i + 1; j < std::size(dimensions); ++j) all->push_back({dimensions[i], dimensions[j]});
    }
    // The three dimensions of few values each, and each with an owner: a team is many owners,
    // too many opportunities to sum from the facts.
    all->push_back({kSliceRegion, kSliceIndustry, kSliceChannel});
    all->push_back({kSliceOwner, kSliceRegion, kSliceIndustry});
    all->push_back({kSliceOwner, kSliceRegion, kSliceChannel});
    all->push_back({kSliceOwner, kSliceIndustry, kSliceChannel});
    return all;
  }();
  return *combinations;
}

std::optional<std::vector<std::string>> CombinationOf(std::vector<std::string> dimensions) {
  std::sort(dimensions.begin(), dimensions.end(), [](const std::string& a, const std::string& b) {
    return DimensionRank(a) < DimensionRank(b);
  });
  for (const std::vector<std::string>& combination : CombinedDimensions()) {
    if (combination == dimensions) return combination;
  }
  return std::nullopt;
}

CubeSlice CombinedSlice(std::vector<CubeSlice> parts) {
  std::stable_sort(parts.begin(), parts.end(), [](const CubeSlice& a, const CubeSlice& b) {
    return DimensionRank(a.dimension) < DimensionRank(b.dimension);
  });
  CubeSlice combined;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    absl::StrAppend(&combined.dimension, parts[i].dimension, last ? "" : "+");
    // Each value but the last carries its length, so the joined value is unambiguous whatever
    // the values contain.
    if (last) {
      absl::StrAppend(&combined.value, parts[i].value);
    } else {
      absl::StrAppend(&combined.value, parts[i].value.size(), ":", parts[i].value, "|");
    }
  }
  return combined;
}

bool IsCombinedSlice(const CubeSlice& slice) { return slice.dimension.find('+') != std::string::npos; }

std::vector<CubeRange> SplitPeriod(std::optional<int64_t> from_day, std::optional<int64_t> to_day) {
  // An open end of the period reaches past every stored day.
  constexpr int64_t kUnbounded = int64_t{1} << 40;
  const int64_t from = from_day.value_or(-kUnbounded), to = to_day.value_or(kUnbounded);
  if (from > to) return {};
  // The first day of the first whole month, and the day after the last whole month.
  const int64_t months_from = from_day.has_value() && MonthStart(from) != from ? NextMonthStart(from) : from;
  const int64_t months_end = to_day.has_value() && NextMonthStart(to) != to + 1 ? MonthStart(to) : to + 1;
  std::vector<CubeRange> ranges;
  if (months_from < months_end) {
    ranges.push_back({CubeGrain::kMonth, months_from, months_end - 1});
    if (from < months_from) ranges.push_back({CubeGrain::kDay, from, months_from - 1});
    if (months_end <= to) ranges.push_back({CubeGrain::kDay, months_end, to});
  } else {
    ranges.push_back({CubeGrain::kDay, from, to});
  }
  return ranges;
}

namespace {

// Rows per multi-row INSERT: well below SQLite's 32766 bound parameters at 11 columns.
constexpr int kRowsPerStatement = 500;

const std::vector<std::string>& CubeKey() {
  static const auto* key =
      new std::vector<std::string>{"pipeline_id", "dimension", "dimension_value", "grain", "created_day", "stage_id"};
  return *key;
}
const std::vector<std::string>& HoldingsKey() {
  static const auto* key = new std::vector<std::string>{"pipeline_id", "dimension", "dimension_value", "grain",
                                                        "created_day", "stage_id",  "currency"};
  return *key;
}

constexpr char kCubeInsert[] =
    "INSERT INTO funnel_cube (pipeline_id, dimension, dimension_value, grain, created_day, stage_id, entered,"
    " converted, visits, visit_micros, closed, cycle_micros) VALUES ";
constexpr char kCubeRow[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kHoldingsInsert[] =
    "INSERT INTO funnel_holdings (pipeline_id, dimension, dimension_value, grain, created_day, stage_id, currency,"
    " holding_count, amount_micros) VALUES ";
constexpr char kHoldingsRow[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kFactsInsert[] =
    "INSERT INTO funnel_stage_facts (opportunity_id, stage_id, converted, visits, visit_micros) VALUES ";
constexpr char kFactsRow[] = "(?, ?, ?, ?, ?)";
constexpr char kAttributionInsert[] =
    "INSERT INTO funnel_opportunities (opportunity_id, account_id, pipeline_id, created_day, owner, region, industry,"
    " source_channel, source_campaign_id) VALUES ";
constexpr char kAttributionRow[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

// Rows for one table collected into multi-row INSERT statements of up to kRowsPerStatement.
class RowBatch {
 public:
  RowBatch(soci::session& sql, const char* head, const char* row, std::string suffix = "")
      : sql_(sql), head_(head), row_(row), suffix_(std::move(suffix)) {}

  template <typename... Args>
  void Add(const Args&... args) {
    if (query_ == nullptr) {
      query_ = std::make_unique<db::SqlQuery>(head_);
    } else {
      query_->Append(", ");
    }
    query_->Append(row_, args...);
    if (++rows_ == kRowsPerStatement) Flush();
  }

  void Flush() {
    if (query_ == nullptr) return;
    query_->Append(suffix_);
    db::Execute(sql_, *query_);
    query_.reset();
    rows_ = 0;
  }

 private:
  soci::session& sql_;
  const char* head_;
  const char* row_;
  std::string suffix_;
  std::unique_ptr<db::SqlQuery> query_;
  int rows_ = 0;
};

const char* GrainCode(CubeGrain grain) { return grain == CubeGrain::kDay ? "D" : "M"; }

void AddCubeRows(RowBatch& cube, RowBatch& holdings, const std::string& pipeline_id, CubeGrain grain,
                 long long day, const CubeSlice& slice, const FunnelTotals& totals) {
  const std::string code = GrainCode(grain);
  for (const auto& [stage_id, t] : totals.stages) {
    if (t.IsZero()) continue;
    cube.Add(pipeline_id, slice.dimension, slice.value, code, day, stage_id, static_cast<long long>(t.entered),
             static_cast<long long>(t.converted), static_cast<long long>(t.visits),
             static_cast<long long>(t.visit_micros), static_cast<long long>(t.closed),
             static_cast<long long>(t.cycle_micros));
  }
  for (const auto& [key, h] : totals.holdings) {
    if (h.count == 0 && h.micros == 0) continue;
    holdings.Add(pipeline_id, slice.dimension, slice.value, code, day, key.first, key.second,
                 static_cast<long long>(h.count), static_cast<long long>(h.micros));
  }
}

// Reads rows of (stage_id, six sums) into `totals.stages`.
void ReadStageSums(soci::session& sql, const db::SqlQuery& q, FunnelTotals& totals) {
  std::string stage_id;
  // Sums of lengths in microseconds can pass 2^63 over millions of visits: summed as doubles.
  double visit_micros = 0, cycle_micros = 0;
  long long entered = 0, converted = 0, visits = 0, closed = 0;
  soci::indicator ind[6];
  soci::statement statement(sql);
  statement.alloc();
  statement.prepare(q.text());
  q.BindTo(statement);
  statement.exchange(soci::into(stage_id));
  statement.exchange(soci::into(entered, ind[0]));
  statement.exchange(soci::into(converted, ind[1]));
  statement.exchange(soci::into(visits, ind[2]));
  statement.exchange(soci::into(visit_micros, ind[3]));
  statement.exchange(soci::into(closed, ind[4]));
  statement.exchange(soci::into(cycle_micros, ind[5]));
  statement.define_and_bind();
  statement.execute(false);
  while (statement.fetch()) {
    StageTally& t = totals.stages[stage_id];
    t.entered += ind[0] == soci::i_ok ? entered : 0;
    t.converted += ind[1] == soci::i_ok ? converted : 0;
    t.visits += ind[2] == soci::i_ok ? visits : 0;
    t.visit_micros += ind[3] == soci::i_ok ? static_cast<int64_t>(visit_micros) : 0;
    t.closed += ind[4] == soci::i_ok ? closed : 0;
    t.cycle_micros += ind[5] == soci::i_ok ? static_cast<int64_t>(cycle_micros) : 0;
  }
}

// Reads rows of (stage_id, currency, count, micros) into `totals.holdings`.
void ReadHoldings(soci::session& sql, const db::SqlQuery& q, FunnelTotals& totals) {
  std::string stage_id, currency;
  long long count = 0, micros = 0;
  soci::indicator currency_ind = soci::i_ok, count_ind = soci::i_ok, micros_ind = soci::i_ok;
  soci::statement statement(sql);
  statement.alloc();
  statement.prepare(q.text());
  q.BindTo(statement);
  statement.exchange(soci::into(stage_id));
  statement.exchange(soci::into(currency, currency_ind));
  statement.exchange(soci::into(count, count_ind));
  statement.exchange(soci::into(micros, micros_ind));
  statement.define_and_bind();
  statement.execute(false);
  while (statement.fetch()) {
    HoldingTally& h = totals.holdings[{stage_id, currency_ind == soci::i_ok ? currency : std::string()}];
    h.count += count_ind == soci::i_ok ? count : 0;
    h.micros += micros_ind == soci::i_ok ? micros : 0;
  }
}

}  // namespace

absl::StatusOr<StageFacts> FunnelStore::LoadFacts(soci::session& sql, const std::string& opportunity_id) {
  StageFacts facts;
  absl::Status status = db::Guard("load funnel facts", [&]() -> absl::Status {
    std::string stage_id;
    long long converted = 0, visits = 0, visit_micros = 0;
    soci::statement statement =
        (sql.prepare << "SELECT stage_id, converted, visits, visit_micros FROM funnel_stage_facts"
                        " WHERE opportunity_id = :id",
         soci::use(opportunity_id), soci::into(stage_id), soci::into(converted), soci::into(visits),
         soci::into(visit_micros));
    statement.execute(false);
    while (statement.fetch()) facts[stage_id] = StageFact{converted, visits, visit_micros};
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return facts;
}

absl::Status FunnelStore::AddToFacts(db::Tx& tx, const std::string& opportunity_id, const StageFacts& changes) {
  if (changes.empty()) return absl::OkStatus();
  return db::Guard("update funnel facts", [&]() -> absl::Status {
    RowBatch facts(tx.session(), kFactsInsert, kFactsRow,
                   tx.dialect().OnConflictAdd({"opportunity_id", "stage_id"}, {"converted", "visits", "visit_micros"}));
    for (const auto& [stage_id, f] : changes) {
      facts.Add(opportunity_id, stage_id, static_cast<long long>(f.converted), static_cast<long long>(f.visits),
                static_cast<long long>(f.visit_micros));
    }
    facts.Flush();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<FunnelAttribution>> FunnelStore::LoadAttribution(soci::session& sql,
                                                                              const std::string& opportunity_id) {
  std::optional<FunnelAttribution> found;
  absl::Status status = db::Guard("load funnel attribution", [&]() -> absl::Status {
    FunnelAttribution a;
    long long created_day = 0, channel = 0;
    sql << "SELECT account_id, pipeline_id, created_day, owner, region, industry, source_channel, source_campaign_id"
           " FROM funnel_opportunities WHERE opportunity_id = :id",
        soci::use(opportunity_id), soci::into(a.account_id), soci::into(a.pipeline_id), soci::into(created_day),
        soci::into(a.owner), soci::into(a.account.region), soci::into(a.account.industry), soci::into(channel),
        soci::into(a.source_campaign_id);
    if (!sql.got_data()) return absl::OkStatus();
    a.created_day = created_day;
    a.source_channel = static_cast<int>(channel);
    found = std::move(a);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::Status FunnelStore::SaveAttribution(db::Tx& tx, const std::string& opportunity_id,
                                          const FunnelAttribution& a) {
  return db::Guard("save funnel attribution", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    const long long created_day = a.created_day, channel = a.source_channel;
    soci::statement update =
        (sql.prepare << "UPDATE funnel_opportunities SET account_id = :account_id, pipeline_id = :pipeline_id,"
                        " created_day = :created_day, owner = :owner, region = :region, industry = :industry,"
                        " source_channel = :channel, source_campaign_id = :campaign WHERE opportunity_id = :id",
         soci::use(a.account_id), soci::use(a.pipeline_id), soci::use(created_day), soci::use(a.owner),
         soci::use(a.account.region), soci::use(a.account.industry), soci::use(channel),
         soci::use(a.source_campaign_id), soci::use(opportunity_id));
    update.execute(true);
    if (update.get_affected_rows() > 0) return absl::OkStatus();
    db::SqlQuery insert(kAttributionInsert);
    insert.Append(kAttributionRow, opportunity_id, a.account_id, a.pipeline_id, created_day, a.owner, a.account.region,
                  a.account.industry, channel, a.source_campaign_id);
    db::Execute(sql, insert);
    return absl::OkStatus();
  });
}

// Both scanned, so that SQLite runs its kept statements: the account-change consumer asks them
// for every changed account, inside the write transaction all writers queue behind.
absl::StatusOr<std::optional<AccountAttribution>> FunnelStore::CurrentOfAccount(soci::session& sql,
                                                                                const std::string& account_id) {
  db::SqlQuery q("SELECT region, industry FROM accounts");
  q.Where("id = ?", account_id);
  return db::ScanOne<AccountAttribution>(sql, q, "read account region and industry", [](const db::ScannedRow& row) {
    AccountAttribution a;
    a.region = std::string(row.Text(0));
    a.industry = std::string(row.Text(1));
    return a;
  });
}

absl::StatusOr<std::vector<std::string>> FunnelStore::StaleAttributions(soci::session& sql,
                                                                       const std::string& account_id,
                                                                       const AccountAttribution& current) {
  db::SqlQuery q("SELECT opportunity_id FROM funnel_opportunities");
  q.Where("account_id = ?", account_id);
  q.Where("(region <> ? OR industry <> ?)", current.region, current.industry);
  q.Append(" ORDER BY opportunity_id");
  return db::ScanAll<std::string>(sql, q, "find stale funnel attributions", db::FirstText);
}

absl::Status FunnelStore::AddToCube(db::Tx& tx, const std::string& pipeline_id, int64_t created_day,
                                    const std::vector<CubeSlice>& slices, const FunnelTotals& totals) {
  if (totals.IsZero()) return absl::OkStatus();
  return db::Guard("update funnel aggregates", [&]() -> absl::Status {
    RowBatch cube(tx.session(), kCubeInsert, kCubeRow,
                  tx.dialect().OnConflictAdd(CubeKey(), {"entered", "converted", "visits", "visit_micros", "closed",
                                                         "cycle_micros"}));
    RowBatch holdings(tx.session(), kHoldingsInsert, kHoldingsRow,
                      tx.dialect().OnConflictAdd(HoldingsKey(), {"holding_count", "amount_micros"}));
    // Each change lands in its day's rows and in its month's (which serve whole months).
    for (const CubeSlice& slice : slices) {
      if (!IsCombinedSlice(slice)) {
        AddCubeRows(cube, holdings, pipeline_id, CubeGrain::kDay, static_cast<long long>(created_day), slice, totals);
      }
      AddCubeRows(cube, holdings, pipeline_id, CubeGrain::kMonth, static_cast<long long>(MonthStart(created_day)),
                  slice, totals);
    }
    cube.Flush();
    holdings.Flush();
    return absl::OkStatus();
  });
}

absl::StatusOr<FunnelTotals> FunnelStore::SumCube(soci::session& sql, const std::string& pipeline_id,
                                                  const std::string& dimension, const std::vector<std::string>& values,
                                                  const std::vector<CubeRange>& ranges) {
  FunnelTotals totals;
  if (values.empty()) return totals;
  absl::Status status = db::Guard("sum funnel aggregates", [&]() -> absl::Status {
    for (const CubeRange& range : ranges) {
      const auto scope = [&](db::SqlQuery& q) {
        q.Where("pipeline_id = ?", pipeline_id);
        q.Where("dimension = ?", dimension);
        q.WhereIn("dimension_value", values);
        q.Where("grain = ?", GrainCode(range.grain));
        q.Where("created_day >= ?", static_cast<long long>(range.from));
        q.Where("created_day <= ?", static_cast<long long>(range.to));
      };
      db::SqlQuery stages(
          "SELECT stage_id, SUM(entered), SUM(converted), SUM(visits), SUM(CAST(visit_micros AS DOUBLE)),"
          " SUM(closed), SUM(CAST(cycle_micros AS DOUBLE)) FROM funnel_cube");
      scope(stages);
      stages.Append(" GROUP BY stage_id");
      ReadStageSums(sql, stages, totals);
      db::SqlQuery holdings("SELECT stage_id, currency, SUM(holding_count), SUM(amount_micros) FROM funnel_holdings");
      scope(holdings);
      holdings.Append(" GROUP BY stage_id, currency");
      ReadHoldings(sql, holdings, totals);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

absl::StatusOr<FunnelTotals> FunnelStore::SumFacts(soci::session& sql, const AnalyticsScope& scope) {
  FunnelTotals totals;
  // Filtered on the attribution row (alias a): what each opportunity is counted under in the
  // cube, so both paths count it alike. Its indexes lead with the pipeline and then the
  // creation day, the owner or the campaign, and carry every filter column.
  const auto scoped = [&](db::SqlQuery& q) {
    q.Where("a.pipeline_id = ?", scope.pipeline_id);
    if (scope.from_day.has_value()) q.Where("a.created_day >= ?", static_cast<long long>(*scope.from_day));
    if (scope.to_day.has_value()) q.Where("a.created_day <= ?", static_cast<long long>(*scope.to_day));
    if (!scope.owner.empty()) q.Where("a.owner = ?", scope.owner);
    if (scope.owners.has_value()) q.WhereIn("a.owner", *scope.owners);
    if (!scope.region.empty()) q.Where("a.region = ?", scope.region);
    if (!scope.industry.empty()) q.Where("a.industry = ?", scope.industry);
    if (scope.source_channel != 0) q.Where("a.source_channel = ?", static_cast<long long>(scope.source_channel));
    if (!scope.source_campaign_id.empty()) q.Where("a.source_campaign_id = ?", scope.source_campaign_id);
  };
  // One pass over the matching opportunities: each joins its facts (one row per stage entered)
  // and its opportunity row; the row of the stage it is in now (always entered) carries its
  // holding and, when closed, its cycle.
  db::SqlQuery q(
      "SELECT f.stage_id, o.amount_currency, COUNT(*), SUM(f.converted), SUM(f.visits),"
      " SUM(CAST(f.visit_micros AS DOUBLE)),"
      " SUM(CASE WHEN f.stage_id = o.stage_id THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN f.stage_id = o.stage_id AND o.amount_currency IS NOT NULL THEN o.amount_micros ELSE 0 END),"
      " SUM(CASE WHEN f.stage_id = o.stage_id AND o.close_time IS NOT NULL THEN 1 ELSE 0 END),"
      " SUM(CASE WHEN f.stage_id = o.stage_id AND o.close_time IS NOT NULL"
      " THEN CAST(o.close_time - o.create_time AS DOUBLE) ELSE 0 END)"
      " FROM funnel_opportunities a JOIN opportunities o ON o.id = a.opportunity_id"
      " JOIN funnel_stage_facts f ON f.opportunity_id = a.opportunity_id");
  scoped(q);
  q.Append(" GROUP BY f.stage_id, o.amount_currency");
  absl::Status status = db::Guard("sum funnel facts", [&]() -> absl::Status {
    std::string stage_id, currency;
    long long entered = 0, converted = 0, visits = 0, holding_count = 0, amount = 0, closed = 0;
    // Sums of lengths in microseconds can pass 2^63 over millions of visits: summed as doubles.
    double visit_micros = 0, cycle_micros = 0;
    soci::indicator currency_ind = soci::i_ok;
    soci::statement statement(sql);
    statement.alloc();
    statement.prepare(q.text());
    q.BindTo(statement);
    statement.exchange(soci::into(stage_id));
    statement.exchange(soci::into(currency, currency_ind));
    statement.exchange(soci::into(entered));
    statement.exchange(soci::into(converted));
    statement.exchange(soci::into(visits));
    statement.exchange(soci::into(visit_micros));
    statement.exchange(soci::into(holding_count));
    statement.exchange(soci::into(amount));
    statement.exchange(soci::into(closed));
    statement.exchange(soci::into(cycle_micros));
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      StageTally& t = totals.stages[stage_id];
      t.entered += entered;
      t.converted += converted;
      t.visits += visits;
      t.visit_micros += static_cast<int64_t>(visit_micros);
      t.closed += closed;
      t.cycle_micros += static_cast<int64_t>(cycle_micros);
      if (holding_count == 0) continue;
      HoldingTally& h = totals.holdings[{stage_id, currency_ind == soci::i_ok ? currency : std::string()}];
      h.count += holding_count;
      h.micros += amount;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

absl::Status FunnelStore::Clear(soci::session& sql) {
  return db::Guard("clear funnel aggregates", [&]() -> absl::Status {
    for (const char* table : {"funnel_cube", "funnel_holdings", "funnel_stage_facts", "funnel_opportunities"}) {
      sql << "DELETE FROM " << table;
    }
    return absl::OkStatus();
  });
}

absl::Status FunnelStore::ForEachOpportunity(soci::session& sql,
                                             const std::function<absl::Status(OpportunityRow&)>& each) {
  absl::Status result;
  absl::Status status = db::Guard("read opportunities for the funnel", [&]() -> absl::Status {
    OpportunityRow row;
    long long status_value = 0, amount = 0, created = 0, closed = 0, channel = 0;
    std::string currency;
    soci::indicator currency_ind = soci::i_ok, closed_ind = soci::i_ok;
    soci::statement statement =
        (sql.prepare << "SELECT o.id, o.account_id, o.pipeline_id, o.stage_id, o.status, o.amount_currency,"
                        " o.amount_micros, o.create_time, o.close_time, o.owner, o.source_channel,"
                        " o.source_campaign_id, a.region, a.industry"
                        " FROM opportunities o JOIN accounts a ON a.id = o.account_id ORDER BY o.id",
         soci::into(row.id), soci::into(row.account_id), soci::into(row.pipeline_id), soci::into(row.stage_id),
         soci::into(status_value), soci::into(currency, currency_ind), soci::into(amount), soci::into(created),
         soci::into(closed, closed_ind), soci::into(row.owner), soci::into(channel),
         soci::into(row.source_campaign_id), soci::into(row.attribution.region),
         soci::into(row.attribution.industry));
    statement.execute(false);
    while (statement.fetch()) {
      row.status = static_cast<int>(status_value);
      row.currency = currency_ind == soci::i_ok ? std::optional<std::string>(currency) : std::nullopt;
      row.amount_micros = row.currency.has_value() ? amount : 0;
      row.create_micros = created;
      row.close_micros = closed_ind == soci::i_ok ? std::optional<int64_t>(closed) : std::nullopt;
      row.source_channel = static_cast<int>(channel);
      result = each(row);
      if (!result.ok()) break;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status FunnelStore::ForEachHistoryRow(soci::session& sql,
                                            const std::function<absl::Status(const HistoryRow&)>& each) {
  absl::Status result;
  absl::Status status = db::Guard("read stage history for the funnel", [&]() -> absl::Status {
    HistoryRow row;
    long long change = 0;
    soci::statement statement =
        (sql.prepare << "SELECT opportunity_id, to_stage_id, change_time FROM stage_changes"
                        " ORDER BY opportunity_id, sequence",
         soci::into(row.opportunity_id), soci::into(row.to_stage_id), soci::into(change));
    statement.execute(false);
    while (statement.fetch()) {
      row.change_micros = change;
      result = each(row);
      if (!result.ok()) break;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

struct FunnelStore::BulkWriter::Pending {
  explicit Pending(soci::session& sql)
      : attribution(sql, kAttributionInsert, kAttributionRow),
        facts(sql, kFactsInsert, kFactsRow),
        cube(sql, kCubeInsert, kCubeRow),
        holdings(sql, kHoldingsInsert, kHoldingsRow) {}
  RowBatch attribution, facts, cube, holdings;
};

absl::Status FunnelStore::BulkWriter::Attribution(const std::string& opportunity_id, const FunnelAttribution& a) {
  if (pending_ == nullptr) pending_ = std::make_shared<Pending>(sql_);
  return db::Guard("write funnel attributions", [&]() -> absl::Status {
    pending_->attribution.Add(opportunity_id, a.account_id, a.pipeline_id, static_cast<long long>(a.created_day),
                              a.owner, a.account.region, a.account.industry, static_cast<long long>(a.source_channel),
                              a.source_campaign_id);
    return absl::OkStatus();
  });
}

absl::Status FunnelStore::BulkWriter::Facts(const std::string& opportunity_id, const StageFacts& facts) {
  if (pending_ == nullptr) pending_ = std::make_shared<Pending>(sql_);
  return db::Guard("write funnel facts", [&]() -> absl::Status {
    for (const auto& [stage_id, f] : facts) {
      pending_->facts.Add(opportunity_id, stage_id, static_cast<long long>(f.converted),
                          static_cast<long long>(f.visits), static_cast<long long>(f.visit_micros));
    }
    return absl::OkStatus();
  });
}

absl::Status FunnelStore::BulkWriter::Cube(const std::string& pipeline_id, CubeGrain grain, int64_t created_day,
                                           const CubeSlice& slice, const FunnelTotals& totals) {
  if (pending_ == nullptr) pending_ = std::make_shared<Pending>(sql_);
  return db::Guard("write funnel aggregates", [&]() -> absl::Status {
    AddCubeRows(pending_->cube, pending_->holdings, pipeline_id, grain, static_cast<long long>(created_day), slice,
                totals);
    return absl::OkStatus();
  });
}

absl::Status FunnelStore::BulkWriter::Finish() {
  if (pending_ == nullptr) return absl::OkStatus();
  return db::Guard("write funnel aggregates", [&]() -> absl::Status {
    pending_->attribution.Flush();
    pending_->facts.Flush();
    pending_->cube.Flush();
    pending_->holdings.Flush();
    return absl::OkStatus();
  });
}

}  // namespace crm::pipeline
