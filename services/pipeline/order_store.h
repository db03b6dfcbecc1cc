// SQL for orders, their lines and the payments received against them: every statement named
// once here, rows mapped once (soci::type_conversion in order_store.cc). Amounts are stored as
// micros of the order's currency, dates as day numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/money.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Orders in id (= creation) order; unset fields do not filter.
struct OrderListQuery {
  std::string account_id;
  crm::v1::OrderStatus status = crm::v1::ORDER_STATUS_UNSPECIFIED;
  // Keyset position: orders with an id strictly greater ("" = from the start).
  std::string after_id;
  int limit = 50;
};

// Payments in id (= recording) order; at least one of order_id and account_id is set.
struct PaymentListQuery {
  std::string order_id;
  std::string account_id;
  std::string after_id;
  int limit = 50;
};

// What an account owes, per currency (ascending code), over its open orders.
struct ReceivableTotals {
  // total − paid of every open order; only currencies with open orders.
  std::vector<Amount> outstanding;
  // The same over open orders due before the as-of day; only currencies with such orders.
  std::vector<Amount> overdue;
  int64_t open_orders = 0;
  int64_t overdue_orders = 0;
};

class OrderStore {
 public:
  // The order with its lines; nullopt when there is none.
  static absl::StatusOr<std::optional<crm::v1::Order>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the order row for the rest of the write transaction: payments and
  // cancellation of one order serialise here.
  static absl::StatusOr<std::optional<crm::v1::Order>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts the order (revision 1) and its lines. Another live order of the same opportunity →
  // ALREADY_EXISTS naming order.opportunity_id.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Order& order);
  // Writes paid, status and update_time and bumps the revision, only if the stored revision is
  // still `expected_revision` (lines, amounts and parties never change). False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Order& order, int64_t expected_revision);
  // Matching orders with their lines.
  static absl::StatusOr<std::vector<crm::v1::Order>> List(soci::session& sql, const OrderListQuery& query);

  // nullopt when no payment has this id.
  static absl::StatusOr<std::optional<crm::v1::Payment>> FindPayment(soci::session& sql, const std::string& id);
  static absl::Status InsertPayment(db::Tx& tx, const crm::v1::Payment& payment);
  static absl::StatusOr<std::vector<crm::v1::Payment>> ListPayments(soci::session& sql,
                                                                    const PaymentListQuery& query);

  // Outstanding and overdue amounts of `account_id`, added up in SQL; "overdue" means due
  // strictly before day `as_of_day`.
  static absl::StatusOr<ReceivableTotals> Receivables(soci::session& sql, const std::string& account_id,
                                                      int64_t as_of_day);
};

}  // namespace crm::pipeline
