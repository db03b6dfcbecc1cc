// KeyAccountService reclassification through a real in-process server on every backend: every
// figure of every account against an independent computation from the orders, surveys and
// judgement the test created; tiers, tier changes and events; overrides; one run at a time;
// scoring model versions and their validation.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"
#include "common/core/date_util.h"
#include "common/db/shared_state.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "services/kam/classification.h"
#include "services/kam/reclassify_logic.h"
#include "services/servicedesk/ticket_jobs.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountTier;
using crm::v1::ReclassifyProgress;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kAsOf = absl::FromUnixSeconds(1781524800);  // 2026-06-15T12:00:00Z

struct TestOrder {
  int64_t day;
  int64_t total_micros;
  int64_t paid_micros;
  int64_t due_day;
  bool cancelled;
};

struct TestAccount {
  std::string id;
  std::string owner;
  std::vector<TestOrder> orders;
  std::optional<double> satisfaction;
  std::optional<int> influence, cooperation;
};

crm::v1::Money Eur(int64_t micros) {
  crm::v1::Money m;
  m.set_currency_code("EUR");
  m.set_units(micros / 1000000);
  m.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  return m;
}

// The engine's facts of an account, computed here from what the test created, by the definitions
// in services/kam/account_facts.h.
kam::AccountFacts ExpectedFacts(const TestAccount& a) {
  const int64_t as_of_day = DayNumberOf(kAsOf);
  kam::AccountFacts f;
  f.account_id = a.id;
  int64_t overdue = 0;
  for (const TestOrder& o : a.orders) {
    if (o.cancelled || o.day > as_of_day) continue;
    const absl::Time t = absl::UnixEpoch() + kDay * o.day;
    if (!f.first_order_time || t < *f.first_order_time) f.first_order_time = t;
    if (!f.last_order_time || t > *f.last_order_time) f.last_order_time = t;
    if (o.day > as_of_day - 365) {
      ++f.orders_in_window;
      f.revenue_minor += o.total_micros;
      if (o.paid_micros < o.total_micros && o.due_day < as_of_day) overdue += o.total_micros - o.paid_micros;
    }
    if (o.day > as_of_day - 90) f.recent_revenue_minor += o.total_micros;
    if (o.day > as_of_day - 180 && o.day <= as_of_day - 90) f.previous_revenue_minor += o.total_micros;
  }
  f.profit_minor = static_cast<int64_t>(static_cast<double>(f.revenue_minor) * 0.3);
  if (f.revenue_minor > 0) f.overdue_share = static_cast<double>(overdue) / static_cast<double>(f.revenue_minor);
  f.satisfaction = a.satisfaction;
  f.industry_influence = a.influence;
  f.cooperation_potential = a.cooperation;
  return f;
}

AccountTier TierOfIndex(int index) {
  static constexpr AccountTier kTiers[] = {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY,
                                           crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_POTENTIAL};
  return kTiers[index];
}

class ReclassifyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    StartServer({});
  }

  void StartServer(testing::TestServerOptions options) {
    server_.reset();
    server_ = std::make_unique<testing::TestServer>(*database_, options);
    ASSERT_TRUE(server_->ok()) << server_->status();
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    server_->clock().Set(kAsOf);
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  std::string NewAccount(const std::string& name, const std::string& owner) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    crm::v1::Account account;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &account);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return account.id();
  }

  crm::v1::Account GetAccount(const std::string& id) {
    crm::v1::GetAccountRequest request;
    request.set_id(id);
    crm::v1::Account account;
    grpc::Status s = accounts_->GetAccount(CallAs().get(), request, &account);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return account;
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
    *order->mutable_due_date() = DateFromDayNumber(o.due_day);
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

  // A resolved ticket of the account with a survey of `score`, submitted `days_ago` before as_of.
  void AddSurvey(const std::string& account_id, int score, int days_ago) {
    server_->clock().Set(kAsOf - kDay * days_ago);
    crm::v1::CreateTicketRequest create;
    create.mutable_ticket()->set_account_id(account_id);
    create.mutable_ticket()->set_subject("Help");
    create.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P3);
    crm::v1::Ticket ticket;
    ASSERT_GRPC_OK(desk_->CreateTicket(CallAs().get(), create, &ticket));
    crm::v1::ChangeTicketStatusRequest resolve;
    resolve.set_id(ticket.id());
    resolve.set_status(crm::v1::TICKET_STATUS_RESOLVED);
    resolve.set_reason("done");
    ASSERT_GRPC_OK(desk_->ChangeTicketStatus(CallAs().get(), resolve, &ticket));
    crm::v1::SubmitSurveyRequest submit;
    submit.mutable_survey()->set_ticket_id(ticket.id());
    submit.mutable_survey()->set_score(score);
    crm::v1::SatisfactionSurvey survey;
    ASSERT_GRPC_OK(desk_->SubmitSurvey(CallAs().get(), submit, &survey));
    server_->clock().Set(kAsOf);
  }

  void SetQualitative(const std::string& account_id, int influence, int cooperation) {
    crm::v1::SetQualitativeInputsRequest request;
    request.mutable_inputs()->set_account_id(account_id);
    request.mutable_inputs()->set_industry_influence(influence);
    request.mutable_inputs()->set_cooperation_potential(cooperation);
    crm::v1::QualitativeInputs out;
    ASSERT_GRPC_OK(kam_->SetQualitativeInputs(CallAs().get(), request, &out));
  }

  // Accounts with orders drawn from small value sets (ties at quintile and ABC boundaries), one
  // without orders, a few with surveys and qualitative inputs.
  void Generate(int n, uint64_t seed, bool first_without_orders = true) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const int64_t as_of_day = DayNumberOf(kAsOf);
    for (int i = 0; i < n; ++i) {
      TestAccount a;
      a.owner = absl::StrCat("mgr", i % 3);
      a.id = NewAccount(absl::StrCat("Account ", i), a.owner);
      const int orders = i == 0 && first_without_orders ? 0 : pick(1, 6);
      for (int k = 0; k < orders; ++k) {
        TestOrder o;
        o.day = as_of_day - pick(0, 14) * 50;
        o.total_micros = pick(1, 4) * 250 * 1000000LL;
        o.due_day = o.day + 30;
        const int kind = pick(0, 9);
        o.cancelled = kind == 0;
        o.paid_micros = kind <= 2 ? 0 : (kind == 3 ? o.total_micros / 2 : o.total_micros);
        AddOrder(a.id, o);
        a.orders.push_back(o);
      }
      if (i % 4 == 1) {
        const int score = pick(1, 5);
        AddSurvey(a.id, score, pick(1, 300));
        a.satisfaction = score;
      }
      if (i % 5 == 2) {
        a.influence = pick(1, 5);
        a.cooperation = pick(1, 5);
        SetQualitative(a.id, *a.influence, *a.cooperation);
      }
      accounts_by_id_[a.id] = a;
    }
  }

  // Runs Reclassify to the end: every progress message, and the status.
  grpc::Status Reclassify(const crm::v1::ReclassifyRequest& request, std::vector<ReclassifyProgress>* progress) {
    auto context = CallAs("alice", absl::Seconds(60));
    std::unique_ptr<grpc::ClientReader<ReclassifyProgress>> reader = kam_->Reclassify(context.get(), request);
    ReclassifyProgress p;
    while (reader->Read(&p)) progress->push_back(p);
    return reader->Finish();
  }

  crm::v1::ReclassifySummary MustReclassify(const crm::v1::ReclassifyRequest& request = {}) {
    std::vector<ReclassifyProgress> progress;
    grpc::Status s = Reclassify(request, &progress);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (progress.empty()) {
      ADD_FAILURE() << "no progress";
      return {};
    }
    EXPECT_EQ(progress.back().phase(), ReclassifyProgress::PHASE_DONE);
    return progress.back().summary();
  }

  crm::v1::AccountClassification Classification(const std::string& account_id) {
    crm::v1::GetClassificationRequest request;
    request.set_account_id(account_id);
    crm::v1::AccountClassification out;
    grpc::Status s = kam_->GetClassification(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Reclassifies at `as_of` and checks that every change it wrote names the score the account had
  // before (from the previous run's classification) and the one it has now; returns the run.
  crm::v1::ReclassifySummary ReclassifyAndCheckReasons(absl::Time as_of) {
    std::map<std::string, double> before;
    for (const auto& [id, account] : accounts_by_id_) before[id] = Classification(id).composite_score();
    crm::v1::ReclassifyRequest request;
    *request.mutable_as_of() = google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(as_of));
    const crm::v1::ReclassifySummary run = MustReclassify(request);
    int described = 0;
    for (const crm::v1::TierChange& c : TierChanges()) {
      if (c.run_id() != run.run_id()) continue;
      const std::string scores = absl::StrFormat("score %.1f → %.1f", before.at(c.account_id()),
                                                 Classification(c.account_id()).composite_score());
      EXPECT_THAT(c.reason(), ::testing::HasSubstr(scores));
      EXPECT_EQ(GetAccount(c.account_id()).tier(), c.new_tier());
      ++described;
    }
    EXPECT_EQ(described, run.tier_changes());
    return run;
  }

  std::vector<crm::v1::TierChange> TierChanges(const std::string& account_id = "") {
    std::vector<crm::v1::TierChange> all;
    crm::v1::ListTierChangesRequest request;
    request.set_account_id(account_id);
    request.set_page_size(7);
    for (;;) {
      crm::v1::ListTierChangesResponse response;
      grpc::Status s = kam_->ListTierChanges(CallAs().get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& c : response.changes()) all.push_back(c);
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  std::vector<crm::v1::Event> TierEvents() {
    crm::v1::ListEventsRequest request;
    request.add_types("account.updated");
    request.set_page_size(1000);
    crm::v1::ListEventsResponse response;
    EXPECT_TRUE(events_->ListEvents(CallAs().get(), request, &response).ok());
    std::vector<crm::v1::Event> out;
    for (const auto& e : response.events()) {
      for (const auto& c : e.changes()) {
        if (c.field() == "tier") out.push_back(e);
      }
    }
    return out;
  }

  // Every account's classification, tier and tier history against kam::Classify over facts
  // computed here from what the test created.
  void ExpectEveryFigure(const crm::v1::ReclassifySummary& summary) {
    std::vector<kam::AccountFacts> facts;
    for (const auto& [id, a] : accounts_by_id_) facts.push_back(ExpectedFacts(a));
    absl::StatusOr<std::vector<kam::AccountClassification>> expected = kam::Classify(kam::ScoringModel(), kAsOf, facts);
    ASSERT_TRUE(expected.ok()) << expected.status();
    size_t i = 0;
    for (const auto& [id, a] : accounts_by_id_) {
      SCOPED_TRACE(absl::StrCat("account ", i, " ", id));
      const kam::AccountClassification& want = (*expected)[i++];
      const crm::v1::AccountClassification got = Classification(id);
      EXPECT_EQ(got.abc_class(), static_cast<int>(want.abc) + 1);
      EXPECT_EQ(got.recency_score(), want.r);
      EXPECT_EQ(got.frequency_score(), want.f);
      EXPECT_EQ(got.monetary_score(), want.m);
      EXPECT_EQ(got.rfm_segment(), static_cast<int>(want.segment) + 1);
      EXPECT_EQ(got.lifecycle_stage(), static_cast<int>(want.lifecycle) + crm::v1::LIFECYCLE_STAGE_NEW);
      EXPECT_NEAR(got.composite_score(), want.composite, 1e-6);
      EXPECT_EQ(got.computed_tier(), TierOfIndex(want.tier));
      EXPECT_EQ(got.tier(), TierOfIndex(want.tier));
      ASSERT_EQ(got.dimensions_size(), kam::kDimensionCount);
      for (int d = 0; d < kam::kDimensionCount; ++d) EXPECT_NEAR(got.dimensions(d).value(), want.normalised[d], 1e-6);
      EXPECT_EQ(got.window_revenue().currency_code(), "EUR");
      EXPECT_EQ(got.window_revenue().units(), facts[i - 1].revenue_minor / 1000000);
      // The account carries the tier, and its history says why.
      EXPECT_EQ(GetAccount(id).tier(), TierOfIndex(want.tier));
      const std::vector<crm::v1::TierChange> changes = TierChanges(id);
      ASSERT_EQ(changes.size(), 1u);
      EXPECT_EQ(changes[0].old_tier(), crm::v1::ACCOUNT_TIER_UNSPECIFIED);
      EXPECT_EQ(changes[0].new_tier(), TierOfIndex(want.tier));
      EXPECT_EQ(changes[0].source(), crm::v1::TIER_CHANGE_SOURCE_RECLASSIFICATION);
      EXPECT_THAT(changes[0].reason(), ::testing::StartsWith("first classification: score "));
      EXPECT_EQ(changes[0].run_id(), summary.run_id());
    }
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::map<std::string, TestAccount> accounts_by_id_;  // id order, as the server ranks ties
};

TEST_P(ReclassifyTest, EveryFigureMatchesAnIndependentComputation) {
  Generate(24, 7);
  const crm::v1::ReclassifySummary summary = MustReclassify();
  EXPECT_EQ(summary.accounts(), 24);
  EXPECT_EQ(summary.tier_changes(), 24);  // every account gets its first tier
  EXPECT_EQ(summary.model_version(), 1);
  EXPECT_EQ(absl::FromUnixMicros(summary.as_of().seconds() * 1000000), kAsOf);

  ExpectEveryFigure(summary);
  EXPECT_EQ(TierEvents().size(), 24u);
  EXPECT_EQ(TierChanges().size(), 24u);
}

TEST_P(ReclassifyTest, RunningAgainChangesNothingAndMovesReportTheirDimensions) {
  Generate(12, 11);
  MustReclassify();
  const std::vector<crm::v1::TierChange> first = TierChanges();
  const crm::v1::ReclassifySummary again = MustReclassify();
  EXPECT_EQ(again.tier_changes(), 0);
  EXPECT_EQ(TierChanges().size(), first.size());
  EXPECT_EQ(TierEvents().size(), 12u);

  // A year later with no new orders every account has dropped out of the window: the ones that
  // were above the bottom tier fall, and each fall names the dimensions that moved it.
  const crm::v1::ReclassifySummary moved = ReclassifyAndCheckReasons(kAsOf + 400 * kDay);
  EXPECT_GT(moved.tier_changes(), 0);
}

// With one pooled connection the tier changes are prepared inside the write transaction, before
// the classifications are replaced, rather than beside it on a second connection.
TEST_P(ReclassifyTest, OnePooledConnectionWritesTheSameChanges) {
  testing::TestServerOptions single;
  single.db_pool_size = 1;
  StartServer(single);
  Generate(12, 11);
  const crm::v1::ReclassifySummary first = MustReclassify();
  EXPECT_EQ(first.tier_changes(), 12);
  ExpectEveryFigure(first);
  const crm::v1::ReclassifySummary moved = ReclassifyAndCheckReasons(kAsOf + 400 * kDay);
  EXPECT_GT(moved.tier_changes(), 0);
  EXPECT_EQ(TierEvents().size(), static_cast<size_t>(12 + moved.tier_changes()));
}

TEST_P(ReclassifyTest, ADryRunReportsAndWritesNoTier) {
  Generate(6, 3);
  crm::v1::ReclassifyRequest dry;
  dry.set_dry_run(true);
  const crm::v1::ReclassifySummary summary = MustReclassify(dry);
  EXPECT_EQ(summary.tier_changes(), 6);
  EXPECT_TRUE(TierChanges().empty());
  EXPECT_TRUE(TierEvents().empty());
  for (const auto& [id, a] : accounts_by_id_) EXPECT_EQ(GetAccount(id).tier(), crm::v1::ACCOUNT_TIER_UNSPECIFIED);
}

TEST_P(ReclassifyTest, AnOverrideWinsUntilItExpires) {
  Generate(6, 5);
  MustReclassify();
  std::string id;  // the account without orders: bottom tier
  for (const auto& [account_id, a] : accounts_by_id_) {
    if (a.orders.empty()) id = account_id;
  }
  const AccountTier computed = Classification(id).computed_tier();
  ASSERT_EQ(computed, crm::v1::ACCOUNT_TIER_POTENTIAL);

  crm::v1::SetTierOverrideRequest set;
  set.mutable_override()->set_account_id(id);
  set.mutable_override()->set_tier(crm::v1::ACCOUNT_TIER_STRATEGIC);
  set.mutable_override()->set_reason("board member's company");
  *set.mutable_override()->mutable_expire_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAsOf + 30 * kDay));
  crm::v1::TierOverride stored;
  ASSERT_GRPC_OK(kam_->SetTierOverride(CallAs("carol").get(), set, &stored));
  EXPECT_EQ(stored.set_by(), "carol");
  EXPECT_EQ(GetAccount(id).tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  std::vector<crm::v1::TierChange> changes = TierChanges(id);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].source(), crm::v1::TIER_CHANGE_SOURCE_OVERRIDE);
  EXPECT_THAT(changes[0].reason(), ::testing::HasSubstr("board member's company"));
  EXPECT_EQ(changes[0].actor(), "carol");

  // Runs keep it while it is in force.
  const crm::v1::ReclassifySummary kept = MustReclassify();
  EXPECT_EQ(kept.overridden(), 1);
  EXPECT_EQ(kept.tier_changes(), 0);
  EXPECT_EQ(GetAccount(id).tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(Classification(id).tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(Classification(id).computed_tier(), computed);

  // Once expired, the next run puts the computed tier back and says why.
  server_->clock().Set(kAsOf + 31 * kDay);
  crm::v1::ReclassifyRequest same_day;
  *same_day.mutable_as_of() = google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAsOf + 31 * kDay));
  const crm::v1::ReclassifySummary expired = MustReclassify(same_day);
  EXPECT_EQ(expired.overridden(), 0);
  EXPECT_EQ(GetAccount(id).tier(), computed);
  changes = TierChanges(id);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].source(), crm::v1::TIER_CHANGE_SOURCE_OVERRIDE_EXPIRED);
  EXPECT_EQ(changes[0].old_tier(), crm::v1::ACCOUNT_TIER_STRATEGIC);
  crm::v1::ClearTierOverrideRequest clear;
  clear.set_account_id(id);
  clear.set_reason("gone");
  crm::v1::ClearTierOverrideResponse cleared;
  EXPECT_TRUE(HasCodeAndField(kam_->ClearTierOverride(CallAs().get(), clear, &cleared), grpc::StatusCode::NOT_FOUND,
                              "account_id"));
}

