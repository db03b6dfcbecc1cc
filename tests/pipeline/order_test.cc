// PipelineService orders, payments received and receivables, through a real in-process server
// and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Account;
using crm::v1::Money;
using crm::v1::Order;
using crm::v1::OrderLine;
using crm::v1::Payment;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownOrderId[] = "ord_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownOpportunityId[] = "opp_01ARZ3NDEKTSV4RRFFQ69G5FAV";

Money M(const std::string& currency, int64_t units, int32_t nanos = 0) {
  Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

// Micros ↔ Money, computed here independently of the service's money code (non-negative only).
int64_t MicrosOf(const Money& m) { return m.units() * 1000000 + m.nanos() / 1000; }
Money FromMicros(const std::string& currency, int64_t micros) {
  return M(currency, micros / 1000000, static_cast<int32_t>(micros % 1000000) * 1000);
}

crm::v1::Date D(absl::CivilDay day) {
  crm::v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

absl::CivilDay DayOf(const crm::v1::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }

OrderLine Line(const std::string& description, int64_t quantity, const Money& unit_price) {
  OrderLine line;
  line.set_description(description);
  line.set_quantity(quantity);
  *line.mutable_unit_price() = unit_price;
  return line;
}

// The test server's clock starts at 2026-01-01T00:00:00Z.
const absl::CivilDay kToday(2026, 1, 1);

class OrderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    testing::TestServerOptions options;
    options.db_pool_size = 8;
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  Account MustCreateAccount(const std::string& name, const std::string& owner = "bob") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // An opportunity of `account_id`, closed as won when `won`.
  crm::v1::Opportunity MustCreateOpportunity(const std::string& account_id, const Money& amount, bool won,
                                             const std::string& owner = "olga") {
    crm::v1::CreateOpportunityRequest create;
    create.mutable_opportunity()->set_account_id(account_id);
    create.mutable_opportunity()->set_name("Big deal");
    *create.mutable_opportunity()->mutable_amount() = amount;
    create.mutable_opportunity()->set_owner(owner);
    crm::v1::Opportunity opportunity;
    grpc::Status s = pipeline_->CreateOpportunity(CallAs().get(), create, &opportunity);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!won) return opportunity;
    crm::v1::CloseOpportunityRequest close;
    close.set_id(opportunity.id());
    close.set_won(true);
    s = pipeline_->CloseOpportunity(CallAs().get(), close, &opportunity);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(opportunity.status(), crm::v1::OPPORTUNITY_STATUS_WON);
    return opportunity;
  }

  static Order DirectOrder(const std::string& account_id, std::vector<OrderLine> lines) {
    Order o;
    o.set_account_id(account_id);
    for (OrderLine& line : lines) *o.add_lines() = std::move(line);
    return o;
  }

  grpc::Status Create(const Order& order, Order* out, const std::string& request_id = "") {
    crm::v1::CreateOrderRequest request;
    *request.mutable_order() = order;
    request.set_request_id(request_id);
    return pipeline_->CreateOrder(CallAs().get(), request, out);
  }

  Order MustCreate(const Order& order) {
    Order out;
    grpc::Status s = Create(order, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  Order MustGet(const std::string& id) {
    crm::v1::GetOrderRequest request;
    request.set_id(id);
    Order out;
    grpc::Status s = pipeline_->GetOrder(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Pay(const std::string& order_id, const Money& amount, Payment* out, const std::string& request_id = "",
                   crm::v1::PipelineService::Stub* stub = nullptr) {
    crm::v1::RecordPaymentRequest request;
    request.mutable_payment()->set_order_id(order_id);
    *request.mutable_payment()->mutable_amount() = amount;
    request.mutable_payment()->set_reference("bank transfer");
    request.set_request_id(request_id);
    return (stub != nullptr ? stub : pipeline_.get())->RecordPayment(CallAs().get(), request, out);
  }

  grpc::Status Cancel(const std::string& id, Order* out, const std::string& etag = "") {
    crm::v1::CancelOrderRequest request;
    request.set_id(id);
    request.set_etag(etag);
    return pipeline_->CancelOrder(CallAs().get(), request, out);
  }

  std::vector<crm::v1::Event> Events(const std::string& type) {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.events().begin(), response.events().end()};
  }

  // Every order `request` lists, following page tokens; fails the test on a repeated id.
  std::vector<Order> ListAllOrders(crm::v1::ListOrdersRequest request, int* pages = nullptr) {
    std::vector<Order> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 200; ++n) {
      crm::v1::ListOrdersResponse page;
      grpc::Status s = pipeline_->ListOrders(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.orders_size(), request.page_size());
      }
      for (const Order& o : page.orders()) {
        EXPECT_TRUE(seen.insert(o.id()).second) << "repeated " << o.id();
        all.push_back(o);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  std::vector<Payment> ListAllPayments(crm::v1::ListPaymentsRequest request, int* pages = nullptr) {
    std::vector<Payment> all;
    std::set<std::string> seen;
    int n = 0;
    for (; n < 200; ++n) {
      crm::v1::ListPaymentsResponse page;
      grpc::Status s = pipeline_->ListPayments(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.payments_size(), request.page_size());
      }
      for (const Payment& p : page.payments()) {
        EXPECT_TRUE(seen.insert(p.id()).second) << "repeated " << p.id();
        all.push_back(p);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    if (pages != nullptr) *pages = n + 1;
    return all;
  }

  grpc::Status Receivables(const std::string& account_id, crm::v1::Receivables* out,
                           const crm::v1::Date* as_of = nullptr) {
    crm::v1::GetReceivablesRequest request;
    request.set_account_id(account_id);
    if (as_of != nullptr) *request.mutable_as_of() = *as_of;
    return pipeline_->GetReceivables(CallAs().get(), request, out);
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(OrderTest, DirectOrderTotalsItsLinesExactlyAndDefaultsItsDates) {
  Account account = MustCreateAccount("Acme GmbH", "bob");
  // 3 × 19.99 + 7 × 0.000001 + 2 × 1000000.5 = 2000060.970007, exact to the micro.
  Order created = MustCreate(DirectOrder(account.id(), {Line("Widget", 3, M("EUR", 19, 990000000)),
                                                        Line("Screw", 7, M("EUR", 0, 1000)),
                                                        Line("  Plant  ", 2, M("EUR", 1000000, 500000000))}));
  EXPECT_EQ(created.id().substr(0, 4), "ord_");
  EXPECT_EQ(created.account_id(), account.id());
  EXPECT_EQ(created.total().currency_code(), "EUR");
  EXPECT_EQ(created.total().units(), 2000060);
  EXPECT_EQ(created.total().nanos(), 970007000);
  EXPECT_EQ(created.paid().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(created.paid()), 0);
  EXPECT_EQ(created.status(), crm::v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(DayOf(created.order_date()), kToday);
  EXPECT_EQ(DayOf(created.due_date()), kToday);  // due on receipt
  EXPECT_EQ(created.owner(), "bob");              // the account's owner
  EXPECT_EQ(created.etag(), "\"r1\"");
  ASSERT_EQ(created.lines_size(), 3);
  EXPECT_EQ(created.lines(2).description(), "Plant");

  Order fetched = MustGet(created.id());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());

  std::vector<crm::v1::Event> events = Events("order.created");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity(), "order");
  EXPECT_EQ(events[0].entity_id(), created.id());
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "bob");
  EXPECT_EQ(events[0].actor(), "alice");

  // Explicit dates and owner are kept.
  Order dated = DirectOrder(account.id(), {Line("Service", 1, M("USD", 250))});
  *dated.mutable_order_date() = D(absl::CivilDay(2025, 12, 1));
  *dated.mutable_due_date() = D(absl::CivilDay(2025, 12, 31));
  dated.set_owner("carol");
  Order explicit_dates = MustCreate(dated);
  EXPECT_EQ(DayOf(explicit_dates.order_date()), absl::CivilDay(2025, 12, 1));
  EXPECT_EQ(DayOf(explicit_dates.due_date()), absl::CivilDay(2025, 12, 31));
  EXPECT_EQ(explicit_dates.owner(), "carol");
  EXPECT_EQ(MicrosOf(explicit_dates.total()), 250000000);
}

TEST_P(OrderTest, BadDirectOrdersNameTheFieldAndWriteNothing) {
  Account account = MustCreateAccount("Valid Co");
  Order out;
  const auto expect = [&](const Order& order, grpc::StatusCode code, const std::string& field) {
    EXPECT_TRUE(HasCodeAndField(Create(order, &out), code, field)) << field;
  };
  const OrderLine good = Line("Widget", 2, M("EUR", 10));

  expect(DirectOrder("", {good}), grpc::StatusCode::INVALID_ARGUMENT, "order.account_id");
  expect(DirectOrder("not an id!", {good}), grpc::StatusCode::INVALID_ARGUMENT, "order.account_id");
  expect(DirectOrder(kUnknownAccountId, {good}), grpc::StatusCode::NOT_FOUND, "order.account_id");
  expect(DirectOrder(account.id(), {}), grpc::StatusCode::INVALID_ARGUMENT, "order.lines");
  expect(DirectOrder(account.id(), {Line("Widget", 0, M("EUR", 10))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[0].quantity");
  expect(DirectOrder(account.id(), {good, Line("Widget", -3, M("EUR", 10))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[1].quantity");
  expect(DirectOrder(account.id(), {Line("", 1, M("EUR", 10))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[0].description");
  expect(DirectOrder(account.id(), {Line("x", 1, M("EUR", -10))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[0].unit_price");
  expect(DirectOrder(account.id(), {Line("x", 1, M("eur", 10))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[0].unit_price.currency_code");
  expect(DirectOrder(account.id(), {Line("x", 1, M("EUR", 1, 1))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines[0].unit_price.nanos");  // more than 6 decimal places
  OrderLine no_price = good;
  no_price.clear_unit_price();
  expect(DirectOrder(account.id(), {no_price}), grpc::StatusCode::INVALID_ARGUMENT, "order.lines[0].unit_price");
  // One currency for all lines: the first line that differs is named.
  expect(DirectOrder(account.id(), {good, good, Line("Imported", 1, M("USD", 5))}),
         grpc::StatusCode::INVALID_ARGUMENT, "order.lines[2].unit_price.currency_code");
  // Overflow of one line and of the sum.
  expect(DirectOrder(account.id(), {Line("Lots", 10000000, M("EUR", 1000000000))}),
         grpc::StatusCode::INVALID_ARGUMENT, "order.lines[0].quantity");
  expect(DirectOrder(account.id(), {Line("Half", 1, M("EUR", 600000000000)), Line("Half", 1, M("EUR", 600000000000))}),
         grpc::StatusCode::INVALID_ARGUMENT, "order.lines");
  expect(DirectOrder(account.id(), {Line("Free", 3, M("EUR", 0))}), grpc::StatusCode::INVALID_ARGUMENT,
         "order.lines");

  Order dates = DirectOrder(account.id(), {good});
  *dates.mutable_order_date() = D(absl::CivilDay(2026, 3, 10));
  *dates.mutable_due_date() = D(absl::CivilDay(2026, 3, 9));
  expect(dates, grpc::StatusCode::INVALID_ARGUMENT, "order.due_date");
  dates.clear_order_date();  // defaults to today, 2026-01-01; the due date may not precede it
  *dates.mutable_due_date() = D(absl::CivilDay(2025, 12, 31));
  expect(dates, grpc::StatusCode::INVALID_ARGUMENT, "order.due_date");
  dates.mutable_due_date()->set_day(0);
  expect(dates, grpc::StatusCode::INVALID_ARGUMENT, "order.due_date");
  dates.clear_due_date();
  dates.mutable_order_date()->set_year(2026);
  dates.mutable_order_date()->set_month(2);
  dates.mutable_order_date()->set_day(30);
  expect(dates, grpc::StatusCode::INVALID_ARGUMENT, "order.order_date");

  // Several problems are reported together.
  grpc::Status both = Create(DirectOrder("", {Line("", 0, M("EUR", 1))}), &out);
  EXPECT_TRUE(HasCodeAndField(both, grpc::StatusCode::INVALID_ARGUMENT, "order.account_id"));
  EXPECT_TRUE(HasCodeAndField(both, grpc::StatusCode::INVALID_ARGUMENT, "order.lines[0].description"));
  EXPECT_TRUE(HasCodeAndField(both, grpc::StatusCode::INVALID_ARGUMENT, "order.lines[0].quantity"));
  crm::v1::CreateOrderRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->CreateOrder(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "order"));

  // A soft-deleted account takes no new orders.
  crm::v1::DeleteAccountRequest del;
  del.set_id(account.id());
  Account deleted;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), del, &deleted));
  expect(DirectOrder(account.id(), {good}), grpc::StatusCode::FAILED_PRECONDITION, "order.account_id");

  EXPECT_TRUE(ListAllOrders(crm::v1::ListOrdersRequest()).empty());
  EXPECT_TRUE(Events("order.").empty());
}

TEST_P(OrderTest, OrderFromAWonOpportunityTakesItsAccountOwnerAndAmount) {
  Account account = MustCreateAccount("Deal Co", "bob");
  crm::v1::Opportunity won = MustCreateOpportunity(account.id(), M("EUR", 5000, 250000000), true, "olga");

  Order request;
  request.set_opportunity_id(won.id());
  Order created = MustCreate(request);
  EXPECT_EQ(created.account_id(), account.id());
  EXPECT_EQ(created.opportunity_id(), won.id());
  EXPECT_EQ(created.owner(), "olga");
  EXPECT_EQ(created.total().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(created.total()), 5000250000);
  EXPECT_EQ(created.lines_size(), 0);
  EXPECT_EQ(MustGet(created.id()).SerializeAsString(), created.SerializeAsString());

  // One live order per opportunity.
  Order out;
  EXPECT_TRUE(HasCodeAndField(Create(request, &out), grpc::StatusCode::ALREADY_EXISTS, "order.opportunity_id"));
  // Cancelling it frees the opportunity; an order with lines totals its lines instead.
  Order cancelled;
  ASSERT_GRPC_OK(Cancel(created.id(), &cancelled));
  request.set_account_id(account.id());
  *request.add_lines() = Line("Licence", 4, M("USD", 1100));
  Order second = MustCreate(request);
  EXPECT_EQ(second.total().currency_code(), "USD");
  EXPECT_EQ(MicrosOf(second.total()), 4400000000);
  EXPECT_EQ(second.lines_size(), 1);
  EXPECT_EQ(Events("order.created").size(), 2u);
}

TEST_P(OrderTest, OrderFromAnUnknownOrUnwonOpportunityIsRefused) {
  Account account = MustCreateAccount("Maybe Co");
  Account other = MustCreateAccount("Other Co");
  Order out;
  Order request;
  request.set_opportunity_id(kUnknownOpportunityId);
  EXPECT_TRUE(HasCodeAndField(Create(request, &out), grpc::StatusCode::NOT_FOUND, "order.opportunity_id"));
  request.set_opportunity_id("bad id");
  EXPECT_TRUE(HasCodeAndField(Create(request, &out), grpc::StatusCode::INVALID_ARGUMENT, "order.opportunity_id"));

  crm::v1::Opportunity open = MustCreateOpportunity(account.id(), M("EUR", 100), false);
  request.set_opportunity_id(open.id());
  EXPECT_TRUE(HasCodeAndField(Create(request, &out), grpc::StatusCode::FAILED_PRECONDITION, "order.opportunity_id"));

  crm::v1::Opportunity won = MustCreateOpportunity(account.id(), M("EUR", 100), true);
  request.set_opportunity_id(won.id());
  request.set_account_id(other.id());
  EXPECT_TRUE(HasCodeAndField(Create(request, &out), grpc::StatusCode::INVALID_ARGUMENT, "order.account_id"));

  EXPECT_TRUE(ListAllOrders(crm::v1::ListOrdersRequest()).empty());
  EXPECT_TRUE(Events("order.").empty());
}

TEST_P(OrderTest, RetriedCreatesAndPaymentsWithTheSameRequestIdWriteOnce) {
  Account account = MustCreateAccount("Once Ltd");
  const Order order = DirectOrder(account.id(), {Line("Widget", 1, M("EUR", 100))});
  Order first, second;
  ASSERT_GRPC_OK(Create(order, &first, "req-o1"));
  ASSERT_GRPC_OK(Create(order, &second, "req-o1"));
  EXPECT_EQ(first.id(), second.id());
  EXPECT_EQ(ListAllOrders(crm::v1::ListOrdersRequest()).size(), 1u);
  EXPECT_EQ(Events("order.created").size(), 1u);
  Order other;
  EXPECT_TRUE(HasCodeAndField(Create(DirectOrder(account.id(), {Line("Gadget", 1, M("EUR", 5))}), &other, "req-o1"),
                              grpc::StatusCode::ALREADY_EXISTS, "request_id"));

  Payment p1, p2;
  ASSERT_GRPC_OK(Pay(first.id(), M("EUR", 40), &p1, "req-p1"));
  ASSERT_GRPC_OK(Pay(first.id(), M("EUR", 40), &p2, "req-p1"));
  EXPECT_EQ(p1.id(), p2.id());
  EXPECT_EQ(MicrosOf(MustGet(first.id()).paid()), 40000000);
  EXPECT_EQ(Events("payment.recorded").size(), 1u);
  Payment p3;
  EXPECT_TRUE(HasCodeAndField(Pay(first.id(), M("EUR", 41), &p3, "req-p1"), grpc::StatusCode::ALREADY_EXISTS,
                              "request_id"));
}

TEST_P(OrderTest, PaymentsUpToTheTotalMarkTheOrderPaidAndOverpaymentsWriteNothing) {
  Account account = MustCreateAccount("Payer Co", "dave");
  Order order = MustCreate(DirectOrder(account.id(), {Line("Widget", 4, M("EUR", 25, 125000000))}));  // 100.50
  Payment first;
  ASSERT_GRPC_OK(Pay(order.id(), M("EUR", 30, 500000000), &first));
  EXPECT_EQ(first.id().substr(0, 4), "pay_");
  EXPECT_EQ(first.order_id(), order.id());
  EXPECT_EQ(first.account_id(), account.id());
  EXPECT_EQ(MicrosOf(first.amount()), 30500000);
  EXPECT_EQ(DayOf(first.received_date()), kToday);
  EXPECT_EQ(first.reference(), "bank transfer");
  Order after_first = MustGet(order.id());
  EXPECT_EQ(MicrosOf(after_first.paid()), 30500000);
  EXPECT_EQ(after_first.status(), crm::v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(after_first.etag(), "\"r2\"");

  // 70.000001 is one micro more than is due.
  Payment out;
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("EUR", 70, 1000), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "payment.amount"));
  EXPECT_EQ(MustGet(order.id()).SerializeAsString(), after_first.SerializeAsString());

  Payment rest;
  crm::v1::RecordPaymentRequest dated;
  dated.mutable_payment()->set_order_id(order.id());
  *dated.mutable_payment()->mutable_amount() = M("EUR", 70);
  *dated.mutable_payment()->mutable_received_date() = D(absl::CivilDay(2025, 12, 30));
  ASSERT_GRPC_OK(pipeline_->RecordPayment(CallAs().get(), dated, &rest));
  EXPECT_EQ(DayOf(rest.received_date()), absl::CivilDay(2025, 12, 30));
  Order paid = MustGet(order.id());
  EXPECT_EQ(paid.status(), crm::v1::ORDER_STATUS_PAID);
  EXPECT_EQ(MicrosOf(paid.paid()), MicrosOf(paid.total()));
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("EUR", 0, 1000), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "payment.amount"));

  std::vector<crm::v1::Event> recorded = Events("payment.recorded");
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].entity(), "payment");
  EXPECT_EQ(recorded[0].entity_id(), first.id());
  EXPECT_EQ(recorded[0].user(), "dave");
  std::vector<crm::v1::Event> settled = Events("order.paid");
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].entity_id(), order.id());
  std::set<std::string> fields;
  for (const auto& change : settled[0].changes()) fields.insert(change.field());
  EXPECT_TRUE(fields.count("status"));
  EXPECT_TRUE(fields.count("paid"));
}

TEST_P(OrderTest, BadPaymentsNameTheFieldAndWriteNothing) {
  Account account = MustCreateAccount("Careful Co");
  Account other = MustCreateAccount("Elsewhere Co");
  Order order = MustCreate(DirectOrder(account.id(), {Line("Widget", 1, M("EUR", 100))}));
  Payment out;
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("USD", 10), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "payment.amount.currency_code"));
  EXPECT_TRUE(
      HasCodeAndField(Pay(order.id(), M("EUR", 0), &out), grpc::StatusCode::INVALID_ARGUMENT, "payment.amount"));
  EXPECT_TRUE(
      HasCodeAndField(Pay(order.id(), M("EUR", -5), &out), grpc::StatusCode::INVALID_ARGUMENT, "payment.amount"));
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("EUR", 1, 1), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "payment.amount.nanos"));
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("EURO", 1), &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "payment.amount.currency_code"));
  EXPECT_TRUE(
      HasCodeAndField(Pay(kUnknownOrderId, M("EUR", 10), &out), grpc::StatusCode::NOT_FOUND, "payment.order_id"));
  EXPECT_TRUE(HasCodeAndField(Pay("", M("EUR", 10), &out), grpc::StatusCode::INVALID_ARGUMENT, "payment.order_id"));
  crm::v1::RecordPaymentRequest request;
  request.mutable_payment()->set_order_id(order.id());
  EXPECT_TRUE(HasCodeAndField(pipeline_->RecordPayment(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "payment.amount"));
  *request.mutable_payment()->mutable_amount() = M("EUR", 10);
  request.mutable_payment()->set_account_id(other.id());
  EXPECT_TRUE(HasCodeAndField(pipeline_->RecordPayment(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "payment.account_id"));
  request.mutable_payment()->clear_account_id();
  request.mutable_payment()->mutable_received_date()->set_month(13);
  EXPECT_TRUE(HasCodeAndField(pipeline_->RecordPayment(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "payment.received_date"));
  crm::v1::RecordPaymentRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->RecordPayment(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "payment"));

  Order cancelled;
  ASSERT_GRPC_OK(Cancel(order.id(), &cancelled));
  EXPECT_TRUE(HasCodeAndField(Pay(order.id(), M("EUR", 10), &out), grpc::StatusCode::FAILED_PRECONDITION,
                              "payment.order_id"));

  crm::v1::ListPaymentsRequest list;
  list.set_account_id(account.id());
  EXPECT_TRUE(ListAllPayments(list).empty());
  EXPECT_TRUE(Events("payment.").empty());
  EXPECT_EQ(MicrosOf(MustGet(order.id()).paid()), 0);
}

TEST_P(OrderTest, OnlyOpenUnpaidOrdersCanBeCancelled) {
  Account account = MustCreateAccount("Cancel Co", "erin");
  Order order = MustCreate(DirectOrder(account.id(), {Line("Widget", 1, M("EUR", 100))}));
  Order out;
  EXPECT_TRUE(HasCodeAndField(Cancel(order.id(), &out, "\"r9\""), grpc::StatusCode::ABORTED));
  EXPECT_TRUE(HasCodeAndField(Cancel(order.id(), &out, "r1"), grpc::StatusCode::INVALID_ARGUMENT, "etag"));
  EXPECT_TRUE(HasCodeAndField(Cancel(kUnknownOrderId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Cancel("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));

  Order cancelled;
  ASSERT_GRPC_OK(Cancel(order.id(), &cancelled, order.etag()));
  EXPECT_EQ(cancelled.status(), crm::v1::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.etag(), "\"r2\"");
  EXPECT_EQ(MustGet(order.id()).SerializeAsString(), cancelled.SerializeAsString());
  EXPECT_TRUE(HasCodeAndField(Cancel(order.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));

  Order partly = MustCreate(DirectOrder(account.id(), {Line("Widget", 1, M("EUR", 100))}));
  Payment payment;
  ASSERT_GRPC_OK(Pay(partly.id(), M("EUR", 1), &payment));
  EXPECT_TRUE(HasCodeAndField(Cancel(partly.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  ASSERT_GRPC_OK(Pay(partly.id(), M("EUR", 99), &payment));
  EXPECT_TRUE(HasCodeAndField(Cancel(partly.id(), &out), grpc::StatusCode::FAILED_PRECONDITION, "id"));
  EXPECT_EQ(MustGet(partly.id()).status(), crm::v1::ORDER_STATUS_PAID);

  std::vector<crm::v1::Event> events = Events("order.cancelled");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), order.id());
  EXPECT_EQ(events[0].user(), "erin");
}

TEST_P(OrderTest, ConcurrentPaymentsNeverAddUpToMoreThanTheTotal) {
  Account account = MustCreateAccount("Race Co");
  Order order = MustCreate(DirectOrder(account.id(), {Line("Widget", 1, M("EUR", 100))}));
  // 8 threads × 5 attempts × 7.00 = 280.00 offered against 100.00: exactly 14 fit (98.00).
  constexpr int kThreads = 8;
  constexpr int kAttempts = 5;
  std::atomic<int> accepted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto stub = crm::v1::PipelineService::NewStub(server_->channel());
      for (int i = 0; i < kAttempts; ++i) {
        Payment out;
        grpc::Status s = Pay(order.id(), M("EUR", 7), &out, "", stub.get());
        if (s.ok()) {
          ++accepted;
        } else if (HasCodeAndField(s, grpc::StatusCode::FAILED_PRECONDITION, "payment.amount")) {
          ++refused;
        } else {
          ++other;
          ADD_FAILURE() << s.error_code() << ": " << s.error_message();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 14);
  EXPECT_EQ(refused.load(), kThreads * kAttempts - 14);
  EXPECT_EQ(other.load(), 0);

  Order after = MustGet(order.id());
  EXPECT_EQ(MicrosOf(after.paid()), 98000000);
  EXPECT_EQ(after.status(), crm::v1::ORDER_STATUS_OPEN);
  crm::v1::ListPaymentsRequest list;
  list.set_order_id(order.id());
  int64_t sum = 0;
  for (const Payment& p : ListAllPayments(list)) sum += MicrosOf(p.amount());
  EXPECT_EQ(sum, 98000000);
  EXPECT_EQ(Events("payment.recorded").size(), 14u);

  // Two racing payments of the last 2.00: one settles the order, the other is refused.
  std::atomic<int> settled{0};
  std::vector<std::thread> last;
  for (int t = 0; t < 2; ++t) {
    last.emplace_back([&] {
      auto stub = crm::v1::PipelineService::NewStub(server_->channel());
      Payment out;
      if (Pay(order.id(), M("EUR", 2), &out, "", stub.get()).ok()) ++settled;
    });
  }
  for (std::thread& t : last) t.join();
  EXPECT_EQ(settled.load(), 1);
  Order paid = MustGet(order.id());
  EXPECT_EQ(paid.status(), crm::v1::ORDER_STATUS_PAID);
  EXPECT_EQ(MicrosOf(paid.paid()), 100000000);
  EXPECT_EQ(Events("order.paid").size(), 1u);
}

TEST_P(OrderTest, ListOrdersPagesInCreationOrderAndFilters) {
  Account a = MustCreateAccount("Many Orders");
  Account b = MustCreateAccount("Neighbour");
  std::vector<std::string> of_a;
  std::set<std::string> open_ids, all_ids;
  for (int i = 0; i < 7; ++i) {
    Order o = MustCreate(DirectOrder(a.id(), {Line("Item " + std::to_string(i), 1, M("EUR", 10 + i))}));
    of_a.push_back(o.id());
    all_ids.insert(o.id());
    server_->clock().Advance(absl::Milliseconds(1));
  }
  for (int i = 0; i < 3; ++i) {
    all_ids.insert(MustCreate(DirectOrder(b.id(), {Line("Other", 1, M("USD", 5))})).id());
  }
  Order out;
  ASSERT_GRPC_OK(Cancel(of_a[1], &out));
  Payment payment;
  ASSERT_GRPC_OK(Pay(of_a[2], M("EUR", 12), &payment));
  for (size_t i = 0; i < of_a.size(); ++i) {
    if (i != 1 && i != 2) open_ids.insert(of_a[i]);
  }

  for (int page_size : {1, 2, 3, 7, 50}) {
    crm::v1::ListOrdersRequest request;
    request.set_account_id(a.id());
    request.set_page_size(page_size);
    int pages = 0;
    std::vector<Order> listed = ListAllOrders(request, &pages);
    ASSERT_EQ(listed.size(), of_a.size()) << "page size " << page_size;
    for (size_t i = 0; i < listed.size(); ++i) {
      EXPECT_EQ(listed[i].id(), of_a[i]);
      EXPECT_EQ(listed[i].lines_size(), 1);
    }
    EXPECT_EQ(pages, (7 + page_size - 1) / page_size) << "page size " << page_size;
  }
  crm::v1::ListOrdersRequest everything;
  everything.set_page_size(4);
  std::set<std::string> listed_all;
  for (const Order& o : ListAllOrders(everything)) listed_all.insert(o.id());
  EXPECT_EQ(listed_all, all_ids);

  crm::v1::ListOrdersRequest open;
  open.set_account_id(a.id());
  open.set_status(crm::v1::ORDER_STATUS_OPEN);
  open.set_page_size(2);
  std::set<std::string> listed_open;
  for (const Order& o : ListAllOrders(open)) listed_open.insert(o.id());
  EXPECT_EQ(listed_open, open_ids);
  crm::v1::ListOrdersRequest cancelled;
  cancelled.set_status(crm::v1::ORDER_STATUS_CANCELLED);
  std::vector<Order> listed_cancelled = ListAllOrders(cancelled);
  ASSERT_EQ(listed_cancelled.size(), 1u);
  EXPECT_EQ(listed_cancelled[0].id(), of_a[1]);

  crm::v1::ListOrdersResponse page;
  crm::v1::ListOrdersRequest bad;
  bad.set_account_id(kUnknownAccountId);
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), bad, &page), grpc::StatusCode::NOT_FOUND,
                              "account_id"));
  bad.set_account_id("no such id!");
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), bad, &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "account_id"));
  bad.clear_account_id();
  bad.set_status(static_cast<crm::v1::OrderStatus>(42));
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), bad, &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "status"));
  bad.clear_status();
  bad.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), bad, &page), grpc::StatusCode::INVALID_ARGUMENT,
                              "page_size"));

  // Tokens are bound to their query.
  crm::v1::ListOrdersRequest first;
  first.set_account_id(a.id());
  first.set_page_size(1);
  ASSERT_GRPC_OK(pipeline_->ListOrders(CallAs().get(), first, &page));
  ASSERT_FALSE(page.next_page_token().empty());
  crm::v1::ListOrdersRequest foreign = first;
  foreign.set_account_id(b.id());
  foreign.set_page_token(page.next_page_token());
  crm::v1::ListOrdersResponse ignored;
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), foreign, &ignored),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  foreign = first;
  foreign.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListOrders(CallAs().get(), foreign, &ignored),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(OrderTest, ListPaymentsByOrderOrAccount) {
  Account a = MustCreateAccount("Payer A");
  Account b = MustCreateAccount("Payer B");
  Order a1 = MustCreate(DirectOrder(a.id(), {Line("x", 1, M("EUR", 1000))}));
  Order a2 = MustCreate(DirectOrder(a.id(), {Line("y", 1, M("USD", 1000))}));
  Order b1 = MustCreate(DirectOrder(b.id(), {Line("z", 1, M("EUR", 1000))}));
  std::vector<std::string> of_a1, of_a;
  for (int i = 0; i < 5; ++i) {
    Payment p;
    ASSERT_GRPC_OK(Pay(a1.id(), M("EUR", 10 + i), &p));
    of_a1.push_back(p.id());
    of_a.push_back(p.id());
    ASSERT_GRPC_OK(Pay(a2.id(), M("USD", 1), &p));
    of_a.push_back(p.id());
    ASSERT_GRPC_OK(Pay(b1.id(), M("EUR", 1), &p));
    server_->clock().Advance(absl::Milliseconds(1));
  }
  for (int page_size : {1, 2, 4, 100}) {
    crm::v1::ListPaymentsRequest by_order;
    by_order.set_order_id(a1.id());
    by_order.set_page_size(page_size);
    std::vector<std::string> ids;
    for (const Payment& p : ListAllPayments(by_order)) ids.push_back(p.id());
    EXPECT_EQ(ids, of_a1) << "page size " << page_size;

    crm::v1::ListPaymentsRequest by_account;
    by_account.set_account_id(a.id());
    by_account.set_page_size(page_size);
    ids.clear();
    for (const Payment& p : ListAllPayments(by_account)) {
      EXPECT_EQ(p.account_id(), a.id());
      ids.push_back(p.id());
    }
    EXPECT_EQ(ids, of_a) << "page size " << page_size;
  }

  crm::v1::ListPaymentsResponse out;
  crm::v1::ListPaymentsRequest none;
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListPayments(CallAs().get(), none, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "order_id"));
  crm::v1::ListPaymentsRequest unknown_order;
  unknown_order.set_order_id(kUnknownOrderId);
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListPayments(CallAs().get(), unknown_order, &out),
                              grpc::StatusCode::NOT_FOUND, "order_id"));
  crm::v1::ListPaymentsRequest unknown_account;
  unknown_account.set_account_id(kUnknownAccountId);
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListPayments(CallAs().get(), unknown_account, &out),
                              grpc::StatusCode::NOT_FOUND, "account_id"));
  crm::v1::ListPaymentsRequest mismatch;
  mismatch.set_order_id(b1.id());
  mismatch.set_account_id(a.id());
  EXPECT_TRUE(HasCodeAndField(pipeline_->ListPayments(CallAs().get(), mismatch, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
}

// The receivables an account should show, computed here from what the test did.
struct ModelOrder {
  std::string account_id;
  std::string currency;
  int64_t total = 0;
  int64_t paid = 0;
  absl::CivilDay due;
  bool cancelled = false;
};

struct ExpectedReceivables {
  std::map<std::string, int64_t> outstanding, overdue;
  int open = 0, overdue_orders = 0;
};

ExpectedReceivables Expect(const std::vector<ModelOrder>& orders, const std::string& account_id,
                           absl::CivilDay as_of) {
  ExpectedReceivables e;
  for (const ModelOrder& o : orders) {
    if (o.account_id != account_id || o.cancelled || o.paid == o.total) continue;
    e.outstanding[o.currency] += o.total - o.paid;
    ++e.open;
    if (o.due < as_of) {
      e.overdue[o.currency] += o.total - o.paid;
      ++e.overdue_orders;
    }
  }
  return e;
}

std::map<std::string, int64_t> ByCurrency(const google::protobuf::RepeatedPtrField<Money>& amounts) {
  std::map<std::string, int64_t> out;
  std::string previous;
  for (const Money& m : amounts) {
    EXPECT_GT(m.currency_code(), previous) << "currencies must be listed once each, in order";
    previous = m.currency_code();
    out[m.currency_code()] = MicrosOf(m);
  }
  return out;
}

TEST_P(OrderTest, ReceivablesMatchAnIndependentComputationOverGeneratedOrders) {
  std::vector<Account> accounts = {MustCreateAccount("R1"), MustCreateAccount("R2"), MustCreateAccount("R3")};
  const std::vector<std::string> currencies = {"EUR", "USD", "JPY"};
  std::mt19937 random(20260101);
  const auto pick = [&](int n) { return static_cast<int>(random() % n); };
  std::vector<ModelOrder> model;
  std::vector<std::string> ids;
  for (int i = 0; i < 36; ++i) {
    ModelOrder m;
    m.account_id = accounts[pick(2)].id();  // the third account never orders
    m.currency = currencies[pick(3)];
    Order request;
    request.set_account_id(m.account_id);
    const int lines = 1 + pick(3);
    for (int l = 0; l < lines; ++l) {
      const Money price = M(m.currency, pick(5000), pick(1000) * 1000000 + pick(1000) * 1000);
      const int64_t quantity = 1 + pick(20);
      if (MicrosOf(price) == 0) continue;
      *request.add_lines() = Line("Item", quantity, price);
      m.total += quantity * MicrosOf(price);
    }
    if (request.lines_size() == 0) *request.add_lines() = Line("Item", 1, M(m.currency, 1));
    if (m.total == 0) m.total = 1000000;
    const absl::CivilDay order_day = kToday - 60 + pick(60);
    m.due = order_day + pick(90);
    *request.mutable_order_date() = D(order_day);
    *request.mutable_due_date() = D(m.due);
    Order created = MustCreate(request);
    ASSERT_EQ(MicrosOf(created.total()), m.total);
    model.push_back(m);
    ids.push_back(created.id());
  }
  // Payments: nothing, part, several parts, or everything; some unpaid orders are cancelled.
  for (size_t i = 0; i < model.size(); ++i) {
    ModelOrder& m = model[i];
    switch (pick(5)) {
      case 0:
        break;
      case 1: {
        Order out;
        ASSERT_GRPC_OK(Cancel(ids[i], &out));
        m.cancelled = true;
        break;
      }
      case 2: {
        Payment p;
        ASSERT_GRPC_OK(Pay(ids[i], FromMicros(m.currency, m.total / 2), &p));
        m.paid += m.total / 2;
        break;
      }
      case 3:
        for (int k = 0; k < 3; ++k) {
          const int64_t part = (m.total - m.paid) / 3;
          if (part == 0) break;
          Payment p;
          ASSERT_GRPC_OK(Pay(ids[i], FromMicros(m.currency, part), &p));
          m.paid += part;
        }
        break;
      default: {
        Payment p;
        ASSERT_GRPC_OK(Pay(ids[i], FromMicros(m.currency, m.total), &p));
        m.paid = m.total;
        break;
      }
    }
  }

  int compared_with_overdue = 0;
  for (const Account& account : accounts) {
    for (absl::CivilDay as_of : {kToday - 90, kToday - 30, kToday - 1, kToday, kToday + 15, kToday + 120}) {
      const crm::v1::Date date = D(as_of);
      crm::v1::Receivables got;
      ASSERT_GRPC_OK(Receivables(account.id(), &got, &date));
      ExpectedReceivables want = Expect(model, account.id(), as_of);
      EXPECT_EQ(got.account_id(), account.id());
      EXPECT_EQ(ByCurrency(got.outstanding()), want.outstanding) << account.name() << " as of " << as_of;
      EXPECT_EQ(ByCurrency(got.overdue()), want.overdue) << account.name() << " as of " << as_of;
      EXPECT_EQ(got.open_orders(), want.open);
      EXPECT_EQ(got.overdue_orders(), want.overdue_orders);
      if (want.overdue_orders > 0) ++compared_with_overdue;
    }
    // Without as_of: the server's today.
    crm::v1::Receivables today;
    ASSERT_GRPC_OK(Receivables(account.id(), &today));
    ExpectedReceivables want = Expect(model, account.id(), kToday);
    EXPECT_EQ(ByCurrency(today.overdue()), want.overdue);
    EXPECT_EQ(today.overdue_orders(), want.overdue_orders);
  }
  EXPECT_GT(compared_with_overdue, 3);  // the data exercised overdue amounts

  crm::v1::Receivables out;
  EXPECT_TRUE(HasCodeAndField(Receivables(kUnknownAccountId, &out), grpc::StatusCode::NOT_FOUND, "account_id"));
  EXPECT_TRUE(HasCodeAndField(Receivables("", &out), grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  crm::v1::Date bad = D(kToday);
  bad.set_day(32);
  EXPECT_TRUE(HasCodeAndField(Receivables(accounts[0].id(), &out, &bad), grpc::StatusCode::INVALID_ARGUMENT, "as_of"));
}

INSTANTIATE_TEST_SUITE_P(Backends, OrderTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
