#include "services/pipeline/order_logic.h"
#include "services/pipeline/pipeline_schema.h"

namespace crm::pipeline {

// Tables of the order area (its own migration module, so areas evolve independently).
db::MigrationSet OrderMigrations() {
  return db::MigrationSet{
      "pipeline.order",
      {
          {1,
           "orders, order lines, payments received",
           {
               // Money is an ISO currency code plus integer micros (common/core/money.h); every
               // amount of one order (lines, total, paid, its payments) is in the order's currency.
               // Dates are day numbers (days since 1970-01-01, common/core/date_util.h); times are
               // microseconds since the Unix epoch (UTC). `revision` backs the etag.
               // `open_opportunity_id` repeats opportunity_id while the order is not cancelled: its
               // unique index allows one live order per opportunity, race-free on both backends
               // (NULLs do not collide), and a cancelled order frees the opportunity again.
               "CREATE TABLE IF NOT EXISTS orders ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " opportunity_id VARCHAR(64) NULL,"
               " open_opportunity_id VARCHAR(64) NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " total_micros BIGINT NOT NULL,"
               " paid_micros BIGINT NOT NULL,"
               " order_day BIGINT NOT NULL,"
               " due_day BIGINT NOT NULL,"
               " status BIGINT NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL,"
               " FOREIGN KEY (account_id) REFERENCES accounts (id)){{TABLE_OPTIONS}}",
               "CREATE UNIQUE INDEX IF NOT EXISTS orders_open_per_opportunity ON orders (open_opportunity_id)",
               "CREATE INDEX IF NOT EXISTS orders_by_opportunity ON orders (opportunity_id)",
               "CREATE INDEX IF NOT EXISTS orders_by_account ON orders (account_id, id)",
               "CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, id)",
               // Receivables: an account's open orders per currency, and those past due.
               "CREATE INDEX IF NOT EXISTS orders_receivables ON orders (account_id, status, currency, due_day)",

               // Lines never change after the order is created; `ordinal` keeps their order.
               "CREATE TABLE IF NOT EXISTS order_lines ("
               " order_id VARCHAR(64) NOT NULL,"
               " ordinal BIGINT NOT NULL,"
               " description VARCHAR(500) NOT NULL,"
               " quantity BIGINT NOT NULL,"
               " unit_price_micros BIGINT NOT NULL,"
               " PRIMARY KEY (order_id, ordinal),"
               " FOREIGN KEY (order_id) REFERENCES orders (id)){{TABLE_OPTIONS}}",

               // Payments are append-only; account_id repeats the order's for per-account lists.
               "CREATE TABLE IF NOT EXISTS payments ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " order_id VARCHAR(64) NOT NULL,"
               " account_id VARCHAR(64) NOT NULL,"
               " currency VARCHAR(3) NOT NULL,"
               " amount_micros BIGINT NOT NULL,"
               " received_day BIGINT NOT NULL,"
               " reference VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " FOREIGN KEY (order_id) REFERENCES orders (id),"
               " FOREIGN KEY (account_id) REFERENCES accounts (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS payments_by_order ON payments (order_id, id)",
               "CREATE INDEX IF NOT EXISTS payments_by_account ON payments (account_id, id)",
           },
           /*seed=*/nullptr},
          {2,
           "order index for key-account scoring",
           {
               // Key-account classification sums every account's orders per currency in one
               // pass (services/kam/facts_store.cc); this index holds every column it reads, in
               // its GROUP BY order, so the pass never visits the table or sorts.
               "CREATE INDEX IF NOT EXISTS orders_for_scoring ON orders"
               " (account_id, currency, status, order_day, due_day, total_micros, paid_micros)",
           },
           /*seed=*/nullptr},
      }};
}

}  // namespace crm::pipeline