TEST_P(ReclassifyTest, ClearingAnOverrideReturnsToTheComputedTier) {
  Generate(4, 9);
  MustReclassify();
  const std::string id = accounts_by_id_.begin()->first;
  crm::v1::SetTierOverrideRequest set;
  set.mutable_override()->set_account_id(id);
  set.mutable_override()->set_tier(crm::v1::ACCOUNT_TIER_KEY);
  set.mutable_override()->set_reason("pilot");
  *set.mutable_override()->mutable_expire_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAsOf + 90 * kDay));
  crm::v1::TierOverride stored;
  ASSERT_GRPC_OK(kam_->SetTierOverride(CallAs().get(), set, &stored));
  crm::v1::ClearTierOverrideRequest clear;
  clear.set_account_id(id);
  clear.set_reason("pilot over");
  crm::v1::ClearTierOverrideResponse cleared;
  ASSERT_GRPC_OK(kam_->ClearTierOverride(CallAs().get(), clear, &cleared));
  EXPECT_EQ(GetAccount(id).tier(), Classification(id).computed_tier());
  const std::vector<crm::v1::TierChange> changes = TierChanges(id);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_THAT(changes[0].reason(), ::testing::HasSubstr("pilot over"));
  EXPECT_EQ(MustReclassify().tier_changes(), 0);
}

