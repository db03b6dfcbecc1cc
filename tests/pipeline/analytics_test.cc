// PipelineService GetFunnel through a real in-process server and stub, on every backend. The
// test drives ~60 opportunities through moves that skip and revisit stages, wins, losses and
// reopens (the fake clock advancing between events), records every event it drove, and compares
// each funnel figure with an independent computation over those events.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "services/pipeline/funnel_aggregates.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Funnel;
using crm::v1::Opportunity;
using crm::v1::Pipeline;
using crm::v1::Stage;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownPipelineId[] = "pip_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr double kMicrosPerDay = 86400.0 * 1e6;

crm::v1::Date Date(int64_t day) { return DateFromDayNumber(day); }
crm::v1::Date Ymd(int y, int m, int d) {
  crm::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// What the test drove for one opportunity.
struct Model {
  std::string id;
  std::string owner;
  int account = 0;
  crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_UNSPECIFIED;
  std::string campaign;  // id, or empty
  std::string currency;
  int64_t micros = 0;
  int64_t create_time = 0;
  crm::v1::OpportunityStatus status = crm::v1::OPPORTUNITY_STATUS_OPEN;
  std::string stage_id;
  std::string last_open_stage_id;
  int64_t close_time = 0;
  // Every stage entered, in order, with when.
  std::vector<std::pair<std::string, int64_t>> history;
};

struct AccountInfo {
  std::string id;
  std::string region;
  std::string industry;
};

class AnalyticsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    pipelines_ = crm::v1::PipelineService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    crm::v1::ListPipelinesResponse all;
    ASSERT_GRPC_OK(pipelines_->ListPipelines(CallAs().get(), crm::v1::ListPipelinesRequest(), &all));
    ASSERT_EQ(all.pipelines_size(), 1);
    b2b_ = all.pipelines(0);
    for (int i = 0; i < b2b_.stages_size(); ++i) index_[b2b_.stages(i).id()] = i;
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  int64_t Now() { return ToMicros(server_->clock().Now()); }
  void Advance(absl::Duration d) { server_->clock().Advance(d); }

  void SetRates(const std::vector<std::pair<std::string, std::string>>& rates) {
    crm::v1::UpdateSalesSettingsRequest request;
    for (const auto& [code, rate] : rates) {
      crm::v1::ExchangeRate* r = request.mutable_settings()->add_rates();
      r->set_currency_code(code);
      r->set_rate(rate);
    }
    request.mutable_update_mask()->add_paths("rates");
    crm::v1::SalesSettings out;
    ASSERT_GRPC_OK(pipelines_->UpdateSalesSettings(CallAs().get(), request, &out));
  }

  void AddAccount(const std::string& name, const std::string& region, const std::string& industry) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner("bob");
    request.mutable_account()->set_region(region);
    request.mutable_account()->set_industry(industry);
    crm::v1::Account out;
    ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), request, &out));
    accounts_list_.push_back({out.id(), region, industry});
  }

  const Stage* Named(const std::string& name) const {
    for (const Stage& s : b2b_.stages()) {
      if (s.name() == name) return &s;
    }
    return nullptr;
  }
  std::vector<std::string> OpenStages() const {
    std::vector<std::string> ids;
    for (const Stage& s : b2b_.stages()) {
      if (s.kind() == crm::v1::STAGE_KIND_OPEN && !s.retired()) ids.push_back(s.id());
    }
    return ids;
  }

  grpc::Status GetFunnel(const crm::v1::AnalyticsFilter& filter, Funnel* out) {
    crm::v1::GetFunnelRequest request;
    *request.mutable_filter() = filter;
    return pipelines_->GetFunnel(CallAs().get(), request, out);
  }

  // Drives the whole scenario and fills models_.
  void Generate(int count) {
    SetRates({{"USD", "0.8"}});
    AddAccount("Acme", "EMEA", "Manufacturing");
    AddAccount("Globex", "NA", "Software");
    AddAccount("Initech", "EMEA", "Software");
    if (HasFatalFailure()) return;
    std::mt19937 rng(20260101);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> owners = {"alice", "bob", "carol"};
    const std::vector<crm::v1::LeadChannel> channels = {crm::v1::LEAD_CHANNEL_WEB, crm::v1::LEAD_CHANNEL_EMAIL,
                                                        crm::v1::LEAD_CHANNEL_REFERRAL};
    // Two campaigns; a third of the deals come from each, the rest from none.
    std::vector<std::string> campaigns = {""};
    for (const char* name : {"Spring webinar", "Trade fair"}) {
      crm::v1::CreateCampaignRequest request;
      request.mutable_campaign()->set_name(name);
      request.mutable_campaign()->set_channel(crm::v1::LEAD_CHANNEL_EVENT);
      *request.mutable_campaign()->mutable_start_date() = Ymd(2026, 1, 1);
      *request.mutable_campaign()->mutable_end_date() = Ymd(2026, 12, 31);
      crm::v1::Campaign out;
      ASSERT_GRPC_OK(pipelines_->CreateCampaign(CallAs().get(), request, &out));
      campaigns.push_back(out.id());
    }
    campaigns_ = campaigns;
    const std::vector<std::string> open = OpenStages();
    const std::string won_stage = Named("Won")->id();
    const std::string lost_stage = Named("Lost")->id();

    for (int i = 0; i < count; ++i) {
      // Creations span about three months, so periods mix whole months with single days.
      Advance(absl::Hours(30) + absl::Minutes(pick(300)));
      Model m;
      m.owner = owners[pick(3)];
      m.account = pick(3);
      m.channel = channels[pick(3)];
      m.campaign = campaigns[pick(3)];
      m.currency = pick(2) == 0 ? "EUR" : "USD";
      const int64_t units = 1000 + pick(50000);
      const int32_t cents = pick(100);
      m.micros = units * kMicrosPerUnit + cents * 10000;
      Opportunity o;
      o.set_account_id(accounts_list_[m.account].id);
      o.set_name("Deal " + std::to_string(i));
      *o.mutable_amount() = MoneyFromMicros(m.currency, m.micros);
      o.set_owner(m.owner);
      o.set_source_channel(m.channel);
      o.set_source_campaign_id(m.campaign);
      // Some start further down the funnel (skipping the first stages from the start).
      if (pick(4) == 0) o.set_stage_id(open[1 + pick(static_cast<int>(open.size()) - 1)]);
      crm::v1::CreateOpportunityRequest request;
      *request.mutable_opportunity() = o;
      Opportunity out;
      grpc::Status s = pipelines_->CreateOpportunity(CallAs(m.owner).get(), request, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
      m.id = out.id();
      m.create_time = Now();
      m.stage_id = o.stage_id().empty() ? open[0] : o.stage_id();
      ASSERT_EQ(out.stage_id(), m.stage_id);
      m.last_open_stage_id = m.stage_id;
      m.history.emplace_back(m.stage_id, m.create_time);
      models_.push_back(m);
    }

    for (int step = 0; step < count * 4; ++step) {
      Advance(absl::Minutes(30 + pick(5000)));
      Model& m = models_[pick(static_cast<int>(models_.size()))];
      Opportunity out;
      if (pick(8) == 0) {  // an update the funnel must follow: owner, amount (and currency), channel
        crm::v1::UpdateOpportunityRequest request;
        request.mutable_opportunity()->set_id(m.id);
        const int what = pick(3);
        if (what == 0) {
          m.owner = owners[pick(3)];
          request.mutable_opportunity()->set_owner(m.owner);
          request.mutable_update_mask()->add_paths("owner");
        } else if (what == 1) {
          m.currency = pick(2) == 0 ? "EUR" : "USD";
          m.micros = (1000 + pick(50000)) * kMicrosPerUnit + pick(100) * 10000;
          *request.mutable_opportunity()->mutable_amount() = MoneyFromMicros(m.currency, m.micros);
          request.mutable_update_mask()->add_paths("amount");
        } else {
          m.channel = channels[pick(3)];
          request.mutable_opportunity()->set_source_channel(m.channel);
          request.mutable_update_mask()->add_paths("source_channel");
        }
        grpc::Status s = pipelines_->UpdateOpportunity(CallAs().get(), request, &out);
        ASSERT_TRUE(s.ok()) << s.error_message();
        ++updates_;
        continue;
      }
      if (m.status == crm::v1::OPPORTUNITY_STATUS_OPEN) {
        const int action = pick(10);
        if (action < 6) {  // move anywhere else: forward skips, backward revisits
          std::string to;
          do {
            to = open[pick(static_cast<int>(open.size()))];
          } while (to == m.stage_id);
          crm::v1::MoveOpportunityRequest request;
          request.set_id(m.id);
          request.set_stage_id(to);
          grpc::Status s = pipelines_->MoveOpportunity(CallAs(m.owner).get(), request, &out);
          ASSERT_TRUE(s.ok()) << s.error_message();
          m.stage_id = to;
          m.last_open_stage_id = to;
        } else {
          const bool won = action < 8;
          crm::v1::CloseOpportunityRequest request;
          request.set_id(m.id);
          request.set_won(won);
          if (!won) request.set_lost_reason("price");
          grpc::Status s = pipelines_->CloseOpportunity(CallAs(m.owner).get(), request, &out);
          ASSERT_TRUE(s.ok()) << s.error_message();
          m.status = won ? crm::v1::OPPORTUNITY_STATUS_WON : crm::v1::OPPORTUNITY_STATUS_LOST;
          m.stage_id = won ? won_stage : lost_stage;
          m.close_time = Now();
        }
      } else {
        if (pick(3) != 0) continue;  // most closed deals stay closed
        crm::v1::ReopenOpportunityRequest request;
        request.set_id(m.id);
        grpc::Status s = pipelines_->ReopenOpportunity(CallAs(m.owner).get(), request, &out);
        ASSERT_TRUE(s.ok()) << s.error_message();
        m.status = crm::v1::OPPORTUNITY_STATUS_OPEN;
        m.stage_id = m.last_open_stage_id;
        m.close_time = 0;
      }
      ASSERT_EQ(out.stage_id(), m.stage_id);
      m.history.emplace_back(m.stage_id, Now());
    }
  }

  int64_t ToBase(const std::string& currency, int64_t micros) const {
    return currency == "USD" ? micros * 4 / 5 : micros;  // rate 0.8, amounts in whole cents
  }

  // The funnel computed from the driven events of the opportunities `in_scope` accepts.
  Funnel Expected(const std::function<bool(const Model&)>& in_scope) const {
    Funnel f;
    f.set_pipeline_id(b2b_.id());
    f.set_base_currency("EUR");
    std::vector<const Model*> scoped;
    for (const Model& m : models_) {
      if (in_scope(m)) scoped.push_back(&m);
    }
    auto later = [&](const std::string& from, const std::string& to) {
      const Stage& t = b2b_.stages(index_.at(to));
      if (t.kind() == crm::v1::STAGE_KIND_WON) return true;
      return t.kind() == crm::v1::STAGE_KIND_OPEN && index_.at(to) > index_.at(from);
    };
    int64_t open_count = 0, won = 0, lost = 0;
    __int128 won_micros = 0;
    double cycle_sum = 0;
    for (const Stage& stage : b2b_.stages()) {
      crm::v1::FunnelStage* out = f.add_stages();
      out->set_stage_id(stage.id());
      out->set_stage_name(stage.name());
      out->set_kind(stage.kind());
      int64_t entered = 0, converted = 0, current = 0, visits = 0;
      int64_t visit_micros = 0;
      std::map<std::string, int64_t> by_currency;
      for (const Model* m : scoped) {
        int first = -1;
        for (size_t k = 0; k < m->history.size(); ++k) {
          if (m->history[k].first != stage.id()) continue;
          if (first < 0) first = static_cast<int>(k);
          if (k + 1 < m->history.size()) {
            ++visits;
            visit_micros += m->history[k + 1].second - m->history[k].second;
          }
        }
        if (first >= 0) {
          ++entered;
          for (size_t k = first + 1; k < m->history.size(); ++k) {
            if (later(stage.id(), m->history[k].first)) {
              ++converted;
              break;
            }
          }
        }
        if (m->stage_id == stage.id()) {
          ++current;
          by_currency[m->currency] += m->micros;
        }
      }
      int64_t amount = 0;
      for (const auto& [currency, micros] : by_currency) amount += ToBase(currency, micros);
      out->set_entered(entered);
      out->set_current_count(current);
      *out->mutable_current_amount() = MoneyFromMicros("EUR", amount);
      if (stage.kind() == crm::v1::STAGE_KIND_OPEN && entered > 0) {
        out->set_conversion_to_next(static_cast<double>(converted) / static_cast<double>(entered));
      }
      if (visits > 0) out->set_average_days_in_stage(static_cast<double>(visit_micros) / visits / kMicrosPerDay);
    }
    for (const Model* m : scoped) {
      if (m->status == crm::v1::OPPORTUNITY_STATUS_OPEN) ++open_count;
      if (m->status == crm::v1::OPPORTUNITY_STATUS_WON) {
        ++won;
        won_micros += ToBase(m->currency, m->micros);
      }
      if (m->status == crm::v1::OPPORTUNITY_STATUS_LOST) ++lost;
      if (m->status != crm::v1::OPPORTUNITY_STATUS_OPEN) cycle_sum += static_cast<double>(m->close_time - m->create_time);
    }
    f.set_won(won);
    f.set_lost(lost);
    const double win_rate = won + lost > 0 ? static_cast<double>(won) / (won + lost) : 0.0;
    f.set_win_rate(win_rate);
    int64_t average_won = 0;
    if (won > 0) {
      // Half away from zero (amounts are positive).
      average_won = static_cast<int64_t>((won_micros * 2 + won) / (2 * won));
    }
    *f.mutable_average_won_amount() = MoneyFromMicros("EUR", average_won);
    const double cycle_days = won + lost > 0 ? cycle_sum / (won + lost) / kMicrosPerDay : 0.0;
    f.set_average_cycle_days(cycle_days);
    int64_t velocity = 0;
    if (won > 0 && cycle_days > 0) velocity = std::llround(open_count * static_cast<double>(average_won) * win_rate / cycle_days);
    *f.mutable_velocity_per_day() = MoneyFromMicros("EUR", velocity);
    return f;
  }

  static int64_t Micros(const crm::v1::Money& m) { return m.units() * kMicrosPerUnit + m.nanos() / 1000; }

  static void ExpectNear(double expected, double actual, const std::string& what) {
    EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << what;
  }

  void ExpectFunnel(const Funnel& expected, const Funnel& actual, const std::string& label) {
    SCOPED_TRACE(label);
    EXPECT_EQ(actual.pipeline_id(), expected.pipeline_id());
    EXPECT_EQ(actual.base_currency(), expected.base_currency());
    ASSERT_EQ(actual.stages_size(), expected.stages_size());
    for (int i = 0; i < expected.stages_size(); ++i) {
      const crm::v1::FunnelStage& e = expected.stages(i);
      const crm::v1::FunnelStage& a = actual.stages(i);
      const std::string what = "stage " + e.stage_name();
      EXPECT_EQ(a.stage_id(), e.stage_id()) << what;
      EXPECT_EQ(a.stage_name(), e.stage_name()) << what;
      EXPECT_EQ(a.kind(), e.kind()) << what;
      EXPECT_EQ(a.entered(), e.entered()) << what;
      EXPECT_EQ(a.current_count(), e.current_count()) << what;
      EXPECT_EQ(a.current_amount().currency_code(), "EUR") << what;
      EXPECT_EQ(Micros(a.current_amount()), Micros(e.current_amount())) << what;
      ExpectNear(e.conversion_to_next(), a.conversion_to_next(), what + " conversion");
      ExpectNear(e.average_days_in_stage(), a.average_days_in_stage(), what + " days");
    }
    EXPECT_EQ(actual.won(), expected.won());
    EXPECT_EQ(actual.lost(), expected.lost());
    ExpectNear(expected.win_rate(), actual.win_rate(), "win rate");
    EXPECT_EQ(Micros(actual.average_won_amount()), Micros(expected.average_won_amount()));
    ExpectNear(expected.average_cycle_days(), actual.average_cycle_days(), "cycle");
    EXPECT_NEAR(static_cast<double>(Micros(actual.velocity_per_day())),
                static_cast<double>(Micros(expected.velocity_per_day())), 1.0);
  }

  void CheckFunnel(const crm::v1::AnalyticsFilter& filter, const std::function<bool(const Model&)>& in_scope,
                   const std::string& label) {
    Funnel actual;
    grpc::Status s = GetFunnel(filter, &actual);
    ASSERT_TRUE(s.ok()) << label << ": " << s.error_message();
    ExpectFunnel(Expected(in_scope), actual, label);
  }

  // Changes an account's region and industry, and waits until the funnel has moved its
  // opportunities (the pipeline service follows account changes through the event stream).
  void ChangeAccount(int index, const std::string& region, const std::string& industry) {
    crm::v1::UpdateAccountRequest request;
    request.mutable_account()->set_id(accounts_list_[index].id);
    request.mutable_account()->set_region(region);
    request.mutable_account()->set_industry(industry);
    request.mutable_update_mask()->add_paths("region");
    request.mutable_update_mask()->add_paths("industry");
    crm::v1::Account out;
    ASSERT_GRPC_OK(accounts_->UpdateAccount(CallAs().get(), request, &out));
    accounts_list_[index].region = region;
    accounts_list_[index].industry = industry;
    crm::v1::AnalyticsFilter filter;
    filter.set_region(region);
    filter.set_industry(industry);
    const Funnel expected = Expected([&](const Model& m) {
      return accounts_list_[m.account].region == region && accounts_list_[m.account].industry == industry;
    });
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    for (;;) {
      Funnel actual;
      ASSERT_TRUE(GetFunnel(filter, &actual).ok());
      if (actual.stages(0).entered() == expected.stages(0).entered() && actual.won() == expected.won()) return;
      ASSERT_LT(absl::Now(), give_up) << "the funnel did not follow the account change";
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  // Every row of the funnel aggregate tables that holds something, as text, sorted.
  std::vector<std::string> AggregateRows() {
    std::vector<std::string> rows;
    absl::Status status = server_->runtime().db->Read([&](soci::session& sql) -> absl::Status {
      std::string a, b, c, d, e, g, h;
      long long n[7] = {0, 0, 0, 0, 0, 0, 0};
      {
        soci::statement st = (sql.prepare << "SELECT pipeline_id, dimension, dimension_value, stage_id, grain,"
                                             " created_day, entered, converted, visits, visit_micros, closed, cycle_micros"
                                             " FROM funnel_cube WHERE entered <> 0 OR converted <> 0 OR visits <> 0"
                                             " OR visit_micros <> 0 OR closed <> 0 OR cycle_micros <> 0",
                              soci::into(a), soci::into(b), soci::into(c), soci::into(d), soci::into(g),
                              soci::into(n[0]), soci::into(n[1]), soci::into(n[2]), soci::into(n[3]),
                              soci::into(n[4]), soci::into(n[5]), soci::into(n[6]));
        st.execute(false);
        while (st.fetch()) {
          rows.push_back(absl::StrCat("cube ", a, "|", b, "|", c, "|", d, "|", g, "|", n[0], "|", n[1], "|", n[2], "|",
                                      n[3], "|", n[4], "|", n[5], "|", n[6]));
        }
      }
      {
        soci::statement st = (sql.prepare << "SELECT pipeline_id, dimension, dimension_value, stage_id, grain,"
                                             " currency, created_day, holding_count, amount_micros FROM funnel_holdings"
                                             " WHERE holding_count <> 0 OR amount_micros <> 0",
                              soci::into(a), soci::into(b), soci::into(c), soci::into(d), soci::into(g),
                              soci::into(e), soci::into(n[0]), soci::into(n[1]), soci::into(n[2]));
        st.execute(false);
        while (st.fetch()) {
          rows.push_back(absl::StrCat("hold ", a, "|", b, "|", c, "|", d, "|", g, "|", e, "|", n[0], "|", n[1], "|",
                                      n[2]));
        }
      }
      {
        soci::statement st = (sql.prepare << "SELECT opportunity_id, stage_id, converted, visits, visit_micros"
                                             " FROM funnel_stage_facts",
                              soci::into(a), soci::into(b), soci::into(n[0]), soci::into(n[1]), soci::into(n[2]));
        st.execute(false);
        while (st.fetch()) rows.push_back(absl::StrCat("fact ", a, "|", b, "|", n[0], "|", n[1], "|", n[2]));
      }
      {
        soci::statement st = (sql.prepare << "SELECT opportunity_id, account_id, region, industry, pipeline_id,"
                                             " owner, source_campaign_id, created_day, source_channel"
                                             " FROM funnel_opportunities",
                              soci::into(a), soci::into(b), soci::into(c), soci::into(d), soci::into(e),
                              soci::into(g), soci::into(h), soci::into(n[0]), soci::into(n[1]));
        st.execute(false);
        while (st.fetch()) {
          rows.push_back(absl::StrCat("attr ", a, "|", b, "|", c, "|", d, "|", e, "|", g, "|", h, "|", n[0], "|", n[1]));
        }
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  Pipeline b2b_;
  std::map<std::string, int> index_;
  std::vector<AccountInfo> accounts_list_;
  std::vector<std::string> campaigns_;  // "" (none) and two campaign ids
  std::vector<Model> models_;
  int updates_ = 0;
};

TEST_P(AnalyticsTest, EmptyPipelineIsAllZeros) {
  crm::v1::AnalyticsFilter filter;
  CheckFunnel(filter, [](const Model&) { return true; }, "empty");
}

TEST_P(AnalyticsTest, FunnelMatchesIndependentComputation) {
  Generate(60);
  if (HasFatalFailure()) return;
  // The scenario really covers what it should.
  int reopened = 0, revisits = 0, won = 0, lost = 0;
  for (const Model& m : models_) {
    std::set<std::string> seen;
    for (const auto& [stage, t] : m.history) {
      if (!seen.insert(stage).second) ++revisits;
    }
    if (m.status == crm::v1::OPPORTUNITY_STATUS_WON) ++won;
    if (m.status == crm::v1::OPPORTUNITY_STATUS_LOST) ++lost;
    for (size_t k = 1; k < m.history.size(); ++k) {
      const int from = index_[m.history[k - 1].first];
      if (b2b_.stages(from).kind() != crm::v1::STAGE_KIND_OPEN) ++reopened;
    }
  }
  EXPECT_GT(reopened, 0);
  EXPECT_GT(revisits, 0);
  EXPECT_GT(updates_, 10);
  EXPECT_GT(won, 0);
  EXPECT_GT(lost, 0);

  // The expected figures are not trivial.
  const Funnel expected = Expected([](const Model&) { return true; });
  int partial_conversions = 0, timed_stages = 0;
  for (const crm::v1::FunnelStage& st : expected.stages()) {
    if (st.conversion_to_next() > 0 && st.conversion_to_next() < 1) ++partial_conversions;
    if (st.average_days_in_stage() > 0) ++timed_stages;
  }
  EXPECT_GE(partial_conversions, 3);
  EXPECT_GE(timed_stages, 5);
  EXPECT_GT(Micros(expected.velocity_per_day()), 0);
  EXPECT_GT(expected.average_cycle_days(), 0);

  // Initech moves from EMEA to NA and from Software to Retail: its deals follow.
  ChangeAccount(2, "NA", "Retail");
  if (HasFatalFailure()) return;

  crm::v1::AnalyticsFilter all;
  CheckFunnel(all, [](const Model&) { return true; }, "no filter");
  crm::v1::AnalyticsFilter explicit_pipeline;
  explicit_pipeline.set_pipeline_id(b2b_.id());
  CheckFunnel(explicit_pipeline, [](const Model&) { return true; }, "explicit pipeline");

  crm::v1::AnalyticsFilter by_owner;
  by_owner.set_owner("alice");
  CheckFunnel(by_owner, [](const Model& m) { return m.owner == "alice"; }, "owner");

  crm::v1::AnalyticsFilter by_region;
  by_region.set_region("EMEA");
  CheckFunnel(by_region, [&](const Model& m) { return accounts_list_[m.account].region == "EMEA"; }, "region");

  crm::v1::AnalyticsFilter by_moved_region;
  by_moved_region.set_region("NA");
  CheckFunnel(by_moved_region, [&](const Model& m) { return accounts_list_[m.account].region == "NA"; },
              "region the account moved to");
  crm::v1::AnalyticsFilter by_moved_industry;
  by_moved_industry.set_industry("Retail");
  CheckFunnel(by_moved_industry, [&](const Model& m) { return accounts_list_[m.account].industry == "Retail"; },
              "industry the account moved to");

  crm::v1::AnalyticsFilter by_industry;
  by_industry.set_industry("Software");
  by_industry.set_region("NA");
  CheckFunnel(
      by_industry,
      [&](const Model& m) {
        return accounts_list_[m.account].industry == "Software" && accounts_list_[m.account].region == "NA";
      },
      "industry and region");

  crm::v1::AnalyticsFilter by_channel;
  by_channel.set_source_channel(crm::v1::LEAD_CHANNEL_REFERRAL);
  CheckFunnel(by_channel, [](const Model& m) { return m.channel == crm::v1::LEAD_CHANNEL_REFERRAL; }, "channel");

  // A period over the middle of the creation days (inclusive ends), and open-ended periods.
  const int64_t first_day = DayNumberOf(FromMicros(models_.front().create_time));
  const int64_t last_day = DayNumberOf(FromMicros(models_.back().create_time));
  ASSERT_GT(last_day - first_day, 6);
  const int64_t from = first_day + 2, to = last_day - 3;
  auto day_of = [](const Model& m) { return DayNumberOf(FromMicros(m.create_time)); };
  crm::v1::AnalyticsFilter period;
  *period.mutable_period_start() = Date(from);
  *period.mutable_period_end() = Date(to);
  CheckFunnel(period, [&](const Model& m) { return day_of(m) >= from && day_of(m) <= to; }, "period");
  crm::v1::AnalyticsFilter since;
  *since.mutable_period_start() = Date(from);
  CheckFunnel(since, [&](const Model& m) { return day_of(m) >= from; }, "period start only");
  crm::v1::AnalyticsFilter until;
  *until.mutable_period_end() = Date(to);
  CheckFunnel(until, [&](const Model& m) { return day_of(m) <= to; }, "period end only");
  crm::v1::AnalyticsFilter february;
  *february.mutable_period_start() = Ymd(2026, 2, 1);
  *february.mutable_period_end() = Ymd(2026, 2, 28);
  const int64_t feb1 = *DayNumberFromDate(Ymd(2026, 2, 1), ""), feb28 = *DayNumberFromDate(Ymd(2026, 2, 28), "");
  ASSERT_LT(first_day, feb1);
  ASSERT_GT(last_day, feb28);
  CheckFunnel(february, [&](const Model& m) { return day_of(m) >= feb1 && day_of(m) <= feb28; }, "a whole month");
  crm::v1::AnalyticsFilter one_day;
  *one_day.mutable_period_start() = Date(from);
  *one_day.mutable_period_end() = Date(from);
  CheckFunnel(one_day, [&](const Model& m) { return day_of(m) == from; }, "one day");

  crm::v1::AnalyticsFilter combined;
  combined.set_owner("bob");
  combined.set_source_channel(crm::v1::LEAD_CHANNEL_WEB);
  *combined.mutable_period_start() = Date(from);
  CheckFunnel(
      combined,
      [&](const Model& m) { return m.owner == "bob" && m.channel == crm::v1::LEAD_CHANNEL_WEB && day_of(m) >= from; },
      "combined");

  // Team: the owners listed as members.
  crm::v1::SetTeamRequest team;
  team.mutable_team()->set_id("emea");
  team.mutable_team()->set_name("EMEA");
  team.mutable_team()->set_manager("dora");
  team.mutable_team()->add_members("alice");
  team.mutable_team()->add_members("carol");
  crm::v1::Team team_out;
  ASSERT_GRPC_OK(pipelines_->SetTeam(CallAs().get(), team, &team_out));
  crm::v1::AnalyticsFilter by_team;
  by_team.set_team_id("emea");
  CheckFunnel(by_team, [](const Model& m) { return m.owner == "alice" || m.owner == "carol"; }, "team");

  // Two filters read the pair's month rows and, for the days around whole months, the facts;
  // three or more read the facts. Each with and without a period that mixes both.
  auto region_of = [&](const Model& m) { return accounts_list_[m.account].region; };
  auto in_period = [&](const Model& m) { return day_of(m) >= from && day_of(m) <= to; };
  // An owner whose EMEA deals lie on both sides of the month boundaries of the period, so the
  // pair is read from month rows and from the facts of the days around them.
  std::string pair_owner;
  for (const std::string owner : {"alice", "bob", "carol"}) {
    int in_february = 0, outside = 0;
    for (const Model& m : models_) {
      if (m.owner != owner || region_of(m) != "EMEA" || !in_period(m)) continue;
      (day_of(m) >= feb1 && day_of(m) <= feb28 ? in_february : outside) += 1;
    }
    if (in_february > 0 && outside > 0) {
      pair_owner = owner;
      break;
    }
  }
  ASSERT_FALSE(pair_owner.empty()) << "no owner with EMEA deals inside and outside February";
  crm::v1::AnalyticsFilter owner_region;
  owner_region.set_owner(pair_owner);
  owner_region.set_region("EMEA");
  CheckFunnel(owner_region, [&](const Model& m) { return m.owner == pair_owner && region_of(m) == "EMEA"; },
              "owner and region");
  *owner_region.mutable_period_start() = Date(from);
  *owner_region.mutable_period_end() = Date(to);
  CheckFunnel(
      owner_region,
      [&](const Model& m) { return m.owner == pair_owner && region_of(m) == "EMEA" && in_period(m); },
      "owner and region in a period");
  crm::v1::AnalyticsFilter team_channel = by_team;
  team_channel.set_source_channel(crm::v1::LEAD_CHANNEL_WEB);
  *team_channel.mutable_period_start() = Date(from);
  *team_channel.mutable_period_end() = Date(to);
  CheckFunnel(
      team_channel,
      [&](const Model& m) {
        return (m.owner == "alice" || m.owner == "carol") && m.channel == crm::v1::LEAD_CHANNEL_WEB && in_period(m);
      },
      "team and channel in a period");
  crm::v1::AnalyticsFilter industry_channel_day;
  industry_channel_day.set_industry("Software");
  industry_channel_day.set_source_channel(crm::v1::LEAD_CHANNEL_REFERRAL);
  *industry_channel_day.mutable_period_start() = Date(from);
  *industry_channel_day.mutable_period_end() = Date(from + 3);
  CheckFunnel(
      industry_channel_day,
      [&](const Model& m) {
        return accounts_list_[m.account].industry == "Software" && m.channel == crm::v1::LEAD_CHANNEL_REFERRAL &&
               day_of(m) >= from && day_of(m) <= from + 3;
      },
      "industry and channel over a few days");
  crm::v1::AnalyticsFilter three = owner_region;
  three.set_owner("bob");
  three.set_source_channel(crm::v1::LEAD_CHANNEL_WEB);
  CheckFunnel(
      three,
      [&](const Model& m) {
        return m.owner == "bob" && region_of(m) == "EMEA" && m.channel == crm::v1::LEAD_CHANNEL_WEB && in_period(m);
      },
      "three filters in a period");
  // Region + industry + channel: a combination the cube keeps.
  crm::v1::AnalyticsFilter low_cardinality;
  low_cardinality.set_region("EMEA");
  low_cardinality.set_industry("Manufacturing");
  low_cardinality.set_source_channel(crm::v1::LEAD_CHANNEL_EMAIL);
  const auto low_cardinality_match = [&](const Model& m) {
    return region_of(m) == "EMEA" && accounts_list_[m.account].industry == "Manufacturing" &&
           m.channel == crm::v1::LEAD_CHANNEL_EMAIL;
  };
  CheckFunnel(low_cardinality, low_cardinality_match, "region, industry and channel");
  *low_cardinality.mutable_period_start() = Date(from);
  *low_cardinality.mutable_period_end() = Date(to);
  CheckFunnel(
      low_cardinality, [&](const Model& m) { return low_cardinality_match(m) && in_period(m); },
      "region, industry and channel in a period");
  // A campaign alone, with an owner (a pair), and with two more filters (the facts, found
  // through the campaign index).
  ASSERT_EQ(campaigns_.size(), 3u);
  const std::string campaign = campaigns_[1];
  crm::v1::AnalyticsFilter by_campaign;
  by_campaign.set_source_campaign_id(campaign);
  CheckFunnel(by_campaign, [&](const Model& m) { return m.campaign == campaign; }, "campaign");
  crm::v1::AnalyticsFilter campaign_owner = by_campaign;
  campaign_owner.set_owner("bob");
  *campaign_owner.mutable_period_start() = Date(from);
  *campaign_owner.mutable_period_end() = Date(to);
  CheckFunnel(
      campaign_owner, [&](const Model& m) { return m.campaign == campaign && m.owner == "bob" && in_period(m); },
      "campaign and owner in a period");
  crm::v1::AnalyticsFilter campaign_three = campaign_owner;
  campaign_three.set_region("EMEA");
  CheckFunnel(
      campaign_three,
      [&](const Model& m) {
        return m.campaign == campaign && m.owner == "bob" && region_of(m) == "EMEA" && in_period(m);
      },
      "campaign, owner and region in a period");
  // Four filters with an owner: the facts, found through the owner index.
  crm::v1::AnalyticsFilter four = low_cardinality;
  four.set_owner("alice");
  CheckFunnel(
      four, [&](const Model& m) { return low_cardinality_match(m) && m.owner == "alice" && in_period(m); },
      "four filters in a period");
  crm::v1::AnalyticsFilter team_region_industry = by_team;
  team_region_industry.set_region("EMEA");
  team_region_industry.set_industry("Manufacturing");
  CheckFunnel(
      team_region_industry,
      [&](const Model& m) {
        return (m.owner == "alice" || m.owner == "carol") && region_of(m) == "EMEA" &&
               accounts_list_[m.account].industry == "Manufacturing";
      },
      "team, region and industry");
  // A team with three more filters: the facts, sought per member through the owner index.
  crm::v1::AnalyticsFilter team_four = team_region_industry;
  team_four.set_source_channel(crm::v1::LEAD_CHANNEL_EMAIL);
  CheckFunnel(
      team_four,
      [&](const Model& m) { return (m.owner == "alice" || m.owner == "carol") && low_cardinality_match(m); },
      "team with three more filters");

  crm::v1::AnalyticsFilter nobody;
  nobody.set_owner("nobody");
  CheckFunnel(nobody, [](const Model&) { return false; }, "no match");
}

TEST_P(AnalyticsTest, AmountWithoutRateIsFailedPrecondition) {
  crm::v1::CreateAccountRequest account;
  account.mutable_account()->set_name("Acme");
  account.mutable_account()->set_owner("bob");
  crm::v1::Account created;
  ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), account, &created));
  crm::v1::CreateOpportunityRequest request;
  request.mutable_opportunity()->set_account_id(created.id());
  request.mutable_opportunity()->set_name("Pound deal");
  *request.mutable_opportunity()->mutable_amount() = MoneyFromMicros("GBP", 1000 * kMicrosPerUnit);
  Opportunity out;
  ASSERT_GRPC_OK(pipelines_->CreateOpportunity(CallAs().get(), request, &out));
  Funnel funnel;
  EXPECT_TRUE(HasCodeAndField(GetFunnel(crm::v1::AnalyticsFilter(), &funnel), grpc::StatusCode::FAILED_PRECONDITION,
                              "opportunity.amount.currency_code"));
  // Out of scope, it does not matter.
  crm::v1::AnalyticsFilter other_owner;
  other_owner.set_owner("somebody-else");
  EXPECT_GRPC_OK(GetFunnel(other_owner, &funnel));
}

TEST_P(AnalyticsTest, BadFiltersNameTheField) {
  struct Case {
    std::string what;
    std::function<void(crm::v1::AnalyticsFilter&)> set;
    grpc::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"unknown pipeline", [](crm::v1::AnalyticsFilter& f) { f.set_pipeline_id(kUnknownPipelineId); },
       grpc::StatusCode::NOT_FOUND, "filter.pipeline_id"},
      {"start after end",
       [](crm::v1::AnalyticsFilter& f) {
         *f.mutable_period_start() = Ymd(2026, 3, 2);
         *f.mutable_period_end() = Ymd(2026, 3, 1);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_end"},
      {"invalid start",
       [](crm::v1::AnalyticsFilter& f) { *f.mutable_period_start() = Ymd(2026, 2, 30); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_start"},
      {"invalid end",
       [](crm::v1::AnalyticsFilter& f) { *f.mutable_period_end() = Ymd(2026, 13, 1); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_end"},
      {"unknown channel",
       [](crm::v1::AnalyticsFilter& f) { f.set_source_channel(static_cast<crm::v1::LeadChannel>(99)); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.source_channel"},
      {"unknown team", [](crm::v1::AnalyticsFilter& f) { f.set_team_id("no-such-team"); },
       grpc::StatusCode::NOT_FOUND, "filter.team_id"},
      {"owner and team",
       [](crm::v1::AnalyticsFilter& f) {
         f.set_owner("alice");
         f.set_team_id("x");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.team_id"},
      {"unknown campaign", [](crm::v1::AnalyticsFilter& f) { f.set_source_campaign_id("cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV"); },
       grpc::StatusCode::NOT_FOUND, "filter.source_campaign_id"},
  };
  for (const Case& c : cases) {
    crm::v1::AnalyticsFilter filter;
    c.set(filter);
    Funnel out;
    EXPECT_TRUE(HasCodeAndField(GetFunnel(filter, &out), c.code, c.field)) << c.what;
  }
}

// The aggregates kept change by change equal the ones recomputed from the history at the end.
TEST_P(AnalyticsTest, MaintainedAggregatesEqualARebuild) {
  Generate(40);
  if (HasFatalFailure()) return;
  ChangeAccount(0, "APAC", "Software");
  if (HasFatalFailure()) return;
  const std::vector<std::string> maintained = AggregateRows();
  ASSERT_GT(maintained.size(), 100u);
  ASSERT_TRUE(crm::pipeline::RebuildFunnelAggregates(*server_->runtime().db).ok());
  const std::vector<std::string> rebuilt = AggregateRows();
  EXPECT_EQ(maintained, rebuilt);
  // And the funnel still answers the same after the rebuild.
  CheckFunnel(crm::v1::AnalyticsFilter(), [](const Model&) { return true; }, "after rebuild");
}

// A database from before the funnel aggregates (no tables, no record of their migrations) gets
// them from its history when the server starts: the same rows as kept change by change.
TEST_P(AnalyticsTest, UpgradedDatabaseGetsItsAggregatesFromHistory) {
  Generate(30);
  if (HasFatalFailure()) return;
  const std::vector<std::string> maintained = AggregateRows();
  ASSERT_GT(maintained.size(), 100u);
  absl::Status dropped = server_->runtime().db->Write([](crm::db::Tx& tx) -> absl::Status {
    for (const char* table : {"funnel_cube", "funnel_holdings", "funnel_stage_facts", "funnel_opportunities"}) {
      tx.session() << "DROP TABLE " << table;
    }
    tx.session() << "DELETE FROM schema_migrations WHERE module = 'pipeline.analytics'";
    return absl::OkStatus();
  });
  ASSERT_TRUE(dropped.ok()) << dropped;
  server_.reset();
  server_ = std::make_unique<testing::TestServer>(*database_);
  ASSERT_TRUE(server_->ok()) << server_->status();
  pipelines_ = crm::v1::PipelineService::NewStub(server_->channel());
  accounts_ = crm::v1::AccountService::NewStub(server_->channel());
  EXPECT_EQ(AggregateRows(), maintained);
  crm::v1::AnalyticsFilter owner_channel;
  owner_channel.set_owner("carol");
  owner_channel.set_source_channel(crm::v1::LEAD_CHANNEL_EMAIL);
  CheckFunnel(
      owner_channel, [](const Model& m) { return m.owner == "carol" && m.channel == crm::v1::LEAD_CHANNEL_EMAIL; },
      "owner and channel after the upgrade");
}

// Conversions are judged by the stage order in force when the later stage is entered:
// reordering the stages afterwards does not rewrite them, and new moves follow the new order.
TEST_P(AnalyticsTest, ReorderingStagesKeepsCountedConversions) {
  const std::vector<std::string> open = OpenStages();
  ASSERT_GE(open.size(), 3u);
  AddAccount("Acme", "EMEA", "Manufacturing");
  if (HasFatalFailure()) return;
  crm::v1::CreateOpportunityRequest create;
  create.mutable_opportunity()->set_account_id(accounts_list_[0].id);
  create.mutable_opportunity()->set_name("Deal");
  Opportunity deal;
  ASSERT_GRPC_OK(pipelines_->CreateOpportunity(CallAs().get(), create, &deal));
  Advance(absl::Hours(1));
  crm::v1::MoveOpportunityRequest move;
  move.set_id(deal.id());
  move.set_stage_id(open[1]);
  ASSERT_GRPC_OK(pipelines_->MoveOpportunity(CallAs().get(), move, &deal));

  auto conversion_of = [&](const std::string& stage_id) {
    Funnel f;
    EXPECT_TRUE(GetFunnel(crm::v1::AnalyticsFilter(), &f).ok());
    for (const crm::v1::FunnelStage& st : f.stages()) {
      if (st.stage_id() == stage_id) return st.conversion_to_next();
    }
    ADD_FAILURE() << "no stage " << stage_id;
    return -1.0;
  };
  EXPECT_EQ(conversion_of(open[0]), 1.0);

  // Swap the first two open stages: the move already counted stays counted.
  crm::v1::UpdatePipelineRequest reorder;
  *reorder.mutable_pipeline() = b2b_;
  reorder.mutable_pipeline()->mutable_stages()->SwapElements(0, 1);
  reorder.mutable_update_mask()->add_paths("stages");
  Pipeline reordered;
  ASSERT_GRPC_OK(pipelines_->UpdatePipeline(CallAs().get(), reorder, &reordered));
  ASSERT_EQ(reordered.stages(0).id(), open[1]);
  EXPECT_EQ(conversion_of(open[0]), 1.0);
  // Now open[1] is first: moving on to open[2] converts it under the new order.
  EXPECT_EQ(conversion_of(open[1]), 0.0);
  Advance(absl::Hours(1));
  move.set_stage_id(open[2]);
  ASSERT_GRPC_OK(pipelines_->MoveOpportunity(CallAs().get(), move, &deal));
  EXPECT_EQ(conversion_of(open[1]), 1.0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
