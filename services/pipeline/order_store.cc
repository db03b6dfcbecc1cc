#include "services/pipeline/order_store.h"

#include <soci/soci.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace crm::pipeline {
namespace {

// One stored line with the order it belongs to; its price is in the order's currency.
struct OrderLineRow {
  std::string order_id;
  int64_t ordinal = 0;
  std::string currency;
  crm::v1::OrderLine line;
};

// Micros of a validated amount (the logic converts and checks every amount before it is stored).
long long MicrosOf(const crm::v1::Money& money) {
  return AmountFromMoney(money, "", /*allow_negative=*/true).value_or(Amount()).micros;
}

long long DayOf(const crm::v1::Date& date) { return DayNumberFromDate(date, "").value_or(0); }

}  // namespace
}  // namespace crm::pipeline

namespace soci {

// The one mapping between an orders row and crm.v1.Order (lines are read separately).
template <>
struct type_conversion<crm::v1::Order> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Order& o) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    o.Clear();
    const std::string currency = GetString(v, "currency");
    o.set_id(GetString(v, "id"));
    o.set_account_id(GetString(v, "account_id"));
    o.set_opportunity_id(GetString(v, "opportunity_id"));
    *o.mutable_total() = crm::MoneyFromMicros(currency, GetInt64(v, "total_micros"));
    *o.mutable_paid() = crm::MoneyFromMicros(currency, GetInt64(v, "paid_micros"));
    *o.mutable_order_date() = crm::DateFromDayNumber(GetInt64(v, "order_day"));
    *o.mutable_due_date() = crm::DateFromDayNumber(GetInt64(v, "due_day"));
    o.set_status(static_cast<crm::v1::OrderStatus>(GetInt64(v, "status")));
    o.set_owner(GetString(v, "owner"));
    *o.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *o.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    o.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Order& o, Values& v, indicator& ind) {
    const bool from_opportunity = !o.opportunity_id().empty();
    const bool live = o.status() != crm::v1::ORDER_STATUS_CANCELLED;
    v.set("id", o.id());
    v.set("account_id", o.account_id());
    v.set("opportunity_id", o.opportunity_id(), from_opportunity ? i_ok : i_null);
    v.set("open_opportunity_id", o.opportunity_id(), from_opportunity && live ? i_ok : i_null);
    v.set("currency", o.total().currency_code());
    v.set("total_micros", crm::pipeline::MicrosOf(o.total()));
    v.set("paid_micros", crm::pipeline::MicrosOf(o.paid()));
    v.set("order_day", crm::pipeline::DayOf(o.order_date()));
    v.set("due_day", crm::pipeline::DayOf(o.due_date()));
    v.set("status", static_cast<long long>(o.status()));
    v.set("owner", o.owner());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(o.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(o.update_time())));
    ind = i_ok;
  }
};

template <>
struct type_conversion<crm::pipeline::OrderLineRow> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::pipeline::OrderLineRow& row) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    row.order_id = GetString(v, "order_id");
    row.ordinal = GetInt64(v, "ordinal");
    row.currency = GetString(v, "currency");
    row.line.Clear();
    row.line.set_description(GetString(v, "description"));
    row.line.set_quantity(GetInt64(v, "quantity"));
    *row.line.mutable_unit_price() = crm::MoneyFromMicros(row.currency, GetInt64(v, "unit_price_micros"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::pipeline::OrderLineRow& row, Values& v, indicator& ind) {
    v.set("order_id", row.order_id);
    v.set("ordinal", static_cast<long long>(row.ordinal));
    v.set("description", row.line.description());
    v.set("quantity", static_cast<long long>(row.line.quantity()));
    v.set("unit_price_micros", crm::pipeline::MicrosOf(row.line.unit_price()));
    ind = i_ok;
  }
};