// Found by fuzzing: an expire_time beyond the microsecond range overflowed (undefined behaviour,
// reported under tests/sanitize.sh) in the "must be in the future" check before it was refused.
TEST_P(ReclassifyTest, AnOverrideExpiringBeyondAnyDateIsRefused) {
  Generate(3, 1);
  crm::v1::SetTierOverrideRequest set;
  set.mutable_override()->set_account_id(accounts_by_id_.begin()->first);
  set.mutable_override()->set_tier(crm::v1::ACCOUNT_TIER_KEY);
  set.mutable_override()->set_reason("pilot");
  set.mutable_override()->mutable_expire_time()->set_seconds(4253309735859724408);
  crm::v1::TierOverride stored;
  EXPECT_TRUE(HasCodeAndField(kam_->SetTierOverride(CallAs().get(), set, &stored),
                              grpc::StatusCode::INVALID_ARGUMENT, "override.expire_time"));
}

TEST_P(ReclassifyTest, ASecondRunWhileOneRunsIsRefusedAndNothingIsWritten) {
  Generate(3, 1);
  // Another process's run holds the lease.
  absl::StatusOr<bool> held =
      db::TryAcquireLease(*server_->runtime().db, "kam.reclassify", "other-run", kAsOf, absl::Minutes(5));
  ASSERT_TRUE(held.ok() && *held);
  std::vector<ReclassifyProgress> progress;
  EXPECT_EQ(Reclassify({}, &progress).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(TierChanges().empty());
  // The scheduler stands aside too.
  kam::ReclassifyLogic logic(server_->runtime());
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> scheduled = logic.RunScheduledIfDue();
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  EXPECT_FALSE(scheduled->has_value());
  // Once it expires, a run goes ahead.
  server_->clock().Set(kAsOf + absl::Minutes(6));
  EXPECT_EQ(MustReclassify().accounts(), 3);
}

TEST_P(ReclassifyTest, TheSchedulerRunsWhenThePeriodHasPassed) {
  Generate(3, 2);
  kam::ReclassifyLogic logic(server_->runtime());
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> first = logic.RunScheduledIfDue();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->has_value());  // never run: due
  EXPECT_EQ((*first)->accounts(), 3);
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> soon = logic.RunScheduledIfDue();
  ASSERT_TRUE(soon.ok());
  EXPECT_FALSE(soon->has_value());  // the default model re-evaluates every 7 days
  server_->clock().Advance(7 * kDay);
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> week = logic.RunScheduledIfDue();
  ASSERT_TRUE(week.ok());
  EXPECT_TRUE(week->has_value());
  EXPECT_EQ(TierChanges()[0].actor(), "kam.scheduler");
}

