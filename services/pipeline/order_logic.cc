#include "services/pipeline/order_logic.h"

#include <soci/soci.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/money.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "common/db/sql_error.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"
#include "services/pipeline/opportunity_logic.h"
#include "services/pipeline/order_store.h"

namespace crm::pipeline {
namespace {

using crm::v1::Order;
using crm::v1::Payment;

constexpr char kOrderEntity[] = "order";
constexpr char kPaymentEntity[] = "payment";
constexpr char kOrderIdPrefix[] = "ord";
constexpr char kPaymentIdPrefix[] = "pay";
constexpr char kCreateOrderScope[] = "orders.create";
constexpr char kRecordPaymentScope[] = "payments.create";
constexpr char kListOrdersScope[] = "orders.list";
constexpr char kListPaymentsScope[] = "payments.list";
constexpr int kMaxLines = 1000;
constexpr size_t kMaxLineDescriptionLength = 500;


const char* StatusWord(crm::v1::OrderStatus status) {
  switch (status) {
    case crm::v1::ORDER_STATUS_OPEN:
      return "open";
    case crm::v1::ORDER_STATUS_PAID:
      return "paid";
    case crm::v1::ORDER_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "in no known state";
  }
}

const char* OpportunityStatusWord(crm::v1::OpportunityStatus status) {
  switch (status) {
    case crm::v1::OPPORTUNITY_STATUS_OPEN:
      return "still open";
    case crm::v1::OPPORTUNITY_STATUS_LOST:
      return "lost";
    default:
      return "not won";
  }
}

// Adds every violation of `money` to `v`.
void CheckMoney(Validator& v, const crm::v1::Money& money, const std::string& field) {
  for (const FieldViolation& violation : MoneyViolations(money, field, /*allow_negative=*/false)) {
    v.Check(false, violation.field, violation.description);
  }
}

// Checks what CreateOrder accepts from the caller; collects all violations. Checks that need the
// opportunity or today's date come later.
absl::Status ValidateNewOrder(const Order& o) {
  Validator v;
  const bool from_opportunity = !o.opportunity_id().empty();
  if (from_opportunity) v.RequiredId(o.opportunity_id(), "order.opportunity_id");
  if (!from_opportunity || !o.account_id().empty()) v.RequiredId(o.account_id(), "order.account_id");
  v.Check(from_opportunity || o.lines_size() > 0, "order.lines", "a direct order needs at least one line");
  v.Check(o.lines_size() <= kMaxLines, "order.lines", absl::StrCat("at most ", kMaxLines, " lines"));
  std::string currency;
  for (int i = 0; i < o.lines_size() && i < kMaxLines; ++i) {
    const crm::v1::OrderLine& line = o.lines(i);
    const std::string field = absl::StrCat("order.lines[", i, "]");
    v.RequiredText(line.description(), field + ".description", kMaxLineDescriptionLength);
    v.Check(line.quantity() > 0, field + ".quantity", "must be more than zero");
    v.Check(line.has_unit_price(), field + ".unit_price", "is required");
    if (!line.has_unit_price()) continue;
    CheckMoney(v, line.unit_price(), field + ".unit_price");
    const std::string& code = line.unit_price().currency_code();
    if (!IsCurrencyCode(code)) continue;
    if (currency.empty()) currency = code;
    v.Check(code == currency, field + ".unit_price.currency_code",
            absl::StrCat("every line of an order is in one currency (", currency, ")"));
  }
  if (o.has_order_date()) v.Check(IsValidDate(o.order_date()), "order.order_date", "is not a valid calendar date");
  if (o.has_due_date()) v.Check(IsValidDate(o.due_date()), "order.due_date", "is not a valid calendar date");
  v.OptionalText(o.owner(), "order.owner", kMaxShortTextLength);
  return v.status();
}

// The total of validated lines, exactly: Σ quantity × unit price in micros.
absl::StatusOr<Amount> LinesTotal(const Order& o) {
  Amount total{o.lines(0).unit_price().currency_code(), 0};
  for (int i = 0; i < o.lines_size(); ++i) {
    const std::string field = absl::StrCat("order.lines[", i, "]");
    absl::StatusOr<Amount> price = AmountFromMoney(o.lines(i).unit_price(), field + ".unit_price");
    if (!price.ok()) return price.status();
    absl::StatusOr<int64_t> line = MultiplyMicros(price->micros, o.lines(i).quantity(), field + ".quantity");
    if (!line.ok()) return line.status();
    absl::StatusOr<int64_t> sum = AddMicros(total.micros, *line, "order.lines");
    if (!sum.ok()) return sum.status();
    total.micros = *sum;
  }
  return total;
}

}  // namespace

absl::StatusOr<Order> OrderLogic::Create(const server::CallContext& call, const crm::v1::CreateOrderRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_order(), "order", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Order order = request.order();
  order.set_owner(Trimmed(order.owner()));
  for (crm::v1::OrderLine& line : *order.mutable_lines()) line.set_description(Trimmed(line.description()));
  if (absl::Status valid = ValidateNewOrder(order); !valid.ok()) return valid;

  const absl::Time now = rt_.clock->Now();
  const int64_t order_day =
      order.has_order_date() ? *DayNumberFromDate(order.order_date(), "order.order_date") : DayNumberOf(now);
  const int64_t due_day = order.has_due_date() ? *DayNumberFromDate(order.due_date(), "order.due_date") : order_day;
  if (due_day < order_day) return InvalidField("order.due_date", "must not be before order_date");
  std::optional<Amount> lines_total;
  if (order.lines_size() > 0) {
    absl::StatusOr<Amount> total = LinesTotal(order);
    if (!total.ok()) return total.status();
    if (total->micros <= 0) return InvalidField("order.lines", "the order total must be more than zero");
    lines_total = *total;
    for (crm::v1::OrderLine& line : *order.mutable_lines()) {
      *line.mutable_unit_price() = MoneyFromAmount(*AmountFromMoney(line.unit_price(), "unit_price"));
    }
  }
  // Output-only fields are ignored on create.
  order.clear_total();
  order.clear_paid();
  order.clear_create_time();
  order.clear_update_time();
  order.clear_etag();
  order.set_status(crm::v1::ORDER_STATUS_OPEN);
  *order.mutable_order_date() = DateFromDayNumber(order_day);
  *order.mutable_due_date() = DateFromDayNumber(due_day);
  order.set_id(NewIdAt(kOrderIdPrefix, now));
  *order.mutable_create_time() = TimeToTimestamp(now);
  *order.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Order>(
      *rt_.db, call.deadline, kCreateOrderScope, request.request_id(), request, OrderStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Order> {
        Order created = order;
        std::optional<Amount> total = lines_total;
        // Problems with the account of an opportunity's order are the opportunity's.
        std::string account_field = "order.account_id";
        if (!created.opportunity_id().empty()) {
          // Locked, so the opportunity cannot be reopened while its order is written.
          absl::StatusOr<std::optional<crm::v1::Opportunity>> opportunity =
              FindOpportunityForUpdate(tx, created.opportunity_id());
          if (!opportunity.ok()) return opportunity.status();
          if (!opportunity->has_value()) {
            return NoSuchEntity("order.opportunity_id", kOpportunityEntity, created.opportunity_id());
          }
          const crm::v1::Opportunity& won = **opportunity;
          if (won.status() != crm::v1::OPPORTUNITY_STATUS_WON) {
            return FailedPreconditionField("order.opportunity_id",
                                           absl::StrCat("the opportunity is ", OpportunityStatusWord(won.status()),
                                                        "; only won opportunities are ordered"));
          }
          if (!created.account_id().empty() && created.account_id() != won.account_id()) {
            return InvalidField("order.account_id",
                                absl::StrCat("differs from the opportunity's account \"", won.account_id(), "\""));
          }
          if (created.account_id().empty()) account_field = "order.opportunity_id";
          created.set_account_id(won.account_id());
          if (!total.has_value()) {
            if (!won.has_amount()) return InvalidField("order.lines", "are required: the opportunity has no amount");
            absl::StatusOr<Amount> amount = AmountFromMoney(won.amount(), "order.lines");
            if (!amount.ok()) return amount.status();
            if (amount->micros <= 0) {
              return InvalidField("order.lines", "are required: the opportunity's amount is zero");
            }
            total = *amount;
          }
          if (created.owner().empty()) created.set_owner(won.owner());
        }
        absl::StatusOr<crm::v1::Account> account = accounts::FindLiveAccount(tx, created.account_id(), account_field);
        if (!account.ok()) return account.status();
        if (created.owner().empty()) created.set_owner(account->owner());
        if (created.owner().empty()) created.set_owner(call.actor);
        *created.mutable_total() = MoneyFromAmount(*total);
        *created.mutable_paid() = MoneyFromMicros(total->currency, 0);

        if (absl::Status s = OrderStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event =
            rt_.outbox->AppendChange(tx, "order.created", kOrderEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
                                     DiffMessages(nullptr, created, BookkeepingFields()), created.owner(), call.actor,
                                     request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<Order> OrderLogic::Get(const server::CallContext& call, const crm::v1::GetOrderRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Order>(*rt_.db, call.deadline, OrderStore::Find, request.id(), kOrderEntity);
}

absl::StatusOr<crm::v1::ListOrdersResponse> OrderLogic::List(const server::CallContext& call,
                                                              const crm::v1::ListOrdersRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  if (!request.account_id().empty()) v.RequiredId(request.account_id(), "account_id");
  v.Enum(request.status(), crm::v1::OrderStatus_IsValid, "status", false);
  if (!v.ok()) return v.status();

  OrderListQuery query;
  query.account_id = request.account_id();
  query.status = request.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListOrdersScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Order>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Order>> {
        // A filter naming an unknown account is NOT_FOUND, not an empty page.
        if (!query.account_id.empty()) {
          absl::StatusOr<std::optional<crm::v1::Account>> account = accounts::AccountStore::Find(sql, query.account_id);
          if (!account.ok()) return account.status();
          if (!account->has_value()) return NoSuchEntity("account_id", accounts::kAccountEntity, query.account_id);
        }
        return OrderStore::List(sql, query);
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListOrdersResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const Order& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Order& o : *rows) *response.add_orders() = std::move(o);
  return response;
}

absl::StatusOr<Order> OrderLogic::Cancel(const server::CallContext& call, const crm::v1::CancelOrderRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<Order> op;
  op.load = OrderStore::FindForUpdate;
  op.not_found = [&] { return NoSuchEntity("id", kOrderEntity, request.id()); };
  op.change = [&](db::Tx&, const Order& before) -> absl::StatusOr<std::optional<Order>> {
    if (before.status() != crm::v1::ORDER_STATUS_OPEN) {
      return FailedPreconditionField("id", absl::StrCat("the order is already ", StatusWord(before.status()),
                                                        "; only open orders can be cancelled"));
    }
    const Amount paid = *AmountFromMoney(before.paid(), "paid");
    if (paid.micros != 0) {
      return FailedPreconditionField(
          "id", absl::StrCat(FormatAmount(paid), " has been received against the order; it cannot be cancelled"));
    }
    Order after = before;
    after.set_status(crm::v1::ORDER_STATUS_CANCELLED);
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Order>(std::move(after));
  };
  op.store = db::StoreOf(OrderStore::Update);
  op.after_write = [&](db::Tx& tx, const Order& before, const Order& after) {
    return rt_.outbox->AppendChange(tx, "order.cancelled", kOrderEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor,
                                    call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kOrderEntity, op);
}

absl::StatusOr<Payment> OrderLogic::RecordPayment(const server::CallContext& call,
                                                  const crm::v1::RecordPaymentRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_payment(), "payment", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Payment payment = request.payment();
  payment.set_reference(Trimmed(payment.reference()));
  Validator v;
  v.RequiredId(payment.order_id(), "payment.order_id");
  if (!payment.account_id().empty()) v.RequiredId(payment.account_id(), "payment.account_id");
  v.Check(payment.has_amount(), "payment.amount", "is required");
  if (payment.has_amount()) {
    CheckMoney(v, payment.amount(), "payment.amount");
    v.Check(payment.amount().units() != 0 || payment.amount().nanos() != 0, "payment.amount",
            "must be more than zero");
  }
  if (payment.has_received_date()) {
    v.Check(IsValidDate(payment.received_date()), "payment.received_date", "is not a valid calendar date");
  }
  v.OptionalText(payment.reference(), "payment.reference", kMaxShortTextLength);
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  const Amount amount = *AmountFromMoney(payment.amount(), "payment.amount");
  const int64_t received_day = payment.has_received_date()
                                   ? *DayNumberFromDate(payment.received_date(), "payment.received_date")
                                   : DayNumberOf(now);
  *payment.mutable_amount() = MoneyFromAmount(amount);
  *payment.mutable_received_date() = DateFromDayNumber(received_day);
  payment.set_id(NewIdAt(kPaymentIdPrefix, now));
  *payment.mutable_create_time() = TimeToTimestamp(now);

  return db::CreateOnce<Payment>(
      *rt_.db, call.deadline, kRecordPaymentScope, request.request_id(), request, OrderStore::FindPayment,
      [&](db::Tx& tx) -> absl::StatusOr<Payment> {
        // The order row stays locked until commit: payments of one order run one after another,
        // and each sees what the previous ones paid.
        absl::StatusOr<std::optional<Order>> found = OrderStore::FindForUpdate(tx, payment.order_id());
        if (!found.ok()) return found.status();
        if (!found->has_value()) return NoSuchEntity("payment.order_id", kOrderEntity, payment.order_id());
        const Order& before = **found;
        if (!payment.account_id().empty() && payment.account_id() != before.account_id()) {
          return InvalidField("payment.account_id",
                              absl::StrCat("differs from the order's account \"", before.account_id(), "\""));
        }
        if (before.status() == crm::v1::ORDER_STATUS_CANCELLED) {
          return FailedPreconditionField("payment.order_id", "the order is cancelled; it takes no payments");
        }
        const Amount total = *AmountFromMoney(before.total(), "total");
        const Amount paid = *AmountFromMoney(before.paid(), "paid");
        if (amount.currency != total.currency) {
          return InvalidField("payment.amount.currency_code",
                              absl::StrCat("must be the order's currency, ", total.currency));
        }
        const int64_t due = total.micros - paid.micros;
        if (amount.micros > due) {
          return FailedPreconditionField(
              "payment.amount", due == 0 ? std::string("the order is fully paid")
                                         : absl::StrCat("is more than the ", FormatAmount(Amount{total.currency, due}),
                                                        " still due on the order"));
        }

        Payment recorded = payment;
        recorded.set_account_id(before.account_id());
        Order after = before;
        *after.mutable_paid() = MoneyFromMicros(total.currency, paid.micros + amount.micros);
        const bool settled = amount.micros == due;
        if (settled) after.set_status(crm::v1::ORDER_STATUS_PAID);
        *after.mutable_update_time() = TimeToTimestamp(now);
        const int64_t revision = db::RevisionOf(before);
        absl::StatusOr<bool> written = OrderStore::Update(tx, after, revision);
        if (!written.ok()) return written.status();
        // Cannot happen while the row is locked; should it ever, run again on fresh data rather
        // than pay against a stale balance.
        if (!*written) return db::RetryTransaction("order changed under a payment");
        after.set_etag(FormatEtag(revision + 1));
        if (absl::Status s = OrderStore::InsertPayment(tx, recorded); !s.ok()) return s;

        absl::Status event = rt_.outbox->AppendChange(
            tx, "payment.recorded", kPaymentEntity, recorded.id(), crm::v1::CHANGE_KIND_CREATED,
            DiffMessages(nullptr, recorded), after.owner(), call.actor, request.request_id(), now);
        if (!event.ok()) return event;
        if (settled) {
          event = rt_.outbox->AppendChange(tx, "order.paid", kOrderEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                           DiffMessages(&before, after, BookkeepingFields()), after.owner(),
                                           call.actor, request.request_id(), now);
          if (!event.ok()) return event;
        }
        return recorded;
      });
}

absl::StatusOr<crm::v1::ListPaymentsResponse> OrderLogic::ListPayments(const server::CallContext& call,
                                                                       const crm::v1::ListPaymentsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Check(!request.order_id().empty() || !request.account_id().empty(), "order_id",
          "an order_id or an account_id is required");
  if (!request.order_id().empty()) v.RequiredId(request.order_id(), "order_id");
  if (!request.account_id().empty()) v.RequiredId(request.account_id(), "account_id");
  if (!v.ok()) return v.status();

  PaymentListQuery query;
  query.order_id = request.order_id();
  query.account_id = request.account_id();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListPaymentsScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Payment>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Payment>> {
        // Filters name an order or an account: unknown ones are NOT_FOUND, not an empty page.
        if (!query.order_id.empty()) {
          absl::StatusOr<std::optional<Order>> order = OrderStore::Find(sql, query.order_id);
          if (!order.ok()) return order.status();
          if (!order->has_value()) return NoSuchEntity("order_id", kOrderEntity, query.order_id);
          if (!query.account_id.empty() && (*order)->account_id() != query.account_id) {
            return InvalidField("account_id", "the order belongs to another account");
          }
        } else {
          absl::StatusOr<std::optional<crm::v1::Account>> account = accounts::AccountStore::Find(sql, query.account_id);
          if (!account.ok()) return account.status();
          if (!account->has_value()) return NoSuchEntity("account_id", accounts::kAccountEntity, query.account_id);
        }
        return OrderStore::ListPayments(sql, query);
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListPaymentsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const Payment& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Payment& p : *rows) *response.add_payments() = std::move(p);
  return response;
}

absl::StatusOr<crm::v1::Receivables> OrderLogic::GetReceivables(const server::CallContext& call,
                                                                const crm::v1::GetReceivablesRequest& request) {
  Validator v;
  v.RequiredId(request.account_id(), "account_id");
  if (request.has_as_of()) v.Check(IsValidDate(request.as_of()), "as_of", "is not a valid calendar date");
  if (!v.ok()) return v.status();
  const int64_t as_of_day =
      request.has_as_of() ? *DayNumberFromDate(request.as_of(), "as_of") : DayNumberOf(rt_.clock->Now());

  absl::StatusOr<ReceivableTotals> totals =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<ReceivableTotals> {
        // A soft-deleted account still owes what it owes.
        absl::StatusOr<std::optional<crm::v1::Account>> account =
            accounts::AccountStore::Find(sql, request.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) return NoSuchEntity("account_id", accounts::kAccountEntity, request.account_id());
        return OrderStore::Receivables(sql, request.account_id(), as_of_day);
      });
  if (!totals.ok()) return totals.status();
  crm::v1::Receivables response;
  response.set_account_id(request.account_id());
  for (const Amount& amount : totals->outstanding) *response.add_outstanding() = MoneyFromAmount(amount);
  for (const Amount& amount : totals->overdue) *response.add_overdue() = MoneyFromAmount(amount);
  response.set_open_orders(static_cast<int32_t>(totals->open_orders));
  response.set_overdue_orders(static_cast<int32_t>(totals->overdue_orders));
  return response;
}

}  // namespace crm::pipeline
