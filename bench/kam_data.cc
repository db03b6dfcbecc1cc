#include "bench/bench_report.h"
#include "bench/kam_data.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/random_draws.h"
#include "bench/bulk_insert.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/sql_error.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/pipeline.pb.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/pipeline/pipelines_store.h"

namespace crm::bench {
namespace {

// Bumped whenever the generated data changes shape, so an older database is not reused.
constexpr int64_t kGeneratorVersion = 1;

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr char kBaseCurrency[] = "EUR";
constexpr char kSecondCurrency[] = "USD";
constexpr char kSecondCurrencyRate[] = "0.92";  // EUR per USD, as the sales settings hold it
constexpr double kSecondCurrencyToBase = 0.92;
constexpr char kNoOwnerOrderOwner[] = "sales-desk";

constexpr char kCountAccounts[] = "SELECT COUNT(*) FROM accounts";
constexpr char kCountClassifiedAccounts[] = "SELECT COUNT(*) FROM accounts WHERE tier <> 0";
constexpr char kUnclassifyAccounts[] =
    "UPDATE accounts SET tier = 0, lifecycle_stage = 0 WHERE tier <> 0 OR lifecycle_stage <> 0";
// What reclassifications write besides the accounts (services/kam/kam_schema.cc, the outbox).
const char* const kClassificationTables[] = {"kam_classifications", "kam_tier_changes", "kam_runs", "events"};
constexpr char kSqliteHasTable[] = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :name";
constexpr char kMysqlHasTable[] =
    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = :name";
constexpr char kSqliteHasDataSetTable[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'kam_bench_dataset'";
constexpr char kMysqlHasDataSetTable[] =
    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = "
    "'kam_bench_dataset'";
constexpr char kCreateDataSetTable[] =
    "CREATE TABLE IF NOT EXISTS kam_bench_dataset ("
    " id BIGINT NOT NULL PRIMARY KEY, generator_version BIGINT NOT NULL, seed BIGINT NOT NULL,"
    " accounts BIGINT NOT NULL, orders BIGINT NOT NULL, owners BIGINT NOT NULL, days BIGINT NOT NULL,"
    " as_of BIGINT NOT NULL, interactions BIGINT NOT NULL, tickets BIGINT NOT NULL, surveys BIGINT NOT NULL)";
constexpr char kDeleteDataSet[] = "DELETE FROM kam_bench_dataset";
constexpr char kInsertDataSet[] =
    "INSERT INTO kam_bench_dataset (id, generator_version, seed, accounts, orders, owners, days, as_of,"
    " interactions, tickets, surveys) VALUES (1, :v, :seed, :accounts, :orders, :owners, :days, :as_of,"
    " :interactions, :tickets, :surveys)";
constexpr char kSelectDataSet[] =
    "SELECT generator_version, seed, accounts, orders, owners, days, as_of, interactions, tickets, surveys"
    " FROM kam_bench_dataset WHERE id = 1";
// The orders table's secondary indexes as the migrations created them.
constexpr char kSqliteOrderIndexes[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL"
    " ORDER BY name";
constexpr char kMysqlOrderIndexColumns[] =
    "SELECT index_name, non_unique, column_name FROM information_schema.statistics"
    " WHERE table_schema = DATABASE() AND table_name = 'orders' AND index_name <> 'PRIMARY'"
    " ORDER BY index_name, seq_in_index";


const std::vector<Weighted> kRegions = {
    {"Western Europe", 30}, {"Northern Europe", 18}, {"North America", 20},
    {"Asia Pacific", 14},   {"Latin America", 9},    {"Middle East & Africa", 9},
};
const std::vector<Weighted> kIndustries = {
    {"Manufacturing", 16}, {"Wholesale", 13},  {"Retail", 12},      {"Software", 10},
    {"Healthcare", 9},     {"Logistics", 9},   {"Construction", 8}, {"Food & beverage", 8},
    {"Energy", 6},         {"Public sector", 5}, {"Media", 4},
};
// Size bands SIZE_BAND_MICRO .. SIZE_BAND_ENTERPRISE (1..5).
const double kSizeBandWeights[] = {35, 30, 20, 10, 5};
const std::vector<Weighted> kTicketCategories = {
    {"billing", 25}, {"delivery", 30}, {"product", 25}, {"account", 10}, {"returns", 10},
};
const std::vector<const char*> kCompanySuffixes = {" GmbH", " Ltd", " Inc", " SA", " AB", " BV", " Srl"};
const std::vector<const char*> kInteractionSubjects = {"Quarterly review", "Order follow-up", "Price negotiation",
                                                       "Product demo", "Complaint call", "Visit report"};

// How an account buys over the window.
enum class Pattern : uint8_t { kNone, kSteady, kRecent, kStopped, kDeclining, kGrowing };




// One account as planned before its rows are written.
struct AccountPlan {
  int64_t create_micros = 0;
  int32_t first_day = 0;  // active span of its orders (day numbers), when it has any
  int32_t last_day = 0;
  float size = 1;
  float order_value = 0;  // typical order value, in the account's currency units
  float late_share = 0;   // of its due orders left unpaid
  Pattern pattern = Pattern::kNone;
  uint8_t terms_days = 30;
  uint8_t region = 0;
  uint8_t industry = 0;
  uint8_t size_band = 1;
  bool second_currency = false;
  bool unhappy = false;
  int16_t owner = -1;  // index into the owners; -1: none
};

// One order as drawn; written after all are sorted by time (so ids ascend with the rows).
struct OrderDraft {
  int64_t create_micros;
  int64_t total_micros;
  uint32_t account;
  uint8_t status;  // crm::v1::OrderStatus
};

struct TicketDraft {
  int64_t create_micros;
  uint32_t account;
  uint8_t priority;
  uint8_t status;
};

absl::Status Execute(db::Database& db, const std::string& statement) {
  return db.WithSession([&](soci::session& sql) {
    return db::Guard(statement, [&]() -> absl::Status {
      sql << statement;
      return absl::OkStatus();
    });
  });
}

struct IndexDefinition {
  std::string name;
  std::string create;
};

// The orders table's secondary indexes, as CREATE INDEX statements that rebuild them.
absl::StatusOr<std::vector<IndexDefinition>> OrderIndexes(db::Database& db) {
  std::vector<IndexDefinition> indexes;
  absl::Status status = db.WithSession([&](soci::session& sql) {
    return db::Guard("read the orders indexes", [&]() -> absl::Status {
      if (db.backend() == db::Backend::kSqlite) {
        std::string name, create;
        soci::statement st = (sql.prepare << kSqliteOrderIndexes, soci::into(name), soci::into(create));
        st.execute();
        while (st.fetch()) indexes.push_back({name, create});
        return absl::OkStatus();
      }
      std::string name, column;
      long long non_unique = 0;
      soci::statement st =
          (sql.prepare << kMysqlOrderIndexColumns, soci::into(name), soci::into(non_unique), soci::into(column));
      st.execute();
      std::vector<std::pair<std::string, std::vector<std::string>>> columns;
      std::vector<bool> unique;
      while (st.fetch()) {
        if (columns.empty() || columns.back().first != name) {
          columns.push_back({name, {}});
          unique.push_back(non_unique == 0);
        }
        columns.back().second.push_back(column);
      }
      for (size_t i = 0; i < columns.size(); ++i) {
        std::string create = absl::StrCat("CREATE ", unique[i] ? "UNIQUE " : "", "INDEX ", columns[i].first,
                                          " ON orders (");
        for (size_t c = 0; c < columns[i].second.size(); ++c) {
          absl::StrAppend(&create, c == 0 ? "" : ", ", columns[i].second[c]);
        }
        indexes.push_back({columns[i].first, create + ")"});
      }
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return indexes;
}

absl::Status DropIndex(db::Database& db, const std::string& name) {
  return Execute(db, db.backend() == db::Backend::kSqlite ? absl::StrCat("DROP INDEX ", name)
                                                           : absl::StrCat("DROP INDEX ", name, " ON orders"));
}

// The sales settings must hold a rate for the second currency, so that its orders count.
absl::Status SetSecondCurrencyRate(db::Database& db) {
  return db.Write([&](db::Tx& tx) -> absl::Status {
    absl::StatusOr<crm::v1::SalesSettings> settings = pipeline::SalesSettingsStore::LoadForUpdate(tx);
    if (!settings.ok()) return settings.status();
    if (settings->base_currency() != kBaseCurrency) {
      return absl::FailedPreconditionError(
          absl::StrCat("the base currency is ", settings->base_currency(), ", the generator expects ", kBaseCurrency));
    }
    absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(settings->etag(), "etag");
    if (!revision.ok()) return revision.status();
    bool present = false;
    for (crm::v1::ExchangeRate& rate : *settings->mutable_rates()) {
      if (rate.currency_code() == kSecondCurrency) {
        rate.set_rate(kSecondCurrencyRate);
        present = true;
      }
    }
    if (!present) {
      crm::v1::ExchangeRate* rate = settings->add_rates();
      rate->set_currency_code(kSecondCurrency);
      rate->set_rate(kSecondCurrencyRate);
    }
    absl::StatusOr<bool> updated = pipeline::SalesSettingsStore::Update(tx, *settings, revision->value_or(1));
    if (!updated.ok()) return updated.status();
    if (!*updated) return absl::AbortedError("the sales settings changed during the load");
    return absl::OkStatus();
  });
}

class Generator {
 public:
  explicit Generator(const KamDataOptions& options)
      : options_(options),
        random_(options.seed),
        as_of_micros_(ToMicros(options.as_of)),
        as_of_day_(static_cast<int32_t>(DayNumberOf(options.as_of))),
        window_start_day_(as_of_day_ - options.days) {}

  Random& random() { return random_; }
  const std::vector<AccountPlan>& accounts() const { return accounts_; }
  std::vector<std::string>& account_ids() { return account_ids_; }
  int64_t as_of_micros() const { return as_of_micros_; }
  int32_t as_of_day() const { return as_of_day_; }

  // Plans every account, in creation order (so ids ascend with the rows).
  void PlanAccounts(KamDataShape& shape) {
    Chooser regions(WeightsOf(kRegions)), industries(WeightsOf(kIndustries)),
        bands(std::vector<double>(std::begin(kSizeBandWeights), std::end(kSizeBandWeights)));
    const int32_t span = options_.days;
    accounts_.resize(options_.accounts);
    for (AccountPlan& a : accounts_) {
      a.region = static_cast<uint8_t>(regions.Pick(random_));
      a.industry = static_cast<uint8_t>(industries.Pick(random_));
      a.size_band = static_cast<uint8_t>(bands.Pick(random_) + 1);
      a.owner = random_.Chance(0.04) ? -1 : static_cast<int16_t>(random_.Below(options_.owners));
      // Capped, so that no single account holds an absurd share of ten million orders.
      a.size = static_cast<float>(std::min(1000.0, random_.Pareto(1.6)) * (0.6 + 0.2 * a.size_band));
      a.order_value = static_cast<float>(300.0 * std::pow(a.size, 0.7) * random_.LogNormal(0, 0.5));
      a.second_currency = random_.Chance(0.03);
      if (a.second_currency) a.order_value *= 1.1f;
      const double payer = random_.Uniform();
      a.late_share = payer < 0.85 ? 0.002f : payer < 0.97 ? 0.04f : 0.25f;
      static constexpr uint8_t kTerms[] = {14, 30, 30, 30, 45, 60};
      a.terms_days = kTerms[random_.Below(std::size(kTerms))];
      a.unhappy = random_.Chance(0.05);

      const double kind = random_.Uniform();
      a.pattern = kind < 0.08   ? Pattern::kNone
                  : kind < 0.18 ? Pattern::kRecent
                  : kind < 0.28 ? Pattern::kStopped
                  : kind < 0.38 ? Pattern::kDeclining
                  : kind < 0.45 ? Pattern::kGrowing
                                : Pattern::kSteady;
      // Most buyers were customers before the window began; the rest started within it.
      const int32_t start = random_.Chance(0.55) ? window_start_day_
                                                 : window_start_day_ + static_cast<int32_t>(random_.Below(span - 200));
      switch (a.pattern) {
        case Pattern::kNone:
          // A prospect: created at some point, never ordered.
          a.first_day = a.last_day = window_start_day_ + static_cast<int32_t>(random_.Below(span));
          break;
        case Pattern::kRecent:
          a.first_day = as_of_day_ - 1 - static_cast<int32_t>(random_.Below(150));
          a.last_day = as_of_day_ - 1;
          break;
        case Pattern::kStopped:
          a.first_day = std::min(start, as_of_day_ - 400);
          a.last_day = a.first_day + 60 + static_cast<int32_t>(random_.Below(as_of_day_ - 120 - a.first_day - 60));
          break;
        default:
          a.first_day = start;
          a.last_day = as_of_day_ - 1;
      }
      // Created before its first order (prospects: on their day).
      const int64_t lead_days = a.pattern == Pattern::kNone ? 0 : 1 + random_.Below(120);
      a.create_micros = ToMicros(StartOfDay(a.first_day - lead_days)) + 8 * kMicrosPerHour +
                        random_.Below(10 * kMicrosPerHour);
      a.create_micros = std::min(a.create_micros, as_of_micros_ - kMicrosPerHour);
    }
    std::stable_sort(accounts_.begin(), accounts_.end(),
                     [](const AccountPlan& x, const AccountPlan& y) { return x.create_micros < y.create_micros; });
    account_ids_.reserve(accounts_.size());
    for (const AccountPlan& a : accounts_) {
      account_ids_.push_back(NewIdAt("acc", FromMicros(a.create_micros)));
      shape.accounts_without_owner += a.owner < 0 ? 1 : 0;
      shape.second_currency_accounts += a.second_currency ? 1 : 0;
    }
  }

  // How many orders each account gets: one each for every buyer first (when there are enough
  // orders), the rest in proportion to size^0.6 × its active span, rounded systematically so
  // they add up to exactly options.orders.
  std::vector<uint32_t> OrderCounts() {
    const size_t n = accounts_.size();
    std::vector<double> expected(n, 0);
    int64_t buyers = 0;
    for (size_t i = 0; i < n; ++i) {
      const AccountPlan& a = accounts_[i];
      if (a.pattern == Pattern::kNone) continue;
      ++buyers;
      const double span_years = (a.last_day - a.first_day + 1) / 365.0;
      expected[i] = std::pow(a.size, 0.6) * random_.LogNormal(0, 0.4) * span_years;
    }
    std::vector<uint32_t> counts(n, 0);
    int64_t remaining = options_.orders;
    if (buyers <= remaining) {
      for (size_t i = 0; i < n; ++i) counts[i] = accounts_[i].pattern == Pattern::kNone ? 0 : 1;
      remaining -= buyers;
    }
    const double total = std::accumulate(expected.begin(), expected.end(), 0.0);
    if (total <= 0) return counts;
    const double scale = static_cast<double>(remaining) / total;
    double cumulative = random_.Uniform();
    int64_t given = 0;
    for (size_t i = 0; i < n; ++i) {
      cumulative += expected[i] * scale;
      const int64_t upto = std::min<int64_t>(remaining, static_cast<int64_t>(std::floor(cumulative)));
      counts[i] += static_cast<uint32_t>(upto - given);
      given = upto;
    }
    // Floating-point slack: whatever is left goes to the largest account.
    if (given < remaining) {
      const size_t top = std::max_element(expected.begin(), expected.end()) - expected.begin();
      counts[top] += static_cast<uint32_t>(remaining - given);
    }
    return counts;
  }

  // Every order, sorted by creation time.
  std::vector<OrderDraft> DrawOrders(KamDataShape& shape) {
    const std::vector<uint32_t> counts = OrderCounts();
    std::vector<OrderDraft> orders;
    orders.reserve(static_cast<size_t>(options_.orders));
    for (size_t i = 0; i < accounts_.size(); ++i) {
      const AccountPlan& a = accounts_[i];
      const int32_t span = a.last_day - a.first_day + 1;
      for (uint32_t k = 0; k < counts[i]; ++k) {
        // Position within the active span: uniform, or with a density falling (declining) or
        // rising (growing) linearly over it.
        double x = random_.Uniform();
        if (a.pattern == Pattern::kDeclining) x = 1 - std::sqrt(1 - x);
        if (a.pattern == Pattern::kGrowing) x = std::sqrt(x);
        const int32_t day = a.first_day + std::min<int32_t>(span - 1, static_cast<int32_t>(x * span));
        int64_t micros = ToMicros(StartOfDay(day)) + 8 * kMicrosPerHour + random_.Below(10 * kMicrosPerHour);
        micros = std::max(micros, a.create_micros + kMicrosPerSecond);
        micros = std::min(micros, as_of_micros_ - kMicrosPerSecond);
        const double value = std::clamp(a.order_value * random_.LogNormal(0, 0.6), 1.0, 5e7);
        const int64_t cents = static_cast<int64_t>(std::llround(value * 100));
        orders.push_back({micros, cents * 10000, static_cast<uint32_t>(i), OrderStatus(a, day, shape)});
      }
      shape.max_orders_per_account = std::max<int64_t>(shape.max_orders_per_account, counts[i]);
      if (counts[i] == 0) {
        ++shape.accounts_without_orders;
      } else {
        shape.recent_starters += a.pattern == Pattern::kRecent ? 1 : 0;
        shape.stopped += a.pattern == Pattern::kStopped ? 1 : 0;
        shape.declining += a.pattern == Pattern::kDeclining ? 1 : 0;
        shape.growing += a.pattern == Pattern::kGrowing ? 1 : 0;
      }
    }
    std::sort(orders.begin(), orders.end(), [](const OrderDraft& x, const OrderDraft& y) {
      return x.create_micros != y.create_micros ? x.create_micros < y.create_micros : x.account < y.account;
    });
    RevenueConcentration(orders, shape);
    return orders;
  }

  // Interactions on accounts drawn by size, over the last two years, in time order.
  std::vector<std::pair<int64_t, uint32_t>> DrawInteractions(int64_t count) {
    const Chooser& chooser = AccountsBySize();
    std::vector<std::pair<int64_t, uint32_t>> rows;
    rows.reserve(count);
    for (int64_t k = 0; k < count; ++k) {
      const uint32_t account = static_cast<uint32_t>(chooser.Pick(random_));
      const int64_t earliest = std::max(accounts_[account].create_micros, as_of_micros_ - 730 * kMicrosPerDay);
      rows.push_back({earliest + random_.Below(std::max<int64_t>(1, as_of_micros_ - earliest)), account});
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // Tickets over the last year: recent ones mostly still open, older ones mostly solved.
  std::vector<TicketDraft> DrawTickets(int64_t count, KamDataShape& shape) {
    const Chooser& chooser = AccountsBySize();
    const Chooser priorities(std::vector<double>{5, 20, 50, 25});
    std::vector<TicketDraft> rows;
    rows.reserve(count);
    for (int64_t k = 0; k < count; ++k) {
      TicketDraft t;
      t.account = static_cast<uint32_t>(chooser.Pick(random_));
      const int64_t earliest = std::max(accounts_[t.account].create_micros, as_of_micros_ - 365 * kMicrosPerDay);
      t.create_micros = earliest + random_.Below(std::max<int64_t>(1, as_of_micros_ - earliest));
      t.priority = static_cast<uint8_t>(priorities.Pick(random_) + 1);
      const bool recent = as_of_micros_ - t.create_micros < 14 * kMicrosPerDay;
      const bool open = random_.Chance(recent ? 0.7 : accounts_[t.account].unhappy ? 0.1 : 0.02);
      if (open) {
        const double s = random_.Uniform();
        t.status = s < 0.3 ? crm::v1::TICKET_STATUS_NEW : s < 0.8 ? crm::v1::TICKET_STATUS_OPEN
                                                                  : crm::v1::TICKET_STATUS_PENDING;
        shape.open_p1_tickets += t.priority == crm::v1::TICKET_PRIORITY_P1 ? 1 : 0;
      } else {
        t.status = random_.Chance(0.3) ? crm::v1::TICKET_STATUS_RESOLVED : crm::v1::TICKET_STATUS_CLOSED;
      }
      rows.push_back(t);
    }
    std::sort(rows.begin(), rows.end(),
              [](const TicketDraft& x, const TicketDraft& y) { return x.create_micros < y.create_micros; });
    return rows;
  }

 private:
  uint8_t OrderStatus(const AccountPlan& a, int32_t day, KamDataShape& shape) {
    if (random_.Chance(0.03)) {
      ++shape.cancelled_orders;
      return crm::v1::ORDER_STATUS_CANCELLED;
    }
    const int32_t due_day = day + a.terms_days;
    bool open;
    if (due_day >= as_of_day_) {
      open = random_.Chance(0.7);  // not due yet: most are still unpaid
    } else {
      // Past due: the account's late share stays unpaid; old debts were mostly settled since.
      open = random_.Chance(as_of_day_ - day <= 180 ? a.late_share : a.late_share / 10);
      shape.overdue_orders += open ? 1 : 0;
    }
    ++(open ? shape.open_orders : shape.paid_orders);
    return open ? crm::v1::ORDER_STATUS_OPEN : crm::v1::ORDER_STATUS_PAID;
  }

  void RevenueConcentration(const std::vector<OrderDraft>& orders, KamDataShape& shape) const {
    std::vector<double> revenue(accounts_.size(), 0);
    for (const OrderDraft& o : orders) {
      if (o.status == crm::v1::ORDER_STATUS_CANCELLED) continue;
      revenue[o.account] +=
          static_cast<double>(o.total_micros) * (accounts_[o.account].second_currency ? kSecondCurrencyToBase : 1);
    }
    std::sort(revenue.begin(), revenue.end(), std::greater<double>());
    const double total = std::accumulate(revenue.begin(), revenue.end(), 0.0);
    if (total <= 0) return;
    const auto share_of_top = [&](double fraction) {
      const size_t k = std::max<size_t>(1, static_cast<size_t>(fraction * static_cast<double>(revenue.size())));
      return std::accumulate(revenue.begin(), revenue.begin() + k, 0.0) / total;
    };
    shape.top1_revenue_share = share_of_top(0.01);
    shape.top20_revenue_share = share_of_top(0.20);
  }

  // Bigger accounts talk to their managers and to the service desk more.
  const Chooser& AccountsBySize() {
    if (!by_size_.has_value()) {
      std::vector<double> weights;
      weights.reserve(accounts_.size());
      for (const AccountPlan& a : accounts_) weights.push_back(std::sqrt(a.size));
      by_size_.emplace(weights);
    }
    return *by_size_;
  }

  const KamDataOptions& options_;
  Random random_;
  const int64_t as_of_micros_;
  const int32_t as_of_day_;
  const int32_t window_start_day_;
  std::vector<AccountPlan> accounts_;
  std::vector<std::string> account_ids_;
  std::optional<Chooser> by_size_;
};

std::string OwnerName(int owner) { return absl::StrFormat("kam-%03d", owner + 1); }

}  // namespace

bool KamDataSet::Matches(const KamDataOptions& options) const {
  return generator_version == kGeneratorVersion && seed == options.seed && accounts == options.accounts &&
         orders == options.orders && owners == options.owners && days == options.days &&
         as_of_micros == ToMicros(options.as_of);
}

int64_t KamLoadReport::rows() const {
  int64_t total = 0;
  for (const KamTableLoad& t : tables) total += t.rows;
  return total;
}

absl::StatusOr<std::optional<KamDataSet>> FindKamDataSet(db::Database& db) {
  std::optional<KamDataSet> found;
  absl::Status status = db.Read([&](soci::session& sql) {
    return db::Guard("read the data set", [&]() -> absl::Status {
      long long tables = 0;
      sql << (db.backend() == db::Backend::kSqlite ? kSqliteHasDataSetTable : kMysqlHasDataSetTable),
          soci::into(tables);
      if (tables == 0) return absl::OkStatus();
      long long v = 0, seed = 0, accounts = 0, orders = 0, owners = 0, days = 0, as_of = 0, interactions = 0,
                tickets = 0, surveys = 0;
      soci::statement st = (sql.prepare << kSelectDataSet, soci::into(v), soci::into(seed), soci::into(accounts),
                            soci::into(orders), soci::into(owners), soci::into(days), soci::into(as_of),
                            soci::into(interactions), soci::into(tickets), soci::into(surveys));
      st.execute();
      if (!st.fetch()) return absl::OkStatus();
      found = KamDataSet{v,    static_cast<uint64_t>(seed), accounts,     orders,  owners,
                         days, as_of,                       interactions, tickets, surveys};
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<KamLoadReport> GenerateAndLoadKamData(db::Database& db, const KamDataOptions& options) {
  if (options.accounts < 1 || options.accounts > 100000000 || options.orders < 0 || options.owners < 1 ||
      options.owners > 30000 || options.days < 400 || options.as_of == absl::InfinitePast()) {
    return absl::InvalidArgumentError(
        "accounts between 1 and 1e8, orders not negative, owners between 1 and 30000, days at least 400, "
        "as_of set");
  }
  const absl::Time started = absl::Now();
  KamLoadReport report;
  long long existing = 0;
  absl::Status status = db.Read([&](soci::session& sql) {
    return db::Guard("count accounts", [&]() -> absl::Status {
      sql << kCountAccounts, soci::into(existing);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (existing > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the database already holds ", existing, " accounts; start from an empty one"));
  }
  if (status = SetSecondCurrencyRate(db); !status.ok()) return status;

  Generator gen(options);
  const int per_statement = options.rows_per_statement;
  const int64_t per_transaction = std::max<int64_t>(options.rows_per_transaction, per_statement);
  const int64_t as_of_micros = gen.as_of_micros();
  auto progress = [](const KamTableLoad& t) {
    std::fprintf(stderr, "kam_data: %-20s %10lld rows in %6.1f s (%.0f rows/s)\n", t.table.c_str(),
                 static_cast<long long>(t.rows), t.seconds, t.seconds > 0 ? t.rows / t.seconds : 0.0);
  };

  // Accounts.
  absl::Time t0 = absl::Now();
  gen.PlanAccounts(report.shape);
  const std::vector<AccountPlan>& accounts = gen.accounts();
  const std::vector<std::string>& ids = gen.account_ids();
  BulkInsert account_insert(db.backend(), "accounts", AccountColumns(), per_statement);
  status = WriteInTransactions(db, account_insert, options.accounts, per_transaction, [&](int64_t i) {
    const AccountPlan& a = accounts[i];
    account_insert.Row()
        .Text(ids[i])
        .Text(absl::StrCat("Customer ", i + 1, kCompanySuffixes[i % kCompanySuffixes.size()]))
        .Int(crm::v1::ACCOUNT_KIND_COMPANY)
        .Text(kIndustries[a.industry].name)
        .Text(kRegions[a.region].name)
        .Int(a.size_band)
        .NullableText(std::nullopt)
        .Int(0)
        .Int(0)
        .Text(a.owner < 0 ? "" : OwnerName(a.owner))
        .Int(0)  // lifecycle: unspecified until classified
        .Int(crm::v1::ACCOUNT_TIER_UNSPECIFIED)
        .Text("")
        .Text("")
        .Int(0)
        .NullableText(std::nullopt)
        .Int(a.create_micros)
        .Int(a.create_micros)
        .NullableInt(std::nullopt)
        .Int(1)
        .NullableText(std::nullopt);  // custom_fields: none
  });
  if (!status.ok()) return status;
  report.tables.push_back({"accounts", options.accounts, SecondsSince(t0)});
  progress(report.tables.back());

  // Orders: drawn and sorted first, then written in time order.
  t0 = absl::Now();
  std::vector<OrderDraft> orders = gen.DrawOrders(report.shape);
  report.draw_seconds = SecondsSince(t0);
  std::fprintf(stderr, "kam_data: drew and sorted %zu orders in %.1f s\n", orders.size(), report.draw_seconds);

  std::vector<IndexDefinition> deferred;
  if (options.defer_order_indexes) {
    t0 = absl::Now();
    absl::StatusOr<std::vector<IndexDefinition>> indexes = OrderIndexes(db);
    if (!indexes.ok()) return indexes.status();
    deferred = *std::move(indexes);
    std::vector<IndexDefinition> dropped;
    for (const IndexDefinition& index : deferred) {
      if (status = DropIndex(db, index.name); !status.ok()) {
        // InnoDB keeps the last index that can serve the account_id foreign key.
        if (db.backend() == db::Backend::kSqlite) return status;
        std::fprintf(stderr, "kam_data: kept %s: %s\n", index.name.c_str(), std::string(status.message()).c_str());
        continue;
      }
      dropped.push_back(index);
      report.deferred_indexes.push_back(index.name);
    }
    deferred = std::move(dropped);
    report.drop_index_seconds = SecondsSince(t0);
  }

  t0 = absl::Now();
  BulkInsert order_insert(db.backend(), "orders",
                          {{"id", BulkInsert::kText},
                           {"account_id", BulkInsert::kText},
                           {"opportunity_id", BulkInsert::kText},
                           {"open_opportunity_id", BulkInsert::kText},
                           {"currency", BulkInsert::kText},
                           {"total_micros", BulkInsert::kInt},
                           {"paid_micros", BulkInsert::kInt},
                           {"order_day", BulkInsert::kInt},
                           {"due_day", BulkInsert::kInt},
                           {"status", BulkInsert::kInt},
                           {"owner", BulkInsert::kText},
                           {"create_time", BulkInsert::kInt},
                           {"update_time", BulkInsert::kInt},
                           {"revision", BulkInsert::kInt}},
                          per_statement);
  Random& random = gen.random();
  const int64_t order_count = static_cast<int64_t>(orders.size());
  status = WriteInTransactions(db, order_insert, order_count, per_transaction, [&](int64_t i) {
    const OrderDraft& o = orders[i];
    const AccountPlan& a = accounts[o.account];
    const int64_t day = DayNumberOf(FromMicros(o.create_micros));
    int64_t updated = o.create_micros;
    if (o.status != crm::v1::ORDER_STATUS_OPEN) {
      // Paid within its terms (give or take), or cancelled within days.
      const int64_t after_days = o.status == crm::v1::ORDER_STATUS_PAID ? random.Below(a.terms_days + 10) : random.Below(10);
      updated = std::min(o.create_micros + after_days * kMicrosPerDay + random.Below(kMicrosPerDay),
                         as_of_micros - 1);
      updated = std::max(updated, o.create_micros);
    }
    order_insert.Row()
        .Text(NewIdAt("ord", FromMicros(o.create_micros)))
        .Text(ids[o.account])
        .NullableText(std::nullopt)
        .NullableText(std::nullopt)
        .Text(a.second_currency ? kSecondCurrency : kBaseCurrency)
        .Int(o.total_micros)
        .Int(o.status == crm::v1::ORDER_STATUS_PAID ? o.total_micros : 0)
        .Int(day)
        .Int(day + a.terms_days)
        .Int(o.status)
        .Text(a.owner < 0 ? kNoOwnerOrderOwner : OwnerName(a.owner))
        .Int(o.create_micros)
        .Int(updated)
        .Int(o.status == crm::v1::ORDER_STATUS_OPEN ? 1 : 2);
    if ((i + 1) % 1000000 == 0) {
      std::fprintf(stderr, "kam_data:   %lld orders written\n", static_cast<long long>(i + 1));
    }
  });
  if (!status.ok()) return status;
  report.tables.push_back({"orders", order_count, SecondsSince(t0)});
  progress(report.tables.back());
  orders.clear();
  orders.shrink_to_fit();

  if (!deferred.empty()) {
    t0 = absl::Now();
    for (const IndexDefinition& index : deferred) {
      const absl::Time i0 = absl::Now();
      if (status = Execute(db, index.create); !status.ok()) return status;
      std::fprintf(stderr, "kam_data: recreated %s in %.1f s\n", index.name.c_str(), SecondsSince(i0));
    }
    report.create_index_seconds = SecondsSince(t0);
  }

  // Interactions.
  t0 = absl::Now();
  const std::vector<std::pair<int64_t, uint32_t>> interactions =
      gen.DrawInteractions(std::max<int64_t>(1, options.accounts * 15 / 100));
  BulkInsert interaction_insert(db.backend(), "interactions",
                                {{"id", BulkInsert::kText},
                                 {"account_id", BulkInsert::kText},
                                 {"contact_id", BulkInsert::kText},
                                 {"channel", BulkInsert::kInt},
                                 {"direction", BulkInsert::kInt},
                                 {"subject", BulkInsert::kText},
                                 {"body", BulkInsert::kText},
                                 {"occur_time", BulkInsert::kInt},
                                 {"user_id", BulkInsert::kText},
                                 {"create_time", BulkInsert::kInt}},
                                per_statement);
  status = WriteInTransactions(
      db, interaction_insert, static_cast<int64_t>(interactions.size()), per_transaction, [&](int64_t i) {
        const auto& [micros, account] = interactions[i];
        const AccountPlan& a = accounts[account];
        interaction_insert.Row()
            .Text(NewIdAt("int", FromMicros(micros)))
            .Text(ids[account])
            .NullableText(std::nullopt)
            .Int(1 + random.Below(5))
            .Int(random.Chance(0.6) ? crm::v1::DIRECTION_OUTBOUND : crm::v1::DIRECTION_INBOUND)
            .Text(kInteractionSubjects[random.Below(kInteractionSubjects.size())])
            .Text("")
            .Int(micros)
            .Text(a.owner < 0 ? kNoOwnerOrderOwner : OwnerName(a.owner))
            .Int(micros);
      });
  if (!status.ok()) return status;
  report.tables.push_back({"interactions", static_cast<int64_t>(interactions.size()), SecondsSince(t0)});
  progress(report.tables.back());

  // Tickets, and surveys on some of the solved ones.
  t0 = absl::Now();
  const std::vector<TicketDraft> tickets =
      gen.DrawTickets(std::max<int64_t>(1, options.accounts * 5 / 100), report.shape);
  const Chooser categories(WeightsOf(kTicketCategories));
  struct SurveyRow {
    std::string ticket_id;
    int64_t score;
    int64_t micros;
  };
  std::vector<SurveyRow> surveys;
  BulkInsert ticket_insert(db.backend(), "tickets", TicketColumns(),
                           per_statement);
  status = WriteInTransactions(db, ticket_insert, static_cast<int64_t>(tickets.size()), per_transaction, [&](int64_t i) {
    const TicketDraft& t = tickets[i];
    const AccountPlan& a = accounts[t.account];
    const std::string id = NewIdAt("tkt", FromMicros(t.create_micros));
    const bool solved = t.status == crm::v1::TICKET_STATUS_RESOLVED || t.status == crm::v1::TICKET_STATUS_CLOSED;
    const int64_t room = std::max<int64_t>(1, as_of_micros - t.create_micros);
    std::optional<int64_t> responded, resolved, closed;
    if (t.status != crm::v1::TICKET_STATUS_NEW) {
      responded = t.create_micros + std::min<int64_t>(room - 1, random.Below(4 * kMicrosPerHour) + 1);
    }
    if (solved) {
      resolved = *responded + std::min<int64_t>(as_of_micros - *responded - 1,
                                                random.Below(5 * kMicrosPerDay) + kMicrosPerHour);
      resolved = std::max(*resolved, *responded);
      if (t.status == crm::v1::TICKET_STATUS_CLOSED) closed = *resolved;
      if (random.Chance(0.35)) {
        // Unhappy accounts rate low; the others mostly well.
        const int64_t score = a.unhappy ? 1 + random.Below(2) : random.Chance(0.85) ? 4 + random.Below(2) : 2 + random.Below(2);
        surveys.push_back({id, score, std::min(*resolved + kMicrosPerHour, as_of_micros - 1)});
      }
    }
    const int64_t updated = closed.value_or(resolved.value_or(responded.value_or(t.create_micros)));
    ticket_insert.Row()
        .Text(id)
        .Text(ids[t.account])
        .Text("")
        .Int(1 + random.Below(4))
        .Text(kTicketCategories[categories.Pick(random)].name)
        .Int(t.priority)
        .Text(absl::StrCat("Ticket ", i + 1))
        .Text("Loaded by kam_bench.")
        .Int(t.status)
        .Text("")
        .Text("tier1")
        .Int(0)
        .Int(crm::v1::ACCOUNT_TIER_UNSPECIFIED)
        .Text("")
        .Text("")
        .Int(0)
        .Int(0)
        .Int(0)
        .NullableInt(std::nullopt)
        .NullableInt(std::nullopt)
        .NullableInt(std::nullopt)
        .NullableInt(std::nullopt)
        .Int(0)
        .Int(0)
        .NullableInt(std::nullopt)  // nothing for the escalation sweep
        .Text("customer")
        .Int(t.create_micros)
        .Int(updated)
        .NullableInt(responded)
        .NullableInt(resolved)
        .NullableInt(closed)
        .Int(1 + (responded ? 1 : 0) + (resolved ? 1 : 0) + (closed ? 1 : 0));
  });
  if (!status.ok()) return status;
  report.tables.push_back({"tickets", static_cast<int64_t>(tickets.size()), SecondsSince(t0)});
  progress(report.tables.back());

  t0 = absl::Now();
  BulkInsert survey_insert(db.backend(), "satisfaction_surveys",
                           {{"ticket_id", BulkInsert::kText},
                            {"score", BulkInsert::kInt},
                            {"comment", BulkInsert::kText},
                            {"create_time", BulkInsert::kInt}},
                           per_statement);
  status = WriteInTransactions(db, survey_insert, static_cast<int64_t>(surveys.size()), per_transaction,
                               [&](int64_t i) {
                                 const SurveyRow& s = surveys[i];
                                 survey_insert.Row().Text(s.ticket_id).Int(s.score).Text("").Int(s.micros);
                               });
  if (!status.ok()) return status;
  report.tables.push_back({"satisfaction_surveys", static_cast<int64_t>(surveys.size()), SecondsSince(t0)});
  progress(report.tables.back());

  // Recorded last: a load that stopped half-way is never mistaken for a complete one.
  report.data = KamDataSet{kGeneratorVersion,
                           options.seed,
                           options.accounts,
                           order_count,
                           options.owners,
                           options.days,
                           as_of_micros,
                           static_cast<int64_t>(interactions.size()),
                           static_cast<int64_t>(tickets.size()),
                           static_cast<int64_t>(surveys.size())};
  if (status = Execute(db, kCreateDataSetTable); !status.ok()) return status;
  status = db.Write([&](db::Tx& tx) {
    return db::Guard("record the data set", [&]() -> absl::Status {
      soci::session& sql = tx.session();
      const KamDataSet& d = report.data;
      long long v = d.generator_version, seed = static_cast<long long>(d.seed), n_accounts = d.accounts,
                n_orders = d.orders, owners = d.owners, days = d.days, as_of = d.as_of_micros,
                n_interactions = d.interactions, n_tickets = d.tickets, n_surveys = d.surveys;
      sql << kDeleteDataSet;
      sql << kInsertDataSet, soci::use(v), soci::use(seed), soci::use(n_accounts), soci::use(n_orders),
          soci::use(owners), soci::use(days), soci::use(as_of), soci::use(n_interactions), soci::use(n_tickets),
          soci::use(n_surveys);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  report.seconds = SecondsSince(started);
  return report;
}

absl::StatusOr<int64_t> ForgetClassifications(db::Database& db) {
  long long classified = 0;
  absl::Status status = db.Write([&](db::Tx& tx) {
    return db::Guard("forget classifications", [&]() -> absl::Status {
      soci::session& sql = tx.session();
      sql << kCountClassifiedAccounts, soci::into(classified);
      sql << kUnclassifyAccounts;
      for (const char* table : kClassificationTables) {
        long long present = 0;
        const std::string name = table;
        sql << (db.backend() == db::Backend::kSqlite ? kSqliteHasTable : kMysqlHasTable), soci::use(name),
            soci::into(present);
        if (present > 0) sql << absl::StrCat("DELETE FROM ", table);
      }
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return static_cast<int64_t>(classified);
}

}  // namespace crm::bench