TEST_P(ReclassifyTest, ScoringModelVersionsAndBadInput) {
  crm::v1::GetScoringModelRequest get;
  crm::v1::ScoringModel v1;
  ASSERT_GRPC_OK(kam_->GetScoringModel(CallAs().get(), get, &v1));
  EXPECT_EQ(v1.version(), 1);
  EXPECT_EQ(v1.tiers_size(), 4);

  auto update = [&](const crm::v1::ScoringModel& patch, const std::vector<std::string>& paths, int based_on,
                    crm::v1::ScoringModel* out) {
    crm::v1::UpdateScoringModelRequest request;
    *request.mutable_model() = patch;
    for (const std::string& p : paths) request.mutable_update_mask()->add_paths(p);
    request.set_based_on_version(based_on);
    return kam_->UpdateScoringModel(CallAs("maria").get(), request, out);
  };
  crm::v1::ScoringModel out;
  crm::v1::ScoringModel patch = v1;
  patch.mutable_weights()->set_profit(-0.1);
  EXPECT_TRUE(HasCodeAndField(update(patch, {"weights"}, 1, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "model.weights.profit"));
  patch = v1;
  patch.mutable_weights()->set_profit(0.5);
  EXPECT_TRUE(HasCodeAndField(update(patch, {"weights"}, 1, &out), grpc::StatusCode::INVALID_ARGUMENT, "model.weights"));
  patch = v1;
  patch.mutable_abc()->set_b_max_share(0.7);
  EXPECT_TRUE(HasCodeAndField(update(patch, {"abc"}, 1, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "model.abc.b_max_share"));
  patch = v1;
  patch.mutable_tiers(0)->set_tier(static_cast<AccountTier>(42));
  EXPECT_TRUE(HasCodeAndField(update(patch, {"tiers"}, 1, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "model.tiers[0].tier"));
  patch = v1;
  patch.mutable_tiers(1)->set_min_score(95);
  EXPECT_TRUE(HasCodeAndField(update(patch, {"tiers"}, 1, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "model.tiers[1].min_score"));

  patch = v1;
  patch.mutable_abc()->set_a_max_share(0.7);
  patch.set_note("tighter A class");
  ASSERT_GRPC_OK(update(patch, {"abc", "note"}, 1, &out));
  EXPECT_EQ(out.version(), 2);
  EXPECT_EQ(out.created_by(), "maria");
  EXPECT_DOUBLE_EQ(out.abc().a_max_share(), 0.7);
  EXPECT_EQ(out.window_days(), v1.window_days());
  // Based on a version no longer in force.
  EXPECT_EQ(update(patch, {"abc"}, 1, &out).error_code(), grpc::StatusCode::ABORTED);
  // The old version stays readable; the list is newest first.
  get.set_version(1);
  crm::v1::ScoringModel old;
  ASSERT_GRPC_OK(kam_->GetScoringModel(CallAs().get(), get, &old));
  EXPECT_DOUBLE_EQ(old.abc().a_max_share(), 0.8);
  crm::v1::ListScoringModelsRequest list;
  list.set_page_size(1);
  crm::v1::ListScoringModelsResponse page;
  ASSERT_GRPC_OK(kam_->ListScoringModels(CallAs().get(), list, &page));
  ASSERT_EQ(page.models_size(), 1);
  EXPECT_EQ(page.models(0).version(), 2);
  list.set_page_token(page.next_page_token());
  ASSERT_GRPC_OK(kam_->ListScoringModels(CallAs().get(), list, &page));
  ASSERT_EQ(page.models_size(), 1);
  EXPECT_EQ(page.models(0).version(), 1);
  EXPECT_TRUE(page.next_page_token().empty());
  get.set_version(9);
  EXPECT_TRUE(HasCodeAndField(kam_->GetScoringModel(CallAs().get(), get, &old), grpc::StatusCode::NOT_FOUND, "version"));

  // Judgement and overrides.
  const std::string id = NewAccount("Judged", "mgr");
  crm::v1::SetQualitativeInputsRequest q;
  q.mutable_inputs()->set_account_id(id);
  q.mutable_inputs()->set_industry_influence(6);
  crm::v1::QualitativeInputs qi;
  EXPECT_TRUE(HasCodeAndField(kam_->SetQualitativeInputs(CallAs().get(), q, &qi), grpc::StatusCode::INVALID_ARGUMENT,
                              "inputs.industry_influence"));
  crm::v1::SetTierOverrideRequest o;
  o.mutable_override()->set_account_id(id);
  o.mutable_override()->set_tier(crm::v1::ACCOUNT_TIER_KEY);
  *o.mutable_override()->mutable_expire_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAsOf - kDay));
  crm::v1::TierOverride to;
  grpc::Status bad = kam_->SetTierOverride(CallAs().get(), o, &to);
  EXPECT_TRUE(HasCodeAndField(bad, grpc::StatusCode::INVALID_ARGUMENT, "override.reason"));
  EXPECT_TRUE(HasCodeAndField(bad, grpc::StatusCode::INVALID_ARGUMENT, "override.expire_time"));
  o.mutable_override()->set_reason("why");
  o.mutable_override()->set_tier(crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  EXPECT_TRUE(HasCodeAndField(kam_->SetTierOverride(CallAs().get(), o, &to), grpc::StatusCode::INVALID_ARGUMENT,
                              "override.tier"));
  EXPECT_EQ(GetAccount(id).tier(), crm::v1::ACCOUNT_TIER_UNSPECIFIED);
  EXPECT_TRUE(TierChanges().empty());
}

TEST_P(ReclassifyTest, ListsFilterAndPageInScoreOrder) {
  Generate(15, 13);
  MustReclassify();
  crm::v1::ListClassificationsRequest request;
  request.set_page_size(4);
  std::vector<crm::v1::AccountClassification> all;
  for (;;) {
    crm::v1::ListClassificationsResponse response;
    ASSERT_GRPC_OK(kam_->ListClassifications(CallAs().get(), request, &response));
    for (const auto& c : response.classifications()) all.push_back(c);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(all.size(), 15u);
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_TRUE(all[i - 1].composite_score() > all[i].composite_score() ||
                (all[i - 1].composite_score() == all[i].composite_score() &&
                 all[i - 1].account_id() > all[i].account_id()));
  }
  crm::v1::ListClassificationsRequest by_owner;
  by_owner.set_owner("mgr1");
  by_owner.set_tier(all.back().tier());
  crm::v1::ListClassificationsResponse owned;
  ASSERT_GRPC_OK(kam_->ListClassifications(CallAs().get(), by_owner, &owned));
  size_t expected = 0;
  for (const auto& c : all) {
    if (c.tier() == all.back().tier() && accounts_by_id_[c.account_id()].owner == "mgr1") ++expected;
  }
  EXPECT_EQ(static_cast<size_t>(owned.classifications_size()), expected);
  crm::v1::ListClassificationsRequest forged;
  forged.set_page_token("not-a-token");
  EXPECT_TRUE(HasCodeAndField(kam_->ListClassifications(CallAs().get(), forged, &owned),
                              grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
}

TEST_P(ReclassifyTest, ASingleAccount) {
  Generate(1, 17, /*first_without_orders=*/false);
  const crm::v1::ReclassifySummary summary = MustReclassify();
  EXPECT_EQ(summary.accounts(), 1);
  ExpectEveryFigure(summary);
  const crm::v1::AccountClassification only = Classification(accounts_by_id_.begin()->first);
  EXPECT_EQ(only.abc_class(), crm::v1::ABC_CLASS_A);  // all the revenue there is
  EXPECT_EQ(only.recency_score(), 1);                  // nobody to beat
}

TEST_P(ReclassifyTest, NoAccountsAtAll) {
  const crm::v1::ReclassifySummary summary = MustReclassify();
  EXPECT_EQ(summary.accounts(), 0);
  EXPECT_EQ(summary.tier_changes(), 0);
}

TEST_P(ReclassifyTest, TwoServersOnOneDatabaseRunTheScheduleOnce) {
  Generate(5, 19);
  testing::TestServer other(*database_);
  ASSERT_TRUE(other.ok()) << other.status();
  other.clock().Set(kAsOf);
  kam::ReclassifyLogic here(server_->runtime());
  kam::ReclassifyLogic there(other.runtime());
  absl::StatusOr<std::optional<crm::v1::ReclassifySummary>> a, b;
  std::thread first([&] { a = here.RunScheduledIfDue(); });
  std::thread second([&] { b = there.RunScheduledIfDue(); });
  first.join();
  second.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(static_cast<int>(a->has_value()) + static_cast<int>(b->has_value()), 1);
  EXPECT_EQ(TierChanges().size(), 5u);
  EXPECT_EQ(TierEvents().size(), 5u);
}

TEST_P(ReclassifyTest, TheServiceDeskFollowsTheNewTier) {
  // One SLA policy per tier, P1 first response in (tier number × 15) minutes.
  crm::v1::CreateCalendarRequest calendar_request;
  calendar_request.mutable_calendar()->set_name("Always");
  calendar_request.mutable_calendar()->set_time_zone("UTC");
  for (int day = 1; day <= 7; ++day) {
    crm::v1::WorkingHours* h = calendar_request.mutable_calendar()->add_hours();
    h->set_weekday(day);
    h->set_start_minute(0);
    h->set_end_minute(24 * 60);
  }
  crm::v1::BusinessCalendar calendar;
  ASSERT_GRPC_OK(desk_->CreateCalendar(CallAs().get(), calendar_request, &calendar));
  std::map<AccountTier, std::string> policy_of;
  for (int t = 1; t <= 4; ++t) {
    const AccountTier tier = static_cast<AccountTier>(t);
    crm::v1::CreateSlaPolicyRequest request;
    request.mutable_policy()->set_name(crm::v1::AccountTier_Name(tier));
    request.mutable_policy()->set_precedence(t);
    request.mutable_policy()->add_tiers(tier);
    request.mutable_policy()->set_calendar_id(calendar.id());
    crm::v1::SlaPriorityTarget* target = request.mutable_policy()->add_targets();
    target->set_priority(crm::v1::TICKET_PRIORITY_P1);
    target->set_first_response_minutes(15 * t);
    target->set_resolution_minutes(60 * t);
    crm::v1::SlaPolicy policy;
    ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), request, &policy));
    policy_of[tier] = policy.id();
  }
  Generate(8, 23);
  // Tickets opened before any account has a tier get no SLA policy.
  std::map<std::string, std::string> ticket_of;
  for (const auto& [id, a] : accounts_by_id_) {
    crm::v1::CreateTicketRequest create;
    create.mutable_ticket()->set_account_id(id);
    create.mutable_ticket()->set_subject("Outage");
    create.mutable_ticket()->set_priority(crm::v1::TICKET_PRIORITY_P1);
    crm::v1::Ticket ticket;
    ASSERT_GRPC_OK(desk_->CreateTicket(CallAs().get(), create, &ticket));
    EXPECT_TRUE(ticket.sla_policy_id().empty());
    ticket_of[id] = ticket.id();
  }
  MustReclassify();
  servicedesk::TicketJobs jobs(server_->runtime());
  absl::StatusOr<int64_t> handled = jobs.CatchUpTierChanges();
  ASSERT_TRUE(handled.ok()) << handled.status();
  for (const auto& [id, ticket_id] : ticket_of) {
    const AccountTier tier = GetAccount(id).tier();
    crm::v1::GetTicketRequest get;
    get.set_id(ticket_id);
    crm::v1::Ticket ticket;
    ASSERT_GRPC_OK(desk_->GetTicket(CallAs().get(), get, &ticket));
    EXPECT_EQ(ticket.account_tier(), tier);
    EXPECT_EQ(ticket.sla_policy_id(), policy_of[tier]) << crm::v1::AccountTier_Name(tier);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReclassifyTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
