#include "services/kam/summary_store.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::kam {
namespace {

constexpr char kSelectLastFinishedRun[] =
    "SELECT model_version, as_of FROM kam_runs WHERE finish_time IS NOT NULL AND dry_run = 0"
    " ORDER BY finish_time DESC, id DESC LIMIT 1";
constexpr char kSelectByTier[] =
    "SELECT tier, COUNT(*), COALESCE(SUM(revenue_micros), 0) FROM kam_classifications GROUP BY tier ORDER BY tier";
constexpr char kSelectByAbc[] =
    "SELECT abc, COUNT(*), COALESCE(SUM(revenue_micros), 0) FROM kam_classifications GROUP BY abc ORDER BY abc";
constexpr char kSelectRevenueDescending[] =
    "SELECT revenue_micros FROM kam_classifications ORDER BY revenue_micros DESC";

// Rows per round trip of the revenue stream.
constexpr size_t kRevenueBatch = 10000;

absl::StatusOr<std::vector<ClassGroup>> Groups(soci::session& sql, const char* statement, absl::string_view context) {
  // Typed into(): a MariaDB SUM is DECIMAL, which a generic row would hand over as a double.
  constexpr size_t kMaxGroups = 16;
  std::vector<long long> values(kMaxGroups), accounts(kMaxGroups), revenue(kMaxGroups);
  std::vector<ClassGroup> groups;
  absl::Status status = db::Guard(context, [&]() -> absl::Status {
    soci::statement st = (sql.prepare << statement, soci::into(values), soci::into(accounts), soci::into(revenue));
    if (!st.execute(true)) return absl::OkStatus();
    do {
      for (size_t i = 0; i < values.size(); ++i) groups.push_back(ClassGroup{values[i], accounts[i], revenue[i]});
      values.resize(kMaxGroups);
      accounts.resize(kMaxGroups);
      revenue.resize(kMaxGroups);
    } while (st.fetch());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return groups;
}

// Runs `query`, whose one row holds `columns` integer aggregates, and returns them.
absl::StatusOr<std::vector<int64_t>> AggregateRow(soci::session& sql, const db::SqlQuery& query, size_t columns,
                                                  absl::string_view context) {
  std::vector<int64_t> values(columns, 0);
  absl::Status status = db::Guard(context, [&]() -> absl::Status {
    soci::row row;
    soci::statement statement(sql);
    statement.alloc();
    statement.prepare(query.text());
    query.BindTo(statement);
    statement.exchange(soci::into(row));
    statement.define_and_bind();
    if (statement.execute(true)) {
      for (size_t i = 0; i < columns && i < row.size(); ++i) values[i] = db::GetInt64(row, i);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return values;
}

}  // namespace

absl::StatusOr<std::optional<FinishedRun>> SummaryStore::LastFinishedRun(soci::session& sql) {
  std::optional<FinishedRun> run;
  absl::Status status = db::Guard("read the last reclassification", [&]() -> absl::Status {
    soci::rowset<soci::row> rows = (sql.prepare << kSelectLastFinishedRun);
    for (const soci::row& r : rows) {
      run = FinishedRun{static_cast<int32_t>(db::GetInt64(r, 0)), db::GetInt64(r, 1)};
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return run;
}

absl::StatusOr<std::vector<ClassGroup>> SummaryStore::GroupByTier(soci::session& sql) {
  return Groups(sql, kSelectByTier, "count classifications by tier");
}

absl::StatusOr<std::vector<ClassGroup>> SummaryStore::GroupByAbc(soci::session& sql) {
  return Groups(sql, kSelectByAbc, "count classifications by ABC class");
}

absl::Status SummaryStore::ForEachRevenueDescending(soci::session& sql, const std::function<void(int64_t)>& on_revenue) {
  return db::Guard("read revenue in descending order", [&]() -> absl::Status {
    std::vector<long long> batch(kRevenueBatch);
    soci::statement statement = (sql.prepare << kSelectRevenueDescending, soci::into(batch));
    if (!statement.execute(true)) return absl::OkStatus();
    do {
      for (long long revenue : batch) on_revenue(revenue);
      if (batch.size() < kRevenueBatch) break;
      batch.resize(kRevenueBatch);
    } while (statement.fetch());
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<TierMoves>> SummaryStore::CountTierMoves(soci::session& sql, const std::vector<Span>& spans) {
  if (spans.empty()) return std::vector<TierMoves>();
  // Two sums per span; the WHERE bounds the pass to the spans on the change_time index.
  db::SqlQuery q("SELECT ");
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto start = static_cast<long long>(spans[i].start);
    const auto end = static_cast<long long>(spans[i].end);
    q.Append(i == 0 ? "" : ", ");
    q.Append("COALESCE(SUM(CASE WHEN change_time >= ? AND change_time < ? AND new_tier < old_tier THEN 1 ELSE 0 END), 0),",
             start, end);
    q.Append(" COALESCE(SUM(CASE WHEN change_time >= ? AND change_time < ? AND new_tier > old_tier THEN 1 ELSE 0 END), 0)",
             start, end);
  }
  q.Append(" FROM kam_tier_changes");
  q.Where("change_time >= ?", static_cast<long long>(spans.front().start));
  q.Where("change_time < ?", static_cast<long long>(spans.back().end));
  q.Where("old_tier <> 0").Where("new_tier <> 0");
  absl::StatusOr<std::vector<int64_t>> sums = AggregateRow(sql, q, spans.size() * 2, "count tier changes per period");
  if (!sums.ok()) return sums.status();
  std::vector<TierMoves> moves(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) moves[i] = TierMoves{(*sums)[2 * i], (*sums)[2 * i + 1]};
  return moves;
}

absl::StatusOr<std::vector<ChurnCounts>> SummaryStore::CountChurn(soci::session& sql, const std::vector<Span>& day_spans,
                                                                  int window_days) {
  if (day_spans.empty()) return std::vector<ChurnCounts>();
  const long long window = window_days;
  long long lowest = day_spans.front().start - window, highest = day_spans.front().end;
  for (const Span& span : day_spans) {
    lowest = std::min(lowest, static_cast<long long>(span.start) - window);
    highest = std::max(highest, static_cast<long long>(span.end));
  }
  // Outer (no parameters): per span, the active accounts and those of them that went silent.
  // Inner: per account, whether it ordered in the window before each span's start (a<i>) and
  // before its end (b<i>).
  db::SqlQuery q("SELECT ");
  for (size_t i = 0; i < day_spans.size(); ++i) {
    q.Append(absl::StrCat(i == 0 ? "" : ", ", "COALESCE(SUM(a", i, "), 0), COALESCE(SUM(CASE WHEN a", i, " = 1 AND b",
                          i, " = 0 THEN 1 ELSE 0 END), 0)"));
  }
  q.Append(" FROM (");
  for (size_t i = 0; i < day_spans.size(); ++i) {
    const long long s = day_spans[i].start, e = day_spans[i].end;
    q.Append(i == 0 ? "SELECT " : ", ");
    q.Append(absl::StrCat("MAX(CASE WHEN order_day >= ? AND order_day < ? THEN 1 ELSE 0 END) AS a", i), s - window, s);
    q.Append(absl::StrCat(", MAX(CASE WHEN order_day >= ? AND order_day < ? THEN 1 ELSE 0 END) AS b", i), e - window,
             e);
  }
  q.Append(" FROM orders WHERE status <> ? AND order_day >= ? AND order_day < ? GROUP BY account_id) per_account",
           static_cast<int>(crm::v1::ORDER_STATUS_CANCELLED), lowest, highest);
  absl::StatusOr<std::vector<int64_t>> sums = AggregateRow(sql, q, day_spans.size() * 2, "count churn per period");
  if (!sums.ok()) return sums.status();
  std::vector<ChurnCounts> counts(day_spans.size());
  for (size_t i = 0; i < day_spans.size(); ++i) counts[i] = ChurnCounts{(*sums)[2 * i], (*sums)[2 * i + 1]};
  return counts;
}

}  // namespace crm::kam
