// The synthetic customer base kam_bench reclassifies: accounts with their managers, about three
// years of orders before an as-of instant with a Pareto-like skew, and a few interactions,
// tickets and satisfaction surveys. Generated from a seeded RNG (the same options give the same
// rows; only the random tails of the time-ordered ids differ) and written straight into the
// server's tables (created by its migrations) with multi-row INSERTs.
//
// Shape (see kam_data.cc for the numbers):
// - accounts: owners "kam-001".."kam-NNN" (a few hundred managers; ~4 % of accounts have none),
//   regions, industries and size bands from skewed draws, tier 0 (never classified);
// - every account has a size drawn from a Pareto law; its order count grows with size^0.6 and
//   its typical order value with size^0.7, so a few accounts bring most revenue. ~8 % never
//   ordered; the rest buy steadily, started recently (last 150 days), stopped buying at some
//   point, buy less and less (declining) or more and more (growing);
// - orders: mostly PAID (paid_micros = total), ~3 % CANCELLED, OPEN when not yet due and for a
//   share past due_day (overdue; bad payers have more); EUR, and USD for ~3 % of the accounts
//   (the generator sets the USD rate in the sales settings);
// - interactions (~0.15 per account), tickets (~0.05 per account, some open P1) and surveys on
//   ~35 % of the solved tickets, on accounts drawn by size; a few accounts are unhappy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"

namespace crm::bench {

struct KamDataOptions {
  int64_t accounts = 1000000;
  int64_t orders = 10000000;
  int owners = 300;
  // Orders are spread over this many days before `as_of`.
  int days = 1095;
  // No generated time is later than this. Required.
  absl::Time as_of = absl::InfinitePast();
  uint64_t seed = 1;
  int rows_per_statement = 500;
  int rows_per_transaction = 50000;
  // Drop the orders table's secondary indexes before writing the orders and recreate them (same
  // definitions, read back from the database) afterwards.
  bool defer_order_indexes = true;
};

// The options a complete load was generated with, recorded in the database (table
// kam_bench_dataset) so that a later run can recognise and reuse it.
struct KamDataSet {
  int64_t generator_version = 0;
  uint64_t seed = 0;
  int64_t accounts = 0;
  int64_t orders = 0;
  int64_t owners = 0;
  int64_t days = 0;
  int64_t as_of_micros = 0;
  int64_t interactions = 0;
  int64_t tickets = 0;
  int64_t surveys = 0;

  // True when this data set is what `options` would generate.
  bool Matches(const KamDataOptions& options) const;
};

struct KamTableLoad {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;  // generating and writing
};

// What the generated data looks like, for the report.
struct KamDataShape {
  int64_t accounts_without_owner = 0;
  int64_t accounts_without_orders = 0;
  int64_t recent_starters = 0;  // first order within the last 150 days
  int64_t stopped = 0;          // no order in the last 120 days or more, after buying before
  int64_t declining = 0;
  int64_t growing = 0;
  int64_t second_currency_accounts = 0;
  int64_t paid_orders = 0;
  int64_t open_orders = 0;
  int64_t overdue_orders = 0;  // open and past due_day at as_of
  int64_t cancelled_orders = 0;
  int64_t max_orders_per_account = 0;
  double top1_revenue_share = 0;   // of the revenue (EUR-equivalent, not cancelled) over all days
  double top20_revenue_share = 0;
  int64_t open_p1_tickets = 0;
};

struct KamLoadReport {
  std::vector<KamTableLoad> tables;
  double draw_seconds = 0;  // drawing and sorting the orders before writing them
  std::vector<std::string> deferred_indexes;
  double drop_index_seconds = 0;
  double create_index_seconds = 0;
  double seconds = 0;  // everything
  KamDataSet data;
  KamDataShape shape;

  int64_t rows() const;
};

// The data set recorded in `db`, or nullopt when it holds none (or an incomplete load).
absl::StatusOr<std::optional<KamDataSet>> FindKamDataSet(db::Database& db);

// Generates the data and writes it into `db`, whose schema must be applied and which must hold
// no account yet; records it as the database's data set at the end. One transaction per
// `rows_per_transaction` rows. Progress goes to stderr.
absl::StatusOr<KamLoadReport> GenerateAndLoadKamData(db::Database& db, const KamDataOptions& options);

// Takes the database back to "never classified", as the generator left it: every account's tier
// (and lifecycle stage) 0, no classification, tier change or run record, and no event (only
// reclassifications write events in a benchmark database). Returns the number of accounts that
// had a tier. Tables of key-account management that do not exist yet are skipped.
absl::StatusOr<int64_t> ForgetClassifications(db::Database& db);

}  // namespace crm::bench