// The one mapping between a payments row and crm.v1.Payment.
template <>
struct type_conversion<crm::v1::Payment> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Payment& p) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    p.Clear();
    p.set_id(GetString(v, "id"));
    p.set_order_id(GetString(v, "order_id"));
    p.set_account_id(GetString(v, "account_id"));
    *p.mutable_amount() = crm::MoneyFromMicros(GetString(v, "currency"), GetInt64(v, "amount_micros"));
    *p.mutable_received_date() = crm::DateFromDayNumber(GetInt64(v, "received_day"));
    p.set_reference(GetString(v, "reference"));
    *p.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Payment& p, Values& v, indicator& ind) {
    v.set("id", p.id());
    v.set("order_id", p.order_id());
    v.set("account_id", p.account_id());
    v.set("currency", p.amount().currency_code());
    v.set("amount_micros", crm::pipeline::MicrosOf(p.amount()));
    v.set("received_day", crm::pipeline::DayOf(p.received_date()));
    v.set("reference", p.reference());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(p.create_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

using crm::v1::Order;
using crm::v1::Payment;

constexpr char kOrderColumns[] =
    "id, account_id, opportunity_id, currency, total_micros, paid_micros, order_day, due_day, status, owner,"
    " create_time, update_time, revision";
const std::string kSelectOrder = absl::StrCat("SELECT ", kOrderColumns, " FROM orders");
const std::string kSelectOrderById = kSelectOrder + " WHERE id = :id";
constexpr char kInsertOrder[] =
    "INSERT INTO orders (id, account_id, opportunity_id, open_opportunity_id, currency, total_micros,"
    " paid_micros, order_day, due_day, status, owner, create_time, update_time, revision) VALUES (:id,"
    " :account_id, :opportunity_id, :open_opportunity_id, :currency, :total_micros, :paid_micros, :order_day,"
    " :due_day, :status, :owner, :create_time, :update_time, 1)";
// Only what payments and cancellation move.
constexpr char kUpdateOrder[] =
    "UPDATE orders SET paid_micros = :paid_micros, status = :status, open_opportunity_id = :open_opportunity_id,"
    " update_time = :update_time, revision = revision + 1 WHERE id = :id AND revision = :expected_revision";

constexpr char kSelectLines[] =
    "SELECT l.order_id AS order_id, l.ordinal AS ordinal, l.description AS description, l.quantity AS quantity,"
    " l.unit_price_micros AS unit_price_micros, o.currency AS currency"
    " FROM order_lines l JOIN orders o ON o.id = l.order_id";
constexpr char kInsertLine[] =
    "INSERT INTO order_lines (order_id, ordinal, description, quantity, unit_price_micros)"
    " VALUES (:order_id, :ordinal, :description, :quantity, :unit_price_micros)";

constexpr char kPaymentColumns[] =
    "id, order_id, account_id, currency, amount_micros, received_day, reference, create_time";
const std::string kSelectPayment = absl::StrCat("SELECT ", kPaymentColumns, " FROM payments");
const std::string kSelectPaymentById = kSelectPayment + " WHERE id = :id";
constexpr char kInsertPayment[] =
    "INSERT INTO payments (id, order_id, account_id, currency, amount_micros, received_day, reference,"
    " create_time) VALUES (:id, :order_id, :account_id, :currency, :amount_micros, :received_day, :reference,"
    " :create_time)";

// Both backends add up BIGINTs exactly; the casts make MariaDB hand back an integer instead of
// a DECIMAL (SQLite keeps integers as they are).
constexpr char kSelectReceivables[] =
    "SELECT currency, CAST(SUM(total_micros - paid_micros) AS SIGNED), COUNT(*),"
    " CAST(SUM(CASE WHEN due_day < :as_of THEN total_micros - paid_micros ELSE 0 END) AS SIGNED),"
    " CAST(SUM(CASE WHEN due_day < :as_of_again THEN 1 ELSE 0 END) AS SIGNED)"
    " FROM orders WHERE account_id = :account_id AND status = :open GROUP BY currency ORDER BY currency";

// Attaches to each order its lines, read in one query.
absl::Status AttachLines(soci::session& sql, std::vector<Order>* orders) {
  if (orders->empty()) return absl::OkStatus();
  db::SqlQuery q(kSelectLines);
  std::map<std::string, Order*> by_id;
  for (size_t i = 0; i < orders->size(); ++i) {
    Order& order = (*orders)[i];
    by_id[order.id()] = &order;
    q.Append(i == 0 ? " WHERE l.order_id IN (?" : ", ?", order.id());
  }
  q.Append(") ORDER BY l.order_id, l.ordinal");
  return db::Guard("read order lines", [&]() -> absl::Status {
    db::ForEachRow<OrderLineRow>(sql, q, [&](const OrderLineRow& row) {
      auto it = by_id.find(row.order_id);
      if (it != by_id.end()) *it->second->add_lines() = row.line;
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Order>> FindWithLines(soci::session& sql, const std::string& statement,
                                                   const std::string& id) {
  absl::StatusOr<std::optional<Order>> order = db::QueryOne<Order>(sql, statement, id, "read order");
  if (!order.ok() || !order->has_value()) return order;
  std::vector<Order> one{**std::move(order)};
  if (absl::Status s = AttachLines(sql, &one); !s.ok()) return s;
  return std::optional<Order>(std::move(one.front()));
}

}  // namespace

absl::StatusOr<std::optional<Order>> OrderStore::Find(soci::session& sql, const std::string& id) {
  return FindWithLines(sql, kSelectOrderById, id);
}

absl::StatusOr<std::optional<Order>> OrderStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return FindWithLines(tx.session(), kSelectOrderById + tx.dialect().ForUpdate(), id);
}

absl::Status OrderStore::Insert(db::Tx& tx, const Order& order) {
  absl::Status status = db::Guard("insert order", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertOrder, order);
    return absl::OkStatus();
  });
  if (absl::IsAlreadyExists(status)) {
    return AlreadyExistsField("order.opportunity_id",
                              "the opportunity already has an order that is not cancelled");
  }
  if (!status.ok()) return status;
  return db::Guard("insert order lines", [&]() -> absl::Status {
    OrderLineRow row;
    row.order_id = order.id();
    for (const crm::v1::OrderLine& line : order.lines()) {
      row.line = line;
      db::ExecuteRow(tx.session(), kInsertLine, row);
      ++row.ordinal;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> OrderStore::Update(db::Tx& tx, const Order& order, int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdateOrder, order, expected_revision, "update order");
}

absl::StatusOr<std::vector<Order>> OrderStore::List(soci::session& sql, const OrderListQuery& query) {
  db::SqlQuery q(kSelectOrder);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (query.status != crm::v1::ORDER_STATUS_UNSPECIFIED) q.Where("status = ?", static_cast<long long>(query.status));
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));
  absl::StatusOr<std::vector<Order>> orders = db::QueryAll<Order>(sql, q, "list orders");
  if (!orders.ok()) return orders;
  if (absl::Status s = AttachLines(sql, &*orders); !s.ok()) return s;
  return orders;
}

absl::StatusOr<std::optional<Payment>> OrderStore::FindPayment(soci::session& sql, const std::string& id) {
  return db::QueryOne<Payment>(sql, kSelectPaymentById, id, "read payment");
}

absl::Status OrderStore::InsertPayment(db::Tx& tx, const Payment& payment) {
  return db::Guard("insert payment", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertPayment, payment);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Payment>> OrderStore::ListPayments(soci::session& sql, const PaymentListQuery& query) {
  db::SqlQuery q(kSelectPayment);
  if (!query.order_id.empty()) q.Where("order_id = ?", query.order_id);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<Payment>(sql, q, "list payments");
}

absl::StatusOr<ReceivableTotals> OrderStore::Receivables(soci::session& sql, const std::string& account_id,
                                                         int64_t as_of_day) {
  ReceivableTotals totals;
  long long as_of = as_of_day;
  long long open = crm::v1::ORDER_STATUS_OPEN;
  absl::Status status = db::Guard("sum receivables", [&]() -> absl::Status {
    soci::rowset<soci::row> rows =
        (sql.prepare << kSelectReceivables, soci::use(as_of, "as_of"), soci::use(as_of, "as_of_again"),
         soci::use(account_id, "account_id"), soci::use(open, "open"));
    for (const soci::row& row : rows) {
      const std::string currency = db::GetString(row, 0);
      totals.outstanding.push_back(Amount{currency, db::GetInt64(row, 1)});
      totals.open_orders += db::GetInt64(row, 2);
      const int64_t overdue_orders = db::GetInt64(row, 4);
      if (overdue_orders > 0) {
        totals.overdue.push_back(Amount{currency, db::GetInt64(row, 3)});
        totals.overdue_orders += overdue_orders;
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

}  // namespace crm::pipeline
