#include "services/kam/facts_store.h"

#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/money.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.pb.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/servicedesk/ticket_store.h"

namespace crm::kam {
namespace {

absl::Time DayStart(int64_t day) { return absl::UnixEpoch() + absl::Hours(24) * day; }

// Positions the rows of each aggregate (in account id order) on the accounts (in id order).
class Merger {
 public:
  explicit Merger(std::vector<AccountData>& accounts, size_t start = 0) : accounts_(accounts), pos_(start) {}
  // The account with this id, or null (deleted accounts have orders too).
  AccountData* Find(const std::string& id) {
    while (pos_ < accounts_.size() && accounts_[pos_].facts.account_id < id) ++pos_;
    if (pos_ < accounts_.size() && accounts_[pos_].facts.account_id == id) return &accounts_[pos_];
    return nullptr;
  }

 private:
  std::vector<AccountData>& accounts_;
  size_t pos_;
};

class FactsReader {
 public:
  FactsReader(const FactsWindow& window, const std::function<bool(int64_t)>& on_progress)
      : window_(window), on_progress_(on_progress) {
    as_of_day_ = DayNumberOf(window.as_of);
    window_start_ = as_of_day_ - window.window_days;
    trend_start_ = as_of_day_ - window.trend_period_days;
    previous_start_ = trend_start_ - window.trend_period_days;
  }

  // Everything on one session (one account, or a small database).
  absl::StatusOr<std::vector<AccountData>> ReadOn(soci::session& sql, const std::optional<std::string>& only) {
    only_ = only;
    std::vector<AccountData> accounts;
    absl::Status status = db::Guard("read account facts", [&]() -> absl::Status {
      if (absl::Status s = LoadConverter(sql); !s.ok()) return s;
      if (absl::Status s = ReadAccounts(sql, accounts); !s.ok()) return s;
      if (cancelled_) return absl::OkStatus();
      if (absl::Status s = ReadOrders(sql, accounts, 0, accounts.size(), /*lead=*/true); !s.ok()) return s;
      Derive(accounts);
      if (cancelled_) return absl::OkStatus();
      return ReadRest(sql, accounts);
    });
    if (!status.ok()) return status;
    if (cancelled_) return absl::CancelledError("reclassification cancelled");
    return accounts;
  }

  // The orders pass, by far the largest, split into `partitions` account-id ranges read at once
  // on their own pooled sessions (each its own snapshot); the rest on one session.
  absl::StatusOr<std::vector<AccountData>> ReadAll(db::Database& db, absl::Time deadline, int partitions) {
    std::vector<AccountData> accounts;
    absl::Status status = db.Read(
        [&](soci::session& sql) {
          return db::Guard("read accounts", [&]() -> absl::Status {
            if (absl::Status s = LoadConverter(sql); !s.ok()) return s;
            return ReadAccounts(sql, accounts);
          });
        },
        deadline);
    if (!status.ok()) return status;
    if (cancelled_) return absl::CancelledError("reclassification cancelled");

    const size_t n = accounts.size();
    const size_t k = std::max<size_t>(1, std::min<size_t>(partitions, n));
    std::vector<absl::Status> results(k);
    auto read_range = [&](size_t p) {
      const size_t begin = n * p / k, end = n * (p + 1) / k;
      results[p] = db.Read(
          [&](soci::session& sql) {
            return db::Guard("read orders", [&] { return ReadOrders(sql, accounts, begin, end, /*lead=*/p == 0); });
          },
          deadline);
      if (!results[p].ok()) cancelled_ = true;  // the others stop at their next batch
    };
    std::vector<std::thread> helpers;
    for (size_t p = 1; p < k; ++p) helpers.emplace_back(read_range, p);
    read_range(0);
    for (std::thread& t : helpers) t.join();
    for (const absl::Status& result : results) {
      if (!result.ok() && !absl::IsCancelled(result)) return result;
    }
    if (cancelled_) return absl::CancelledError("reclassification cancelled");
    Derive(accounts);

    status = db.Read(
        [&](soci::session& sql) {
          return db::Guard("read account facts", [&] { return ReadRest(sql, accounts); });
        },
        deadline);
    if (!status.ok()) return status;
    if (cancelled_) return absl::CancelledError("reclassification cancelled");
    return accounts;
  }

 private:
  // Counts rows read; only the lead reader (the caller's thread) reports, so on_progress is
  // never called concurrently.
  void Progress(size_t rows, bool lead) {
    const int64_t total = rows_ += static_cast<int64_t>(rows);
    if (lead && on_progress_ && !on_progress_(total)) cancelled_ = true;
  }

  void Narrow(db::SqlQuery& q, absl::string_view column) {
    if (only_) q.Where(absl::StrCat(column, " = ?"), *only_);
  }

  absl::Status LoadConverter(soci::session& sql) {
    absl::StatusOr<pipeline::SalesConfig> config = pipeline::LoadSalesConfig(sql);
    if (!config.ok()) return config.status();
    converter_ = config->converter;
    return absl::OkStatus();
  }

