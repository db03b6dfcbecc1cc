// KeyAccountService churn risk, lifetime value and dashboard summaries through a real in-process
// server on every backend: every figure against an independent computation from the orders,
// tickets, surveys and classifications the test created (services/kam/risk.h, risk_logic.h and
// summary_logic.h document the formulas).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountTier;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kNow = absl::FromUnixSeconds(1781524800);  // 2026-06-15T12:00:00Z
const int64_t kToday = DayNumberOf(kNow);
constexpr int64_t kMicros = 1000000;
constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";

struct TestOrder {
  int64_t day = 0;
  int64_t total_micros = 0;
  int64_t paid_micros = 0;
  int64_t due_day = 0;  // 0: the order day
  bool cancelled = false;
};

crm::v1::Money Eur(int64_t micros) {
  crm::v1::Money m;
  m.set_currency_code("EUR");
  m.set_units(micros / kMicros);
  m.set_nanos(static_cast<int32_t>(micros % kMicros) * 1000);
  return m;
}

int64_t MicrosOf(const crm::v1::Money& m) { return m.units() * kMicros + m.nanos() / 1000; }

crm::v1::Date D(int y, int m, int d) {
  crm::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

int64_t DayOf(int y, int m, int d) { return *DayNumberFromDate(D(y, m, d), "test"); }

// The churn risk of risk.h, recomputed here from what the test created.
struct ExpectedRisk {
  double cadence = 0, p1 = 0, satisfaction = 0, overdue = 0;
  double score() const { return std::round((cadence + p1 + satisfaction + overdue) * 1e6) / 1e6; }
};

ExpectedRisk ComputeRisk(const std::vector<TestOrder>& orders, int open_p1, const std::vector<int>& surveys,
                         int64_t today, int window_days = 365) {
  ExpectedRisk r;
  int64_t first = 0, last = 0, count = 0, revenue = 0, overdue = 0;
  for (const TestOrder& o : orders) {
    if (o.cancelled || o.day > today) continue;
    if (count == 0 || o.day < first) first = o.day;
    if (count == 0 || o.day > last) last = o.day;
    ++count;
    if (o.day > today - window_days) {
      revenue += o.total_micros;
      const int64_t due = o.due_day == 0 ? o.day : o.due_day;
      if (o.paid_micros < o.total_micros && due < today) overdue += o.total_micros - o.paid_micros;
    }
  }
  if (count > 0) {
    const double gap = count >= 2 ? std::max(7.0, static_cast<double>(last - first) / static_cast<double>(count - 1)) : 90.0;
    const double ratio = static_cast<double>(today - last) / gap;
    r.cadence = 40 * std::clamp((ratio - 1) / 2, 0.0, 1.0);
  }
  r.p1 = std::min(20, 10 * open_p1);
  if (!surveys.empty()) {
    double sum = 0;
    for (int s : surveys) sum += s;
    r.satisfaction = 20 * std::clamp((3 - sum / static_cast<double>(surveys.size())) / 2, 0.0, 1.0);
  }
  if (revenue > 0) r.overdue = 20 * static_cast<double>(overdue) / static_cast<double>(revenue);
  return r;
}

double FactorPoints(const crm::v1::ChurnRisk& risk, const std::string& factor) {
  for (const crm::v1::RiskFactor& f : risk.factors()) {
    if (f.factor() == factor) return f.points();
  }
  return 0;
}

struct SeededClassification {
  std::string account_id;
  int tier = 0;
  int abc = 0;
  int64_t revenue_micros = 0;
  int64_t risk_micro = 0;
};

class RiskSummaryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    server_->clock().Set(kNow);
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::string NewAccount(const std::string& name, const std::string& owner = "ann") {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    crm::v1::Account account;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &account);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return account.id();
  }

  void DeleteAccount(const std::string& id) {
    crm::v1::DeleteAccountRequest request;
    request.set_id(id);
    crm::v1::Account out;
    ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), request, &out));
  }

  void AddOrder(const std::string& account_id, const TestOrder& o) {
    crm::v1::CreateOrderRequest request;
    crm::v1::Order* order = request.mutable_order();
    order->set_account_id(account_id);
    crm::v1::OrderLine* line = order->add_lines();
    line->set_description("goods");
    line->set_quantity(1);
    *line->mutable_unit_price() = Eur(o.total_micros);
    *order->mutable_order_date() = DateFromDayNumber(o.day);
    *order->mutable_due_date() = DateFromDayNumber(o.due_day == 0 ? o.day : o.due_day);
    crm::v1::Order created;
    grpc::Status s = pipeline_->CreateOrder(CallAs().get(), request, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (o.cancelled) {
      crm::v1::CancelOrderRequest cancel;
      cancel.set_id(created.id());
      ASSERT_GRPC_OK(pipeline_->CancelOrder(CallAs().get(), cancel, &created));
    } else if (o.paid_micros > 0) {
      crm::v1::RecordPaymentRequest pay;
      pay.mutable_payment()->set_order_id(created.id());
      *pay.mutable_payment()->mutable_amount() = Eur(o.paid_micros);
      *pay.mutable_payment()->mutable_received_date() = DateFromDayNumber(o.day);
      crm::v1::Payment payment;
      ASSERT_GRPC_OK(pipeline_->RecordPayment(CallAs().get(), pay, &payment));
    }
  }

  std::string NewTicket(const std::string& account_id, crm::v1::TicketPriority priority, bool resolve) {
    crm::v1::CreateTicketRequest create;
    create.mutable_ticket()->set_account_id(account_id);
    create.mutable_ticket()->set_subject("Line down");
    create.mutable_ticket()->set_priority(priority);
    crm::v1::Ticket ticket;
    grpc::Status s = desk_->CreateTicket(CallAs().get(), create, &ticket);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (resolve) {
      crm::v1::ChangeTicketStatusRequest change;
      change.set_id(ticket.id());
      change.set_status(crm::v1::TICKET_STATUS_RESOLVED);
      change.set_reason("fixed");
      s = desk_->ChangeTicketStatus(CallAs().get(), change, &ticket);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return ticket.id();
  }

  // A resolved P3 ticket of the account with a survey of `score`, submitted a day before now.
  void AddSurvey(const std::string& account_id, int score) {
    server_->clock().Set(kNow - kDay);
    const std::string ticket = NewTicket(account_id, crm::v1::TICKET_PRIORITY_P3, true);
    crm::v1::SubmitSurveyRequest submit;
    submit.mutable_survey()->set_ticket_id(ticket);
    submit.mutable_survey()->set_score(score);
    crm::v1::SatisfactionSurvey survey;
    EXPECT_GRPC_OK(desk_->SubmitSurvey(CallAs().get(), submit, &survey));
    server_->clock().Set(kNow);
  }

  crm::v1::ScoringModel Model() {
    crm::v1::GetScoringModelRequest request;
    crm::v1::ScoringModel model;
    grpc::Status s = kam_->GetScoringModel(CallAs().get(), request, &model);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return model;
  }

  grpc::Status Risk(const std::string& account_id, crm::v1::ChurnRisk* out) {
    crm::v1::GetChurnRiskRequest request;
    request.set_account_id(account_id);
    return kam_->GetChurnRisk(CallAs().get(), request, out);
  }

  grpc::Status Lifetime(const std::string& account_id, crm::v1::LifetimeValue* out) {
    crm::v1::GetLifetimeValueRequest request;
    request.set_account_id(account_id);
    return kam_->GetLifetimeValue(CallAs().get(), request, out);
  }

  grpc::Status Summary(const crm::v1::GetTierSummaryRequest& request, crm::v1::TierSummary* out) {
    return kam_->GetTierSummary(CallAs().get(), request, out);
  }

  // Every entry `request` lists, following page tokens; fails on a repeated account.
  std::vector<crm::v1::ChurnRisk> AllAtRisk(crm::v1::ListAccountsAtRiskRequest request) {
    std::vector<crm::v1::ChurnRisk> all;
    std::set<std::string> seen;
    for (int pages = 0; pages < 100; ++pages) {
      crm::v1::ListAccountsAtRiskResponse page;
      grpc::Status s = kam_->ListAccountsAtRisk(CallAs().get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      if (request.page_size() > 0) {
        EXPECT_LE(page.risks_size(), request.page_size());
      }
      for (const crm::v1::ChurnRisk& r : page.risks()) {
        EXPECT_TRUE(seen.insert(r.account_id()).second) << "repeated " << r.account_id();
        all.push_back(r);
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return all;
  }

  void Sql(const std::function<void(soci::session&)>& work) {
    absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) {
      work(tx.session());
      return absl::OkStatus();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  void SeedRun(const std::string& id, int model_version, absl::Time as_of, bool dry_run,
               std::optional<absl::Time> finish) {
    Sql([&](soci::session& sql) {
      long long version = model_version, as_of_micros = absl::ToUnixMicros(as_of), dry = dry_run ? 1 : 0,
                start = absl::ToUnixMicros(as_of), finish_micros = finish ? absl::ToUnixMicros(*finish) : 0;
      soci::indicator finish_ind = finish ? soci::i_ok : soci::i_null;
      sql << "INSERT INTO kam_runs (id, model_version, as_of, dry_run, actor, status, start_time, finish_time,"
             " accounts, tier_changes, overridden, error) VALUES (:id, :v, :a, :d, 'test', 0, :s, :f, 0, 0, 0, '')",
          soci::use(id), soci::use(version), soci::use(as_of_micros), soci::use(dry), soci::use(start),
          soci::use(finish_micros, finish_ind);
    });
  }

  void SeedClassifications(const std::vector<SeededClassification>& rows, absl::Time as_of) {
    Sql([&](soci::session& sql) {
      for (const SeededClassification& c : rows) {
        long long as_of_micros = absl::ToUnixMicros(as_of), tier = c.tier, abc = c.abc, revenue = c.revenue_micros,
                  risk = c.risk_micro;
        sql << "INSERT INTO kam_classifications (account_id, run_id, model_version, as_of, abc, recency_score,"
               " frequency_score, monetary_score, segment, lifecycle, composite_micro, computed_tier, tier,"
               " currency, revenue_micros, churn_risk_micro, dim_revenue_contribution, dim_profit,"
               " dim_purchase_frequency, dim_recency, dim_tenure, dim_payment_behaviour, dim_satisfaction,"
               " dim_industry_influence, dim_cooperation_potential) VALUES (:id, 'run_seed', 1, :a, :abc, 1, 1, 1,"
               " 10, 1, 0, :ct, :t, 'EUR', :r, :risk, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
            soci::use(c.account_id), soci::use(as_of_micros), soci::use(abc), soci::use(tier), soci::use(tier),
            soci::use(revenue), soci::use(risk);
      }
    });
  }

  void SeedTierChange(const std::string& id, int old_tier, int new_tier, absl::Time when) {
    Sql([&](soci::session& sql) {
      long long o = old_tier, n = new_tier, t = absl::ToUnixMicros(when);
      sql << "INSERT INTO kam_tier_changes (id, account_id, old_tier, new_tier, source, reason, model_version,"
             " run_id, actor, change_time) VALUES (:id, 'acc_x', :o, :n, 1, 'test', 1, 'run_seed', 'test', :t)",
          soci::use(id), soci::use(o), soci::use(n), soci::use(t);
    });
  }

  crm::v1::ReclassifySummary MustReclassify() {
    auto context = CallAs("alice", absl::Seconds(60));
    crm::v1::ReclassifyRequest request;
    std::unique_ptr<grpc::ClientReader<crm::v1::ReclassifyProgress>> reader = kam_->Reclassify(context.get(), request);
    crm::v1::ReclassifyProgress p, last;
    while (reader->Read(&p)) last = p;
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    EXPECT_EQ(last.phase(), crm::v1::ReclassifyProgress::PHASE_DONE);
    return last.summary();
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
};

// ---------------------------------------------------------------------------------------------
// GetChurnRisk

TEST_P(RiskSummaryTest, ChurnRiskIsLiveWithEveryFactor) {
  const std::string id = NewAccount("Acme");
  // Three counted orders 60 days apart on average... usual gap (D-60 - (D-120)) / 2 = 30 days,
  // silent 60 days: cadence 40 × (2 - 1) / 2 = 20. The cancelled order 5 days ago does not count.
  const std::vector<TestOrder> orders = {
      {kToday - 120, 100 * kMicros, 100 * kMicros, 0, false},
      {kToday - 90, 200 * kMicros, 50 * kMicros, kToday - 60, false},  // 150 overdue
      {kToday - 60, 100 * kMicros, 0, kToday + 30, false},             // open, not yet due
      {kToday - 5, 900 * kMicros, 0, 0, true},
  };
  for (const TestOrder& o : orders) AddOrder(id, o);
  NewTicket(id, crm::v1::TICKET_PRIORITY_P1, false);  // open P1: 10
  NewTicket(id, crm::v1::TICKET_PRIORITY_P1, true);   // resolved: nothing
  AddSurvey(id, 2);
  AddSurvey(id, 1);  // mean 1.5: 20 × 1.5 / 2 = 15

  crm::v1::ChurnRisk risk;
  ASSERT_GRPC_OK(Risk(id, &risk));
  const ExpectedRisk expected = ComputeRisk(orders, 1, {2, 1}, kToday);
  EXPECT_DOUBLE_EQ(expected.score(), 52.5);  // 20 + 10 + 15 + 150 / 400 × 20
  EXPECT_DOUBLE_EQ(risk.score(), expected.score());
  EXPECT_EQ(risk.account_id(), id);
  EXPECT_EQ(risk.as_of().seconds(), absl::ToUnixSeconds(kNow));
  ASSERT_EQ(risk.factors_size(), 4);
  EXPECT_EQ(risk.factors(0).factor(), "purchase_cadence");
  EXPECT_DOUBLE_EQ(risk.factors(0).points(), expected.cadence);
  EXPECT_NE(risk.factors(0).detail().find("last order 60 days ago"), std::string::npos) << risk.factors(0).detail();
  EXPECT_EQ(risk.factors(1).factor(), "satisfaction");
  EXPECT_DOUBLE_EQ(risk.factors(1).points(), expected.satisfaction);
  EXPECT_EQ(risk.factors(2).factor(), "open_p1_tickets");
  EXPECT_DOUBLE_EQ(risk.factors(2).points(), expected.p1);
  EXPECT_EQ(risk.factors(3).factor(), "overdue_payments");
  EXPECT_DOUBLE_EQ(risk.factors(3).points(), expected.overdue);

  // Live: paying the overdue order removes that factor at once.
  server_->clock().Set(kNow);
  crm::v1::ListOrdersRequest list;
  list.set_account_id(id);
  crm::v1::ListOrdersResponse listed;
  ASSERT_GRPC_OK(pipeline_->ListOrders(CallAs().get(), list, &listed));
  for (const crm::v1::Order& o : listed.orders()) {
    if (MicrosOf(o.total()) != 200 * kMicros) continue;
    crm::v1::RecordPaymentRequest pay;
    pay.mutable_payment()->set_order_id(o.id());
    *pay.mutable_payment()->mutable_amount() = Eur(150 * kMicros);
    crm::v1::Payment payment;
    ASSERT_GRPC_OK(pipeline_->RecordPayment(CallAs().get(), pay, &payment));
  }
  ASSERT_GRPC_OK(Risk(id, &risk));
  EXPECT_DOUBLE_EQ(FactorPoints(risk, "overdue_payments"), 0);
  EXPECT_DOUBLE_EQ(risk.score(), 45);
}

TEST_P(RiskSummaryTest, ChurnRiskOfAnAccountWithoutOrdersIgnoresCadence) {
  const std::string id = NewAccount("Prospect");
  crm::v1::ChurnRisk risk;
  ASSERT_GRPC_OK(Risk(id, &risk));
  EXPECT_EQ(risk.score(), 0);
  EXPECT_EQ(risk.factors_size(), 0);
  NewTicket(id, crm::v1::TICKET_PRIORITY_P1, false);
  NewTicket(id, crm::v1::TICKET_PRIORITY_P1, false);
  NewTicket(id, crm::v1::TICKET_PRIORITY_P1, false);
  ASSERT_GRPC_OK(Risk(id, &risk));
  EXPECT_DOUBLE_EQ(risk.score(), 20);  // capped at 20
  ASSERT_EQ(risk.factors_size(), 1);
  EXPECT_NE(risk.factors(0).detail().find("3 open P1 tickets"), std::string::npos);
}

TEST_P(RiskSummaryTest, ChurnRiskRejectsMissingAndUnknownAccounts) {
  crm::v1::ChurnRisk risk;
  EXPECT_TRUE(HasCodeAndField(Risk("", &risk), grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  EXPECT_TRUE(HasCodeAndField(Risk(kUnknownAccountId, &risk), grpc::StatusCode::NOT_FOUND, "account_id"));
  const std::string gone = NewAccount("Gone");
  DeleteAccount(gone);
  EXPECT_TRUE(HasCodeAndField(Risk(gone, &risk), grpc::StatusCode::NOT_FOUND, "account_id"));
}

// ---------------------------------------------------------------------------------------------
// GetLifetimeValue

TEST_P(RiskSummaryTest, LifetimeValueFollowsTheDocumentedFormula) {
  const std::string id = NewAccount("Acme");
  // Lifetime: 4 counted orders, 700 EUR → average 175; in the 365-day window: 3 → 3 per year.
  for (const TestOrder& o : std::vector<TestOrder>{{kToday - 500, 300 * kMicros, 300 * kMicros, 0, false},
                                                   {kToday - 120, 100 * kMicros, 0, 0, false},
                                                   {kToday - 90, 200 * kMicros, 0, 0, false},
                                                   {kToday - 60, 100 * kMicros, 0, 0, false},
                                                   {kToday - 10, 999 * kMicros, 0, 0, true}}) {
    AddOrder(id, o);
  }
  const crm::v1::ScoringModel model = Model();
  crm::v1::LifetimeValue value;
  ASSERT_GRPC_OK(Lifetime(id, &value));
  EXPECT_EQ(value.account_id(), id);
  EXPECT_EQ(value.average_order_value().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(value.average_order_value()), 175 * kMicros);
  EXPECT_DOUBLE_EQ(value.purchases_per_year(), 3.0 * 365 / model.window_days());
  EXPECT_DOUBLE_EQ(value.expected_lifetime_years(), model.lifetime_value().default_lifetime_years());
  EXPECT_DOUBLE_EQ(value.margin(), model.lifetime_value().margin());
  EXPECT_EQ(value.value().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(value.value()),
            std::llround(175.0 * kMicros * value.purchases_per_year() * model.lifetime_value().default_lifetime_years() *
                         model.lifetime_value().margin()));
  EXPECT_GT(MicrosOf(value.value()), 0);

  // The parameters come from the model in force.
  crm::v1::UpdateScoringModelRequest update;
  update.mutable_model()->mutable_lifetime_value()->set_margin(0.5);
  update.mutable_model()->mutable_lifetime_value()->set_default_lifetime_years(4);
  update.mutable_update_mask()->add_paths("lifetime_value");
  update.set_based_on_version(model.version());
  crm::v1::ScoringModel updated;
  ASSERT_GRPC_OK(kam_->UpdateScoringModel(CallAs().get(), update, &updated));
  ASSERT_GRPC_OK(Lifetime(id, &value));
  EXPECT_DOUBLE_EQ(value.margin(), 0.5);
  EXPECT_DOUBLE_EQ(value.expected_lifetime_years(), 4);
  EXPECT_EQ(MicrosOf(value.value()), std::llround(175.0 * kMicros * 3.0 * 365 / updated.window_days() * 4 * 0.5));
}

TEST_P(RiskSummaryTest, LifetimeValueOfAnAccountWithoutOrdersIsZero) {
  const std::string id = NewAccount("Prospect");
  crm::v1::LifetimeValue value;
  ASSERT_GRPC_OK(Lifetime(id, &value));
  EXPECT_EQ(value.value().currency_code(), "EUR");
  EXPECT_EQ(MicrosOf(value.value()), 0);
  EXPECT_EQ(MicrosOf(value.average_order_value()), 0);
  EXPECT_EQ(value.purchases_per_year(), 0);
  EXPECT_GT(value.margin(), 0);
  EXPECT_TRUE(HasCodeAndField(Lifetime("", &value), grpc::StatusCode::INVALID_ARGUMENT, "account_id"));
  EXPECT_TRUE(HasCodeAndField(Lifetime(kUnknownAccountId, &value), grpc::StatusCode::NOT_FOUND, "account_id"));
}

// ---------------------------------------------------------------------------------------------
// ListAccountsAtRisk over stored classifications

TEST_P(RiskSummaryTest, AccountsAtRiskHighestFirstWithFiltersAndPages) {
  // Risks with ties (75 three times) and values on both sides of the default 50.
  const std::vector<double> risks = {90, 75, 75, 75, 60, 50, 49.999999, 30, 0, 100, 75, 55};
  std::vector<SeededClassification> rows;
  std::map<std::string, SeededClassification> by_id;
  std::map<std::string, std::string> owner_of;
  for (size_t i = 0; i < risks.size(); ++i) {
    const std::string owner = i % 2 == 0 ? "ann" : "ben";
    SeededClassification c;
    c.account_id = NewAccount(absl::StrCat("Account ", i), owner);
    c.tier = 1 + static_cast<int>(i % 4);
    c.abc = 1 + static_cast<int>(i % 3);
    c.revenue_micros = 1000 * kMicros;
    c.risk_micro = std::llround(risks[i] * 1e6);
    rows.push_back(c);
    by_id[c.account_id] = c;
    owner_of[c.account_id] = owner;
  }
  SeedRun("run_seed", 1, kNow, false, kNow);
  SeedClassifications(rows, kNow);
  // One account has live evidence (an open P1 ticket): its factors are recomputed.
  NewTicket(rows[0].account_id, crm::v1::TICKET_PRIORITY_P1, false);
  // A deleted account is no longer listed.
  DeleteAccount(rows[9].account_id);

  auto expected = [&](int64_t min_micro, int tier, const std::string& owner) {
    std::vector<SeededClassification> out;
    for (const SeededClassification& c : rows) {
      if (c.account_id == rows[9].account_id) continue;
      if (c.risk_micro < min_micro || (tier != 0 && c.tier != tier) || (!owner.empty() && owner_of[c.account_id] != owner)) {
        continue;
      }
      out.push_back(c);
    }
    std::sort(out.begin(), out.end(), [](const SeededClassification& a, const SeededClassification& b) {
      return a.risk_micro != b.risk_micro ? a.risk_micro > b.risk_micro : a.account_id < b.account_id;
    });
    return out;
  };
  auto check = [&](const crm::v1::ListAccountsAtRiskRequest& request, const std::vector<SeededClassification>& want) {
    const std::vector<crm::v1::ChurnRisk> got = AllAtRisk(request);
    ASSERT_EQ(got.size(), want.size()) << request.ShortDebugString();
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].account_id(), want[i].account_id) << i;
      EXPECT_DOUBLE_EQ(got[i].score(), static_cast<double>(want[i].risk_micro) / 1e6) << i;
      EXPECT_EQ(got[i].as_of().seconds(), absl::ToUnixSeconds(kNow));
    }
  };

  crm::v1::ListAccountsAtRiskRequest request;
  request.set_page_size(2);
  check(request, expected(50000000, 0, ""));  // default 50, inclusive; 49.999999 left out
  request.set_min_score(75);
  check(request, expected(75000000, 0, ""));
  request.set_min_score(0.000001);
  check(request, expected(1, 0, ""));
  request.set_tier(crm::v1::ACCOUNT_TIER_KEY);
  check(request, expected(1, 2, ""));
  request.set_tier(crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  request.set_owner("ben");
  check(request, expected(1, 0, "ben"));
  request.set_tier(crm::v1::ACCOUNT_TIER_STRATEGIC);
  request.set_owner("ann");
  check(request, expected(1, 1, "ann"));

  // The stored score, with the factors recomputed from today's data for the same as_of.
  crm::v1::ListAccountsAtRiskRequest top;
  top.set_page_size(1);
  crm::v1::ListAccountsAtRiskResponse first;
  ASSERT_GRPC_OK(kam_->ListAccountsAtRisk(CallAs().get(), top, &first));
  ASSERT_EQ(first.risks_size(), 1);
  EXPECT_EQ(first.risks(0).account_id(), rows[0].account_id);  // 90 (100 was deleted)
  EXPECT_DOUBLE_EQ(first.risks(0).score(), 90);
  ASSERT_EQ(first.risks(0).factors_size(), 1);
  EXPECT_EQ(first.risks(0).factors(0).factor(), "open_p1_tickets");
  EXPECT_DOUBLE_EQ(first.risks(0).factors(0).points(), 10);
  EXPECT_FALSE(first.next_page_token().empty());

  // Tokens belong to their query.
  crm::v1::ListAccountsAtRiskRequest other = top;
  other.set_page_token(first.next_page_token());
  other.set_min_score(60);
  crm::v1::ListAccountsAtRiskResponse out;
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), other, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  other = top;
  other.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), other, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(RiskSummaryTest, AccountsAtRiskRejectsBadFilters) {
  crm::v1::ListAccountsAtRiskResponse out;
  crm::v1::ListAccountsAtRiskRequest request;
  request.set_min_score(100.5);
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  request.set_min_score(-1);
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  request.set_min_score(NAN);
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "min_score"));
  request.set_min_score(0);
  request.set_tier(static_cast<AccountTier>(9));
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "tier"));
  request.set_tier(crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  request.set_page_size(-1);
  EXPECT_TRUE(HasCodeAndField(kam_->ListAccountsAtRisk(CallAs().get(), request, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_size"));
  // Nothing classified yet: an empty list, not an error.
  request.set_page_size(0);
  ASSERT_GRPC_OK(kam_->ListAccountsAtRisk(CallAs().get(), request, &out));
  EXPECT_EQ(out.risks_size(), 0);
}

// ---------------------------------------------------------------------------------------------
// GetTierSummary over stored classifications, runs and tier changes

TEST_P(RiskSummaryTest, SummarySharesAndParetoMatchABruteForceComputation) {
  std::mt19937_64 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<SeededClassification> rows;
  for (int i = 0; i < 257; ++i) {
    SeededClassification c;
    c.account_id = absl::StrCat("acc_seed", 1000 + i);
    c.tier = i == 0 ? 0 : pick(1, 4);  // one account without a tier
    c.abc = pick(1, 3);
    c.revenue_micros = pick(0, 3) == 0 ? 0 : pick(1, 40) * 250 * kMicros;  // zeros and ties
    rows.push_back(c);
  }
  const absl::Time as_of = kNow - kDay * 2;
  SeedRun("run_1", 1, as_of, false, as_of + absl::Minutes(1));
  SeedRun("run_2", 1, kNow - kDay, true, kNow - kDay + absl::Minutes(1));  // dry run: ignored
  SeedRun("run_3", 1, kNow, false, std::nullopt);                         // still running: ignored
  SeedClassifications(rows, as_of);

  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  EXPECT_EQ(summary.model_version(), 1);
  EXPECT_EQ(summary.as_of().seconds(), absl::ToUnixSeconds(as_of));

  int64_t total = 0;
  std::map<int, int64_t> tier_count, tier_revenue, abc_count, abc_revenue;
  std::vector<int64_t> revenues;
  for (const SeededClassification& c : rows) {
    total += c.revenue_micros;
    ++tier_count[c.tier];
    tier_revenue[c.tier] += c.revenue_micros;
    ++abc_count[c.abc];
    abc_revenue[c.abc] += c.revenue_micros;
    revenues.push_back(c.revenue_micros);
  }
  ASSERT_EQ(summary.tiers_size(), 5);  // the four tiers, then UNSPECIFIED (present here)
  const int tier_order[] = {1, 2, 3, 4, 0};
  for (int i = 0; i < 5; ++i) {
    const crm::v1::TierShare& t = summary.tiers(i);
    EXPECT_EQ(t.tier(), tier_order[i]);
    EXPECT_EQ(t.accounts(), tier_count[tier_order[i]]);
    EXPECT_DOUBLE_EQ(t.revenue_share(), static_cast<double>(tier_revenue[tier_order[i]]) / static_cast<double>(total));
  }
  ASSERT_EQ(summary.abc_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const crm::v1::AbcShare& a = summary.abc(i);
    EXPECT_EQ(a.abc_class(), i + 1);
    EXPECT_EQ(a.accounts(), abc_count[i + 1]);
    EXPECT_DOUBLE_EQ(a.revenue_share(), static_cast<double>(abc_revenue[i + 1]) / static_cast<double>(total));
  }

  // Pareto: after the top floor(k × n / 100) accounts, k = 0..100, distinct counts.
  std::sort(revenues.rbegin(), revenues.rend());
  const int64_t n = static_cast<int64_t>(revenues.size());
  std::vector<int64_t> counts;
  for (int k = 0; k <= 100; ++k) {
    const int64_t c = k * n / 100;
    if (counts.empty() || counts.back() != c) counts.push_back(c);
  }
  ASSERT_EQ(summary.pareto_size(), static_cast<int>(counts.size()));
  EXPECT_LE(summary.pareto_size(), 101);
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t top = 0;
    for (int64_t j = 0; j < counts[i]; ++j) top += revenues[j];
    EXPECT_DOUBLE_EQ(summary.pareto(i).account_share(), static_cast<double>(counts[i]) / static_cast<double>(n)) << i;
    EXPECT_NEAR(summary.pareto(i).revenue_share(), static_cast<double>(top) / static_cast<double>(total), 1e-12) << i;
  }
  EXPECT_EQ(summary.pareto(0).account_share(), 0);
  EXPECT_EQ(summary.pareto(0).revenue_share(), 0);
  EXPECT_EQ(summary.pareto(summary.pareto_size() - 1).account_share(), 1);
  EXPECT_EQ(summary.pareto(summary.pareto_size() - 1).revenue_share(), 1);
}

TEST_P(RiskSummaryTest, ParetoStreamsManyAccountsInBatches) {
  // More accounts than one fetch batch (10,000), inserted many rows per statement.
  constexpr int kAccounts = 23457;
  std::vector<int64_t> revenues;
  Sql([&](soci::session& sql) {
    std::string values;
    for (int i = 0; i < kAccounts; ++i) {
      const int64_t revenue = static_cast<int64_t>((i * 7919) % 5000) * kMicros;  // ties galore
      revenues.push_back(revenue);
      absl::StrAppend(&values, values.empty() ? "" : ", ", "('acc_bulk", i, "', 'run_seed', 1, 0, ", 1 + i % 3,
                      ", 1, 1, 1, 10, 1, 0, ", 1 + i % 4, ", ", 1 + i % 4, ", 'EUR', ", revenue,
                      ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
      if ((i + 1) % 500 == 0 || i + 1 == kAccounts) {
        sql << "INSERT INTO kam_classifications (account_id, run_id, model_version, as_of, abc, recency_score,"
               " frequency_score, monetary_score, segment, lifecycle, composite_micro, computed_tier, tier,"
               " currency, revenue_micros, churn_risk_micro, dim_revenue_contribution, dim_profit,"
               " dim_purchase_frequency, dim_recency, dim_tenure, dim_payment_behaviour, dim_satisfaction,"
               " dim_industry_influence, dim_cooperation_potential) VALUES " + values;
        values.clear();
      }
    }
  });
  SeedRun("run_seed", 1, kNow, false, kNow);
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  std::sort(revenues.rbegin(), revenues.rend());
  int64_t total = 0;
  for (int64_t r : revenues) total += r;
  ASSERT_EQ(summary.pareto_size(), 101);
  int64_t top = 0, taken = 0;
  for (int k = 0; k <= 100; ++k) {
    const int64_t c = static_cast<int64_t>(k) * kAccounts / 100;
    while (taken < c) top += revenues[taken++];
    EXPECT_DOUBLE_EQ(summary.pareto(k).account_share(), static_cast<double>(c) / kAccounts) << k;
    EXPECT_NEAR(summary.pareto(k).revenue_share(), static_cast<double>(top) / static_cast<double>(total), 1e-12) << k;
  }
  int64_t accounts = 0;
  for (const crm::v1::TierShare& t : summary.tiers()) accounts += t.accounts();
  EXPECT_EQ(accounts, kAccounts);
}

TEST_P(RiskSummaryTest, SummaryOfNoneOneAndThreeAccounts) {
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  EXPECT_EQ(summary.model_version(), 0);
  EXPECT_FALSE(summary.has_as_of());
  ASSERT_EQ(summary.tiers_size(), 4);
  for (const crm::v1::TierShare& t : summary.tiers()) {
    EXPECT_EQ(t.accounts(), 0);
    EXPECT_EQ(t.revenue_share(), 0);
  }
  EXPECT_EQ(summary.pareto_size(), 0);

  SeedRun("run_1", 1, kNow, false, kNow);
  SeedClassifications({{"acc_a", 1, 1, 500 * kMicros, 0}}, kNow);
  ASSERT_GRPC_OK(Summary({}, &summary));
  ASSERT_EQ(summary.pareto_size(), 2);
  EXPECT_EQ(summary.pareto(1).account_share(), 1);
  EXPECT_EQ(summary.pareto(1).revenue_share(), 1);
  EXPECT_EQ(summary.tiers(0).accounts(), 1);
  EXPECT_EQ(summary.tiers(0).revenue_share(), 1);
  EXPECT_EQ(summary.abc(0).revenue_share(), 1);

  SeedClassifications({{"acc_b", 3, 2, 300 * kMicros, 0}, {"acc_c", 4, 3, 200 * kMicros, 0}}, kNow);
  ASSERT_GRPC_OK(Summary({}, &summary));
  ASSERT_EQ(summary.pareto_size(), 4);
  EXPECT_DOUBLE_EQ(summary.pareto(1).account_share(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(summary.pareto(1).revenue_share(), 0.5);
  EXPECT_DOUBLE_EQ(summary.pareto(2).account_share(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(summary.pareto(2).revenue_share(), 0.8);
  EXPECT_DOUBLE_EQ(summary.tiers(2).revenue_share(), 0.3);
  EXPECT_DOUBLE_EQ(summary.abc(2).revenue_share(), 0.2);
}

TEST_P(RiskSummaryTest, SummaryWithoutRevenueHasTheDiagonalEndpointsOnly) {
  SeedRun("run_1", 1, kNow, false, kNow);
  SeedClassifications({{"acc_a", 1, 3, 0, 0}, {"acc_b", 2, 3, 0, 0}}, kNow);
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  ASSERT_EQ(summary.pareto_size(), 2);
  EXPECT_EQ(summary.pareto(0).revenue_share(), 0);
  EXPECT_EQ(summary.pareto(1).account_share(), 1);
  EXPECT_EQ(summary.pareto(1).revenue_share(), 1);
  EXPECT_EQ(summary.abc(2).accounts(), 2);
  EXPECT_EQ(summary.abc(2).revenue_share(), 0);
}

TEST_P(RiskSummaryTest, TierChangesPerMonthAndQuarter) {
  struct Change {
    int old_tier, new_tier;
    absl::Time when;
  };
  auto at = [](int y, int m, int d) { return absl::UnixEpoch() + kDay * DayOf(y, m, d); };
  const std::vector<Change> changes = {
      {3, 2, at(2025, 3, 10)},                             // upgrade
      {2, 3, at(2025, 3, 11)},                             // downgrade
      {0, 4, at(2025, 3, 12)},                             // first tier: neither
      {4, 1, at(2025, 4, 1)},                              // upgrade, first instant of April
      {1, 2, at(2025, 4, 1) - absl::Microseconds(1)},      // downgrade, last instant of March
      {2, 1, at(2025, 6, 30) + absl::Hours(23)},           // upgrade in June
      {3, 4, at(2024, 12, 31)},                            // before the range
      {4, 3, at(2025, 7, 1)},                              // after the range (months)
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    SeedTierChange(absl::StrCat("tch_", i), changes[i].old_tier, changes[i].new_tier, changes[i].when);
  }
  auto expect_periods = [&](const crm::v1::TierSummary& summary, const std::vector<int64_t>& starts,
                            const std::vector<int64_t>& ends) {
    ASSERT_EQ(summary.periods_size(), static_cast<int>(starts.size()));
    for (size_t p = 0; p < starts.size(); ++p) {
      int64_t up = 0, down = 0;
      for (const Change& c : changes) {
        const absl::Time s = absl::UnixEpoch() + kDay * starts[p], e = absl::UnixEpoch() + kDay * ends[p];
        if (c.when < s || c.when >= e || c.old_tier == 0 || c.new_tier == 0) continue;
        (c.new_tier < c.old_tier ? up : down) += 1;
      }
      EXPECT_EQ(*DayNumberFromDate(summary.periods(p).period_start(), "x"), starts[p]) << p;
      EXPECT_EQ(summary.periods(p).upgrades(), up) << p;
      EXPECT_EQ(summary.periods(p).downgrades(), down) << p;
    }
  };

  crm::v1::GetTierSummaryRequest request;
  *request.mutable_period_start() = D(2025, 1, 20);  // whole periods: from January 1st
  *request.mutable_period_end() = D(2025, 6, 30);
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary(request, &summary));
  std::vector<int64_t> starts, ends;
  for (int m = 1; m <= 6; ++m) {
    starts.push_back(DayOf(2025, m, 1));
    ends.push_back(m == 12 ? DayOf(2026, 1, 1) : DayOf(2025, m + 1, 1));
  }
  expect_periods(summary, starts, ends);
  EXPECT_EQ(summary.periods(2).upgrades(), 1);    // March: 3→2
  EXPECT_EQ(summary.periods(2).downgrades(), 2);  // March: 2→3 and 1→2
  EXPECT_EQ(summary.periods(3).upgrades(), 1);    // April: 4→1

  request.set_granularity(crm::v1::GetTierSummaryRequest::GRANULARITY_QUARTER);
  *request.mutable_period_start() = D(2025, 2, 10);
  *request.mutable_period_end() = D(2025, 11, 1);
  ASSERT_GRPC_OK(Summary(request, &summary));
  expect_periods(summary, {DayOf(2025, 1, 1), DayOf(2025, 4, 1), DayOf(2025, 7, 1), DayOf(2025, 10, 1)},
                 {DayOf(2025, 4, 1), DayOf(2025, 7, 1), DayOf(2025, 10, 1), DayOf(2026, 1, 1)});
  EXPECT_EQ(summary.periods(0).downgrades(), 2);
  EXPECT_EQ(summary.periods(1).upgrades(), 2);  // April's 4→1 and June's 2→1
  EXPECT_EQ(summary.periods(2).upgrades(), 1);  // July's 4→3
}

TEST_P(RiskSummaryTest, DefaultPeriodsAreTheLastTwelveMonths) {
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  ASSERT_EQ(summary.periods_size(), 12);
  EXPECT_EQ(summary.periods(0).period_start().year(), 2025);
  EXPECT_EQ(summary.periods(0).period_start().month(), 7);
  EXPECT_EQ(summary.periods(11).period_start().year(), 2026);
  EXPECT_EQ(summary.periods(11).period_start().month(), 6);
  EXPECT_EQ(summary.periods(11).period_start().day(), 1);

  crm::v1::GetTierSummaryRequest quarters;
  quarters.set_granularity(crm::v1::GetTierSummaryRequest::GRANULARITY_QUARTER);
  ASSERT_GRPC_OK(Summary(quarters, &summary));
  ASSERT_EQ(summary.periods_size(), 4);
  EXPECT_EQ(summary.periods(0).period_start().month(), 7);
  EXPECT_EQ(summary.periods(3).period_start().year(), 2026);
  EXPECT_EQ(summary.periods(3).period_start().month(), 4);
}

TEST_P(RiskSummaryTest, SummaryRejectsBadPeriods) {
  crm::v1::TierSummary summary;
  crm::v1::GetTierSummaryRequest request;
  *request.mutable_period_start() = D(2025, 6, 1);
  *request.mutable_period_end() = D(2025, 5, 31);
  EXPECT_TRUE(HasCodeAndField(Summary(request, &summary), grpc::StatusCode::INVALID_ARGUMENT, "period_end"));
  *request.mutable_period_start() = D(2025, 2, 30);
  EXPECT_TRUE(HasCodeAndField(Summary(request, &summary), grpc::StatusCode::INVALID_ARGUMENT, "period_start"));
  *request.mutable_period_start() = D(2000, 1, 1);
  *request.mutable_period_end() = D(2025, 1, 1);
  EXPECT_TRUE(HasCodeAndField(Summary(request, &summary), grpc::StatusCode::INVALID_ARGUMENT, "period_start"));
  request.clear_period_start();
  request.clear_period_end();
  request.set_granularity(static_cast<crm::v1::GetTierSummaryRequest::Granularity>(9));
  EXPECT_TRUE(HasCodeAndField(Summary(request, &summary), grpc::StatusCode::INVALID_ARGUMENT, "granularity"));
}

TEST_P(RiskSummaryTest, ChurnRatePerPeriodMatchesABruteForceComputation) {
  std::mt19937_64 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::map<std::string, std::vector<TestOrder>> orders;
  for (int i = 0; i < 14; ++i) {
    const std::string id = NewAccount(absl::StrCat("Buyer ", i));
    // Each account buys in a stretch of its own, so some go silent within the range.
    const int from = pick(0, 900), to = std::min(900, from + pick(0, 500));
    const int n = pick(1, 5);
    for (int k = 0; k < n; ++k) {
      TestOrder o;
      o.day = kToday - 900 + pick(from, to);
      o.total_micros = 100 * kMicros;
      o.cancelled = pick(0, 7) == 0;
      AddOrder(id, o);
      orders[id].push_back(o);
    }
  }
  const int window = Model().window_days();
  crm::v1::GetTierSummaryRequest request;
  *request.mutable_period_start() = D(2024, 7, 1);
  *request.mutable_period_end() = D(2026, 8, 31);  // two periods after today: churn 0
  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary(request, &summary));
  ASSERT_EQ(summary.periods_size(), 26);
  int nonzero = 0;
  for (int p = 0; p < summary.periods_size(); ++p) {
    const int64_t s = *DayNumberFromDate(summary.periods(p).period_start(), "x");
    const crm::v1::Date& start = summary.periods(p).period_start();
    const int64_t next = start.month() == 12 ? DayOf(start.year() + 1, 1, 1) : DayOf(start.year(), start.month() + 1, 1);
    const int64_t e = std::min(next, kToday + 1);
    int active = 0, churned = 0;
    if (s <= kToday) {
      for (const auto& [id, list] : orders) {
        bool before_start = false, before_end = false;
        for (const TestOrder& o : list) {
          if (o.cancelled) continue;
          before_start |= o.day >= s - window && o.day < s;
          before_end |= o.day >= e - window && o.day < e;
        }
        active += before_start;
        churned += before_start && !before_end;
      }
    }
    const double rate = active > 0 ? static_cast<double>(churned) / active : 0;
    EXPECT_DOUBLE_EQ(summary.periods(p).churn_rate(), rate) << "period " << p;
    nonzero += rate > 0;
  }
  EXPECT_GT(nonzero, 0) << "the generated data should make some accounts churn";
}

// ---------------------------------------------------------------------------------------------
// End to end: after a reclassification

TEST_P(RiskSummaryTest, AfterReclassifyTheListAgreesWithLiveRiskAndTheSummaryWithTheData) {
  std::mt19937_64 rng(3);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  struct Made {
    std::vector<TestOrder> orders;
    int open_p1 = 0;
    std::vector<int> surveys;
  };
  std::map<std::string, Made> made;
  for (int i = 0; i < 12; ++i) {
    const std::string id = NewAccount(absl::StrCat("Account ", i), i % 2 == 0 ? "ann" : "ben");
    Made m;
    const int n = i == 0 ? 0 : pick(1, 4);
    for (int k = 0; k < n; ++k) {
      TestOrder o;
      o.day = kToday - pick(0, 20) * 20;
      o.total_micros = pick(1, 8) * 125 * kMicros;
      o.due_day = o.day + 30;
      const int kind = pick(0, 5);
      o.cancelled = kind == 0;
      o.paid_micros = kind <= 2 ? 0 : o.total_micros;
      AddOrder(id, o);
      m.orders.push_back(o);
    }
    if (i % 3 == 1) {
      NewTicket(id, crm::v1::TICKET_PRIORITY_P1, false);
      m.open_p1 = 1;
    }
    if (i % 4 == 2) {
      const int score = pick(1, 3);
      AddSurvey(id, score);
      m.surveys.push_back(score);
    }
    made[id] = m;
  }
  const crm::v1::ReclassifySummary run = MustReclassify();
  ASSERT_EQ(run.accounts(), 12);

  crm::v1::ListAccountsAtRiskRequest request;
  request.set_min_score(0.000001);
  request.set_page_size(5);
  const std::vector<crm::v1::ChurnRisk> listed = AllAtRisk(request);
  std::vector<std::pair<double, std::string>> expected;
  for (const auto& [id, m] : made) {
    const double score = ComputeRisk(m.orders, m.open_p1, m.surveys, kToday).score();
    if (score > 0) expected.push_back({-score, id});
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_GE(expected.size(), 3u) << "the generated data should put several accounts at risk";
  ASSERT_EQ(listed.size(), expected.size());
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].account_id(), expected[i].second) << i;
    EXPECT_NEAR(listed[i].score(), -expected[i].first, 1e-6) << i;
    EXPECT_EQ(listed[i].as_of().seconds(), absl::ToUnixSeconds(kNow));
    // Nothing changed since the run: the recomputed factors match the live assessment.
    crm::v1::ChurnRisk live;
    ASSERT_GRPC_OK(Risk(listed[i].account_id(), &live));
    EXPECT_DOUBLE_EQ(live.score(), listed[i].score());
    ASSERT_EQ(live.factors_size(), listed[i].factors_size());
    for (int f = 0; f < live.factors_size(); ++f) {
      EXPECT_EQ(live.factors(f).factor(), listed[i].factors(f).factor());
      EXPECT_DOUBLE_EQ(live.factors(f).points(), listed[i].factors(f).points());
    }
  }

  crm::v1::TierSummary summary;
  ASSERT_GRPC_OK(Summary({}, &summary));
  EXPECT_EQ(summary.model_version(), run.model_version());
  EXPECT_EQ(summary.as_of().seconds(), run.as_of().seconds());
  // Counts per tier against the accounts' tiers; revenue shares against the window revenue the
  // test's own orders give.
  std::map<std::string, int64_t> revenue;
  int64_t total = 0;
  for (const auto& [id, m] : made) {
    for (const TestOrder& o : m.orders) {
      if (!o.cancelled && o.day > kToday - Model().window_days()) revenue[id] += o.total_micros;
    }
    total += revenue[id];
  }
  std::map<int, int64_t> tier_count, tier_revenue;
  for (const auto& [id, m] : made) {
    crm::v1::GetAccountRequest get;
    get.set_id(id);
    crm::v1::Account account;
    ASSERT_GRPC_OK(accounts_->GetAccount(CallAs().get(), get, &account));
    ++tier_count[account.tier()];
    tier_revenue[account.tier()] += revenue[id];
  }
  int64_t counted = 0;
  for (const crm::v1::TierShare& t : summary.tiers()) {
    EXPECT_EQ(t.accounts(), tier_count[t.tier()]) << t.tier();
    EXPECT_NEAR(t.revenue_share(), static_cast<double>(tier_revenue[t.tier()]) / static_cast<double>(total), 1e-12);
    counted += t.accounts();
  }
  EXPECT_EQ(counted, 12);
  int64_t abc_accounts = 0;
  for (const crm::v1::AbcShare& a : summary.abc()) abc_accounts += a.accounts();
  EXPECT_EQ(abc_accounts, 12);
  std::vector<int64_t> sorted;
  for (const auto& [id, r] : revenue) sorted.push_back(r);
  std::sort(sorted.rbegin(), sorted.rend());
  ASSERT_GE(summary.pareto_size(), 2);
  for (const crm::v1::ParetoPoint& p : summary.pareto()) {
    const int64_t c = std::llround(p.account_share() * 12);
    int64_t top = 0;
    for (int64_t j = 0; j < c; ++j) top += sorted[j];
    EXPECT_NEAR(p.revenue_share(), static_cast<double>(top) / static_cast<double>(total), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RiskSummaryTest, ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendName());

}  // namespace
}  // namespace crm