  absl::Status ReadRest(soci::session& sql, std::vector<AccountData>& accounts) {
    if (absl::Status s = ReadTickets(sql, accounts); !s.ok()) return s;
    if (absl::Status s = ReadSurveys(sql, accounts); !s.ok()) return s;
    return ReadQualitative(sql, accounts);
  }

  // Profit and the overdue share, once every currency of every account is summed.
  void Derive(std::vector<AccountData>& accounts) {
    for (size_t i = 0; i < accounts.size(); ++i) {
      AccountFacts& f = accounts[i].facts;
      f.profit_minor = static_cast<int64_t>(static_cast<double>(f.revenue_minor) * window_.margin);
      if (overdue_[i] > 0 && f.revenue_minor > 0) {
        f.overdue_share =
            std::clamp(static_cast<double>(overdue_[i]) / static_cast<double>(f.revenue_minor), 0.0, 1.0);
      }
    }
  }

  // Rows between progress reports (and cancellation checks) of a scan.
  static constexpr int64_t kReportEvery = 10000;

  absl::Status ReadAccounts(soci::session& sql, std::vector<AccountData>& accounts) {
    db::SqlQuery q("SELECT id, owner, tier FROM accounts");
    q.Where("delete_time IS NULL");
    Narrow(q, "id");
    q.Append(" ORDER BY id");
    int64_t rows = 0;
    absl::Status status = db::ScanRows(sql, q, "read accounts", [&](const db::ScannedRow& row) {
      AccountData& a = accounts.emplace_back();
      a.facts.account_id = std::string(row.Text(0));
      a.owner = std::string(row.Text(1));
      a.tier = static_cast<crm::v1::AccountTier>(row.Int(2));
      if (++rows % kReportEvery == 0) Progress(kReportEvery, true);
      return !cancelled_;
    });
    overdue_.assign(accounts.size(), 0);
    return status;
  }

  // Orders of the accounts [begin, end) (in id order).
  absl::Status ReadOrders(soci::session& sql, std::vector<AccountData>& accounts, size_t begin, size_t end, bool lead) {
    if (begin >= end) return absl::OkStatus();
    // One row per account and currency; the CASE sums split the counted orders into the window,
    // the trend periods and the overdue amount in one pass over the scoring index.
    db::SqlQuery q("");
    q.Append(absl::StrCat(
        "SELECT account_id, currency, MIN(order_day), MAX(order_day), COUNT(*), SUM(total_micros),"
        " SUM(CASE WHEN order_day > ? THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN order_day > ? THEN total_micros ELSE 0 END),"
        " SUM(CASE WHEN order_day > ? THEN total_micros ELSE 0 END),"
        " SUM(CASE WHEN order_day > ? AND order_day <= ? THEN total_micros ELSE 0 END),"
        " SUM(CASE WHEN order_day > ? AND status = ", static_cast<int>(crm::v1::ORDER_STATUS_OPEN),
        " AND due_day < ? THEN total_micros - paid_micros ELSE 0 END)"
        " FROM orders"),
             static_cast<long long>(window_start_), static_cast<long long>(window_start_),
             static_cast<long long>(trend_start_), static_cast<long long>(previous_start_),
             static_cast<long long>(trend_start_), static_cast<long long>(window_start_),
             static_cast<long long>(as_of_day_));
    q.Where("status <> ?", static_cast<int>(crm::v1::ORDER_STATUS_CANCELLED));
    q.Where("order_day <= ?", static_cast<long long>(as_of_day_));
    Narrow(q, "account_id");
    if (!only_) {
      // The range of this partition; the first and last are open-ended so that orders of
      // accounts not read (deleted meanwhile, say) need no special case.
      if (begin > 0) q.Where("account_id >= ?", accounts[begin].facts.account_id);
      if (end < accounts.size()) q.Where("account_id < ?", accounts[end].facts.account_id);
    }
    q.Append(" GROUP BY account_id, currency ORDER BY account_id, currency");

    absl::Status failure;
    Merger merger(accounts, begin);
    int64_t rows = 0;
    absl::Status status = db::ScanRows(sql, q, "read orders", [&](const db::ScannedRow& row) {
      if (++rows % kReportEvery == 0) Progress(kReportEvery, lead);
      const std::string id(row.Text(0));
      AccountData* a = merger.Find(id);
      if (a == nullptr) return !cancelled_;
      const absl::string_view currency = row.Text(1);
      auto base = [&](int64_t micros) -> int64_t {
        if (currency == converter_.base_currency()) return micros;
        absl::StatusOr<int64_t> converted = converter_.ToBaseMicros(Amount{std::string(currency), micros}, "orders");
        if (!converted.ok()) {
          failure = FailedPreconditionField(
              "sales_settings.rates", absl::StrCat("orders of account ", id, " are in ", currency,
                                                   ", which has no exchange rate to ", converter_.base_currency()));
          return 0;
        }
        return *converted;
      };
      AccountFacts& f = a->facts;
      const absl::Time first_time = DayStart(row.Int(2));
      const absl::Time last_time = DayStart(row.Int(3));
      if (!f.first_order_time || first_time < *f.first_order_time) f.first_order_time = first_time;
      if (!f.last_order_time || last_time > *f.last_order_time) f.last_order_time = last_time;
      a->lifetime_orders += row.Int(4);
      a->lifetime_revenue_micros += base(row.Int(5));
      f.orders_in_window += row.Int(6);
      f.revenue_minor += base(row.Int(7));
      f.recent_revenue_minor += base(row.Int(8));
      f.previous_revenue_minor += base(row.Int(9));
      overdue_[a - accounts.data()] += base(row.Int(10));
      return failure.ok() && !cancelled_;
    });
    if (!status.ok()) return status;
    return failure;
  }

  // Runs `query` (rows in account id order, the id first) and hands each row to `apply` with its
  // account, skipping ids of accounts not read (deleted ones).
  absl::Status MergeRows(soci::session& sql, const db::SqlQuery& query, absl::string_view context,
                         std::vector<AccountData>& accounts,
                         absl::FunctionRef<void(AccountData&, const db::ScannedRow&)> apply) {
    Merger merger(accounts);
    size_t rows = 0;
    absl::Status status = db::ScanRows(sql, query, context, [&](const db::ScannedRow& row) {
      if (++rows % kReportEvery == 0) Progress(kReportEvery, true);
      if (AccountData* a = merger.Find(std::string(row.Text(0)))) apply(*a, row);
      return !cancelled_;
    });
    Progress(rows % kReportEvery, true);
    return status;
  }

  absl::Status ReadTickets(soci::session& sql, std::vector<AccountData>& accounts) {
    db::SqlQuery q("SELECT account_id, COUNT(*) FROM tickets");
    q.Where("priority = ?", static_cast<int>(crm::v1::TICKET_PRIORITY_P1));
    servicedesk::WhereTicketOpen(q);
    q.Where("create_time <= ?", static_cast<long long>(absl::ToUnixMicros(window_.as_of)));
    Narrow(q, "account_id");
    q.Append(" GROUP BY account_id ORDER BY account_id");
    return MergeRows(sql, q, "read open P1 tickets", accounts,
                     [](AccountData& a, const db::ScannedRow& row) { a.open_p1_tickets = row.Int(1); });
  }

  absl::Status ReadSurveys(soci::session& sql, std::vector<AccountData>& accounts) {
    const long long as_of = absl::ToUnixMicros(window_.as_of);
    const long long since = absl::ToUnixMicros(DayStart(window_start_ + 1));
    db::SqlQuery q("SELECT t.account_id, SUM(s.score), COUNT(*) FROM satisfaction_surveys s"
                   " JOIN tickets t ON t.id = s.ticket_id");
    q.Where("s.create_time >= ?", since).Where("s.create_time <= ?", as_of);
    Narrow(q, "t.account_id");
    q.Append(" GROUP BY t.account_id ORDER BY t.account_id");
    return MergeRows(sql, q, "read satisfaction surveys", accounts, [](AccountData& a, const db::ScannedRow& row) {
      const int64_t sum = row.Int(1), count = row.Int(2);
      if (count <= 0) return;
      a.surveys_in_window = count;
      a.facts.satisfaction = static_cast<double>(sum) / static_cast<double>(count);
    });
  }

  absl::Status ReadQualitative(soci::session& sql, std::vector<AccountData>& accounts) {
    db::SqlQuery q("SELECT account_id, industry_influence, cooperation_potential FROM kam_qualitative_inputs");
    Narrow(q, "account_id");
    q.Append(" ORDER BY account_id");
    return MergeRows(sql, q, "read qualitative inputs", accounts, [](AccountData& a, const db::ScannedRow& row) {
      // 0 = not assessed: the engine then treats the dimension as neutral.
      if (row.Int(1) > 0) a.facts.industry_influence = static_cast<int>(row.Int(1));
      if (row.Int(2) > 0) a.facts.cooperation_potential = static_cast<int>(row.Int(2));
    });
  }

  const FactsWindow& window_;
  const std::function<bool(int64_t)>& on_progress_;
  std::optional<std::string> only_;
  CurrencyConverter converter_;
  int64_t as_of_day_ = 0, window_start_ = 0, trend_start_ = 0, previous_start_ = 0;
  std::vector<int64_t> overdue_;  // per account index, micros; partitions write disjoint ranges
  std::atomic<int64_t> rows_{0};
  std::atomic<bool> cancelled_{false};
};

}  // namespace

absl::StatusOr<std::vector<AccountData>> FactsStore::ReadAll(db::Database& db, absl::Time deadline,
                                                             const FactsWindow& window,
                                                             const std::function<bool(int64_t)>& on_progress,
                                                             int partitions) {
  return FactsReader(window, on_progress).ReadAll(db, deadline, partitions);
}

absl::StatusOr<std::optional<AccountData>> FactsStore::ReadOne(soci::session& sql, const FactsWindow& window,
                                                               const std::string& account_id) {
  const std::function<bool(int64_t)> none;
  absl::StatusOr<std::vector<AccountData>> rows = FactsReader(window, none).ReadOn(sql, account_id);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AccountData>();
  return std::optional<AccountData>(std::move(rows->front()));
}

}  // namespace crm::kam
