// PipelineService GetForecast, GetOwnerPerformance and GetTargetGroupDistribution through a real
// in-process server and stub, on every backend. The test drives a few hundred opportunities (a
// seeded RNG: owners, currencies with awkward rates, company and person accounts, sources,
// probabilities, expected close dates, wins, losses, reopens, the fake clock moving months
// ahead), records what it drove, and compares every figure of each report with an independent
// computation over that record, with and without filters; plus hand-computed cases for the
// money rounding and the period list, and bad input.
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

#include "absl/time/civil_time.h"
#include "common/core/date_util.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Opportunity;
using crm::v1::Pipeline;
using crm::v1::Stage;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownPipelineId[] = "pip_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownCampaignId[] = "cmp_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr int64_t kMicrosPerDayInt = 86400LL * 1000000LL;
constexpr double kMicrosPerDay = 86400.0 * 1e6;

// ---- Independent calendar and money arithmetic (absl civil time, 128-bit integers) ----

const absl::CivilDay kEpoch(1970, 1, 1);
int64_t DayOf(absl::CivilDay d) { return d - kEpoch; }
absl::CivilDay CivilOf(int64_t day) { return kEpoch + day; }
int64_t Ymd(int y, int m, int d) { return DayOf(absl::CivilDay(y, m, d)); }
crm::v1::Date DateOf(int64_t day) {
  const absl::CivilDay d = CivilOf(day);
  crm::v1::Date date;
  date.set_year(static_cast<int32_t>(d.year()));
  date.set_month(d.month());
  date.set_day(d.day());
  return date;
}
crm::v1::Date RawDate(int y, int m, int d) {
  crm::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}
// First day of the month / quarter holding `day`, and of the one after.
int64_t PeriodStartOf(int64_t day, bool quarter) {
  const absl::CivilDay d = CivilOf(day);
  const int month = quarter ? (d.month() - 1) / 3 * 3 + 1 : d.month();
  return DayOf(absl::CivilDay(d.year(), month, 1));
}
int64_t NextPeriod(int64_t start, bool quarter) {
  return DayOf(absl::CivilDay(absl::CivilMonth(CivilOf(start)) + (quarter ? 3 : 1)));
}
int64_t UtcDayOfMicros(int64_t micros) { return micros / kMicrosPerDayInt; }  // times are after 1970

// value / divisor rounded half away from zero.
__int128 RoundDiv(__int128 value, __int128 divisor) {
  const bool negative = value < 0;
  const __int128 magnitude = negative ? -value : value;
  const __int128 q = (2 * magnitude + divisor) / (2 * divisor);
  return negative ? -q : q;
}

// Rates as configured below, scaled by 1e12.
const std::map<std::string, __int128> kRates = {
    {"EUR", 1000000000000}, {"USD", 800000000000}, {"GBP", 1172345678901}};

using PerCurrency = std::map<std::string, __int128>;

// Σ over currencies of (sum / divisor, rounded) converted and rounded.
int64_t ToBase(const PerCurrency& sums, int64_t divisor = 1) {
  __int128 total = 0;
  for (const auto& [currency, sum] : sums) {
    const __int128 in_currency = RoundDiv(sum, divisor);
    total += RoundDiv(in_currency * kRates.at(currency), 1000000000000);
  }
  return static_cast<int64_t>(total);
}

int64_t Micros(const crm::v1::Money& m) { return m.units() * kMicrosPerUnit + m.nanos() / 1000; }

void ExpectNear(double expected, double actual, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << what;
}

void ExpectMoney(int64_t expected_micros, const crm::v1::Money& actual, const std::string& what) {
  EXPECT_EQ(actual.currency_code(), "EUR") << what;
  EXPECT_EQ(Micros(actual), expected_micros) << what;
}

void ExpectDate(int64_t expected_day, const crm::v1::Date& actual, const std::string& what) {
  const crm::v1::Date e = DateOf(expected_day);
  EXPECT_TRUE(actual.year() == e.year() && actual.month() == e.month() && actual.day() == e.day())
      << what << ": " << actual.ShortDebugString() << " != " << e.ShortDebugString();
}

// ---- What the test drove ----

struct AccountSpec {
  std::string name;
  crm::v1::AccountKind kind = crm::v1::ACCOUNT_KIND_COMPANY;
  std::string industry;
  std::string region;
  crm::v1::SizeBand size_band = crm::v1::SIZE_BAND_UNSPECIFIED;
  std::string profession;
  crm::v1::AgeBand age_band = crm::v1::AGE_BAND_UNSPECIFIED;
  std::string id;
};

struct Opp {
  std::string id;
  std::string owner;
  int account = 0;
  crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_UNSPECIFIED;
  int campaign = -1;
  std::string currency;  // "" without an amount
  int64_t micros = 0;
  int probability = 0;
  std::optional<int64_t> expected_day;
  crm::v1::OpportunityStatus status = crm::v1::OPPORTUNITY_STATUS_OPEN;
  std::string stage_id;
  std::string last_open_stage_id;
  int64_t create_time = 0;
  int64_t close_time = 0;
};

struct TargetSpec {
  std::string owner;
  std::string team;
  int64_t start = 0;
  int64_t end = 0;
  std::string currency;
  int64_t micros = 0;
};

// One filter, as the test states it: turned into an AnalyticsFilter and into a predicate.
struct Scope {
  std::string label;
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  std::string owner;
  std::string team;
  std::string region;
  std::string industry;
  crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_UNSPECIFIED;
  int campaign = -1;
  bool explicit_pipeline = false;
};

class ReportTest : public ::testing::TestWithParam<std::string> {
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
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  int64_t Now() { return ToMicros(server_->clock().Now()); }
  int64_t Today() { return UtcDayOfMicros(Now()); }
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

  void AddAccount(AccountSpec spec) {
    crm::v1::CreateAccountRequest request;
    crm::v1::Account* a = request.mutable_account();
    a->set_name(spec.name);
    a->set_kind(spec.kind);
    a->set_owner("bob");
    a->set_industry(spec.industry);
    a->set_region(spec.region);
    a->set_size_band(spec.size_band);
    a->set_profession(spec.profession);
    a->set_age_band(spec.age_band);
    crm::v1::Account out;
    ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), request, &out));
    spec.id = out.id();
    accounts_list_.push_back(spec);
  }

  std::string AddCampaign(const std::string& name, crm::v1::LeadChannel channel) {
    crm::v1::CreateCampaignRequest request;
    request.mutable_campaign()->set_name(name);
    request.mutable_campaign()->set_channel(channel);
    crm::v1::Campaign out;
    grpc::Status s = pipelines_->CreateCampaign(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  void SetTeam(const std::string& id, const std::vector<std::string>& members) {
    crm::v1::SetTeamRequest request;
    request.mutable_team()->set_id(id);
    request.mutable_team()->set_name(id);
    request.mutable_team()->set_manager("mona");
    for (const std::string& m : members) request.mutable_team()->add_members(m);
    crm::v1::Team out;
    ASSERT_GRPC_OK(pipelines_->SetTeam(CallAs().get(), request, &out));
    teams_[id] = std::set<std::string>(members.begin(), members.end());
  }

  void AddTarget(const TargetSpec& t) {
    crm::v1::SetTargetRequest request;
    crm::v1::Target* target = request.mutable_target();
    target->set_owner(t.owner);
    target->set_team_id(t.team);
    *target->mutable_period_start() = DateOf(t.start);
    *target->mutable_period_end() = DateOf(t.end);
    *target->mutable_quota() = MoneyFromMicros(t.currency, t.micros);
    crm::v1::Target out;
    ASSERT_GRPC_OK(pipelines_->SetTarget(CallAs().get(), request, &out));
    targets_.push_back(t);
  }

  const Stage& Named(const std::string& name) const {
    for (const Stage& s : b2b_.stages()) {
      if (s.name() == name) return s;
    }
    ADD_FAILURE() << "no stage " << name;
    return b2b_.stages(0);
  }
  int DefaultProbability(const std::string& stage_id) const {
    for (const Stage& s : b2b_.stages()) {
      if (s.id() == stage_id) return s.probability();
    }
    ADD_FAILURE() << "no stage " << stage_id;
    return 0;
  }
  std::vector<std::string> OpenStages() const {
    std::vector<std::string> ids;
    for (const Stage& s : b2b_.stages()) {
      if (s.kind() == crm::v1::STAGE_KIND_OPEN && !s.retired()) ids.push_back(s.id());
    }
    return ids;
  }

  // Creates one opportunity now as `o` describes and records it.
  void Create(Opp o, const std::string& stage_id) {
    Opportunity in;
    in.set_account_id(accounts_list_[o.account].id);
    in.set_name("Deal " + std::to_string(opps_.size()));
    if (!o.currency.empty()) *in.mutable_amount() = MoneyFromMicros(o.currency, o.micros);
    in.set_owner(o.owner);
    in.set_source_channel(o.channel);
    if (o.campaign >= 0) in.set_source_campaign_id(campaigns_[o.campaign]);
    in.set_probability(o.probability);
    in.set_stage_id(stage_id);
    if (o.expected_day.has_value()) *in.mutable_expected_close_date() = DateOf(*o.expected_day);
    crm::v1::CreateOpportunityRequest request;
    *request.mutable_opportunity() = in;
    Opportunity out;
    grpc::Status s = pipelines_->CreateOpportunity(CallAs(o.owner).get(), request, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    o.id = out.id();
    o.create_time = Now();
    o.stage_id = stage_id;
    o.last_open_stage_id = stage_id;
    if (o.probability == 0) o.probability = DefaultProbability(stage_id);
    ASSERT_EQ(out.probability(), o.probability);
    opps_.push_back(o);
  }

  void Close(Opp& o, bool won) {
    crm::v1::CloseOpportunityRequest request;
    request.set_id(o.id);
    request.set_won(won);
    if (!won) request.set_lost_reason("price");
    Opportunity out;
    grpc::Status s = pipelines_->CloseOpportunity(CallAs(o.owner).get(), request, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    o.status = won ? crm::v1::OPPORTUNITY_STATUS_WON : crm::v1::OPPORTUNITY_STATUS_LOST;
    o.stage_id = won ? Named("Won").id() : Named("Lost").id();
    o.close_time = Now();
  }

  // The whole scenario: accounts, campaigns, teams, targets and `count` opportunities driven
  // through moves, closes and reopens over more than a year of simulated time.
  void Generate(int count) {
    SetRates({{"USD", "0.8"}, {"GBP", "1.172345678901"}});
    using crm::v1::ACCOUNT_KIND_PERSON;
    AddAccount({"Acme", crm::v1::ACCOUNT_KIND_COMPANY, "Manufacturing", "EMEA", crm::v1::SIZE_BAND_LARGE});
    AddAccount({"Globex", crm::v1::ACCOUNT_KIND_COMPANY, "Software", "NA", crm::v1::SIZE_BAND_MEDIUM});
    AddAccount({"Initech", crm::v1::ACCOUNT_KIND_COMPANY, "Software", "EMEA", crm::v1::SIZE_BAND_SMALL});
    AddAccount({"Umbrella", crm::v1::ACCOUNT_KIND_COMPANY, "", "APAC", crm::v1::SIZE_BAND_ENTERPRISE});
    AddAccount({"Hooli", crm::v1::ACCOUNT_KIND_COMPANY, "Retail", "", crm::v1::SIZE_BAND_UNSPECIFIED});
    AddAccount({"Ann", ACCOUNT_KIND_PERSON, "Consumer", "EMEA", crm::v1::SIZE_BAND_UNSPECIFIED, "engineer",
                crm::v1::AGE_BAND_25_34});
    AddAccount({"Ben", ACCOUNT_KIND_PERSON, "Consumer", "NA", crm::v1::SIZE_BAND_UNSPECIFIED, "teacher",
                crm::v1::AGE_BAND_45_54});
    AddAccount({"Cy", ACCOUNT_KIND_PERSON, "", "EMEA", crm::v1::SIZE_BAND_MICRO, "", crm::v1::AGE_BAND_UNSPECIFIED});
    AddAccount({"Di", ACCOUNT_KIND_PERSON, "Software", "APAC", crm::v1::SIZE_BAND_UNSPECIFIED, "engineer",
                crm::v1::AGE_BAND_65_PLUS});
    campaigns_.push_back(AddCampaign("Spring fair", crm::v1::LEAD_CHANNEL_EVENT));
    campaigns_.push_back(AddCampaign("Newsletter", crm::v1::LEAD_CHANNEL_EMAIL));
    SetTeam("emea", {"alice", "carol", "dave"});
    // Owner targets (months, quarters, an odd period, a zero quota, overlapping ones) and a team
    // target that owner performance must leave out.
    for (int month = 1; month <= 6; ++month) {
      AddTarget({"alice", "", Ymd(2026, month, 1), DayOf(absl::CivilDay(absl::CivilMonth(2026, month) + 1)) - 1,
                 "EUR", 150000 * kMicrosPerUnit + 123457 * month});
    }
    AddTarget({"alice", "", Ymd(2026, 4, 1), Ymd(2026, 6, 30), "USD", 400000 * kMicrosPerUnit + 1});
    AddTarget({"bob", "", Ymd(2026, 1, 1), Ymd(2026, 3, 31), "USD", 500000 * kMicrosPerUnit + 777});
    AddTarget({"bob", "", Ymd(2026, 4, 1), Ymd(2026, 6, 30), "USD", 550000 * kMicrosPerUnit});
    AddTarget({"carol", "", Ymd(2026, 2, 15), Ymd(2026, 5, 14), "GBP", 300000 * kMicrosPerUnit + 333333});
    AddTarget({"dave", "", Ymd(2026, 3, 1), Ymd(2026, 3, 31), "EUR", 90000 * kMicrosPerUnit});
    AddTarget({"erin", "", Ymd(2026, 4, 1), Ymd(2026, 4, 30), "EUR", 0});
    AddTarget({"", "emea", Ymd(2026, 1, 1), Ymd(2026, 3, 31), "EUR", 9000000 * kMicrosPerUnit});
    if (HasFatalFailure()) return;

    std::mt19937 rng(20260417);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> owners = {"alice", "bob", "carol", "erin"};
    const std::vector<crm::v1::LeadChannel> channels = {crm::v1::LEAD_CHANNEL_WEB, crm::v1::LEAD_CHANNEL_EMAIL,
                                                        crm::v1::LEAD_CHANNEL_REFERRAL};
    const std::vector<std::string> currencies = {"EUR", "USD", "GBP"};
    const std::vector<std::string> open = OpenStages();

    int created = 0;
    while (created < count) {
      Advance(absl::Hours(2 + pick(30)) + absl::Minutes(pick(60)));
      if (opps_.empty() || pick(2) == 0) {
        Opp o;
        o.owner = owners[pick(static_cast<int>(owners.size()))];
        o.account = pick(static_cast<int>(accounts_list_.size()));
        o.channel = channels[pick(3)];
        if (pick(3) == 0) o.campaign = pick(2);
        if (pick(15) != 0) {
          o.currency = currencies[pick(3)];
          o.micros = (1 + pick(90000)) * kMicrosPerUnit + pick(1000000);
        }
        o.probability = pick(4) == 0 ? 0 : pick(101);  // 0: the stage's default
        if (pick(8) != 0) o.expected_day = Today() + pick(240);
        Create(o, open[pick(static_cast<int>(open.size()))]);
        ++created;
      } else {
        Opp& o = opps_[pick(static_cast<int>(opps_.size()))];
        if (o.status == crm::v1::OPPORTUNITY_STATUS_OPEN) {
          const int action = pick(10);
          if (action < 5) {
            Close(o, action < 3);
          } else if (action < 8) {
            std::string to;
            do {
              to = open[pick(static_cast<int>(open.size()))];
            } while (to == o.stage_id);
            crm::v1::MoveOpportunityRequest request;
            request.set_id(o.id);
            request.set_stage_id(to);
            int probability = DefaultProbability(to);
            if (pick(2) == 0) {
              probability = pick(101);
              request.set_probability(probability);
            }
            Opportunity out;
            grpc::Status s = pipelines_->MoveOpportunity(CallAs(o.owner).get(), request, &out);
            ASSERT_TRUE(s.ok()) << s.error_message();
            o.stage_id = to;
            o.last_open_stage_id = to;
            o.probability = probability;
            ASSERT_EQ(out.probability(), o.probability);
          }
        } else if (pick(6) == 0) {
          crm::v1::ReopenOpportunityRequest request;
          request.set_id(o.id);
          Opportunity out;
          grpc::Status s = pipelines_->ReopenOpportunity(CallAs(o.owner).get(), request, &out);
          ASSERT_TRUE(s.ok()) << s.error_message();
          o.status = crm::v1::OPPORTUNITY_STATUS_OPEN;
          o.stage_id = o.last_open_stage_id;
          o.probability = DefaultProbability(o.stage_id);
          o.close_time = 0;
          ++reopened_;
          ASSERT_EQ(out.stage_id(), o.stage_id);
          ASSERT_EQ(out.probability(), o.probability);
        }
      }
      if (HasFatalFailure()) return;
    }
  }

  // ---- Scopes ----

  crm::v1::AnalyticsFilter FilterOf(const Scope& s) const {
    crm::v1::AnalyticsFilter f;
    if (s.from.has_value()) *f.mutable_period_start() = DateOf(*s.from);
    if (s.to.has_value()) *f.mutable_period_end() = DateOf(*s.to);
    if (s.explicit_pipeline) f.set_pipeline_id(b2b_.id());
    f.set_owner(s.owner);
    f.set_team_id(s.team);
    f.set_region(s.region);
    f.set_industry(s.industry);
    f.set_source_channel(s.channel);
    if (s.campaign >= 0) f.set_source_campaign_id(campaigns_[s.campaign]);
    return f;
  }
  // Every filter but the period.
  bool Matches(const Scope& s, const Opp& o) const {
    const AccountSpec& a = accounts_list_[o.account];
    if (!s.owner.empty() && o.owner != s.owner) return false;
    if (!s.team.empty() && teams_.at(s.team).count(o.owner) == 0) return false;
    if (!s.region.empty() && a.region != s.region) return false;
    if (!s.industry.empty() && a.industry != s.industry) return false;
    if (s.channel != crm::v1::LEAD_CHANNEL_UNSPECIFIED && o.channel != s.channel) return false;
    if (s.campaign >= 0 && o.campaign != s.campaign) return false;
    return true;
  }
  static bool InPeriod(const Scope& s, int64_t day) {
    return (!s.from.has_value() || day >= *s.from) && (!s.to.has_value() || day <= *s.to);
  }
  static int64_t CloseDay(const Opp& o) { return UtcDayOfMicros(o.close_time); }
  static bool IsClosed(const Opp& o) {
    return o.status == crm::v1::OPPORTUNITY_STATUS_WON || o.status == crm::v1::OPPORTUNITY_STATUS_LOST;
  }

  // The scopes every report is checked under (after Generate).
  std::vector<Scope> Scopes() const {
    std::vector<Scope> scopes;
    auto add = [&](Scope s) { scopes.push_back(std::move(s)); };
    add({"no filter"});
    Scope explicit_pipeline{"explicit pipeline"};
    explicit_pipeline.explicit_pipeline = true;
    add(explicit_pipeline);
    add({"period, partial months", Ymd(2026, 2, 10), Ymd(2026, 8, 20)});
    add({"period, one quarter", Ymd(2026, 4, 1), Ymd(2026, 6, 30)});
    add({"period, one month", Ymd(2026, 3, 1), Ymd(2026, 3, 31)});
    add({"period, one day", Ymd(2026, 5, 12), Ymd(2026, 5, 12)});
    add({"period start only", Ymd(2026, 6, 1), std::nullopt});
    add({"period end only", std::nullopt, Ymd(2026, 5, 31)});
    add({"period beyond the data", Ymd(2025, 11, 15), Ymd(2028, 2, 1)});
    Scope owner{"owner"};
    owner.owner = "alice";
    add(owner);
    Scope team{"team"};
    team.team = "emea";
    add(team);
    Scope region{"region"};
    region.region = "EMEA";
    add(region);
    Scope industry{"industry"};
    industry.industry = "Software";
    add(industry);
    Scope channel{"channel"};
    channel.channel = crm::v1::LEAD_CHANNEL_REFERRAL;
    add(channel);
    Scope campaign{"campaign"};
    campaign.campaign = 0;
    add(campaign);
    Scope combined{"team, region and period", Ymd(2026, 3, 1), Ymd(2026, 9, 30)};
    combined.team = "emea";
    combined.region = "EMEA";
    add(combined);
    Scope owner_period{"owner and quarter", Ymd(2026, 4, 1), Ymd(2026, 6, 30)};
    owner_period.owner = "bob";
    add(owner_period);
    Scope nobody{"no match"};
    nobody.owner = "nobody";
    add(nobody);
    return scopes;
  }

  // ---- Expected reports ----

  crm::v1::Forecast ExpectedForecast(const Scope& s, bool quarter) const {
    struct Sums {
      int64_t open = 0;
      PerCurrency best;
      PerCurrency weighted;
      PerCurrency won;
    };
    std::map<int64_t, Sums> periods;
    for (const Opp& o : opps_) {
      if (!Matches(s, o)) continue;
      if (o.status == crm::v1::OPPORTUNITY_STATUS_OPEN && o.expected_day.has_value() && InPeriod(s, *o.expected_day)) {
        Sums& p = periods[PeriodStartOf(*o.expected_day, quarter)];
        ++p.open;
        if (!o.currency.empty()) {
          p.best[o.currency] += o.micros;
          p.weighted[o.currency] += static_cast<__int128>(o.micros) * o.probability;
        }
      }
      if (o.status == crm::v1::OPPORTUNITY_STATUS_WON && InPeriod(s, CloseDay(o))) {
        Sums& p = periods[PeriodStartOf(CloseDay(o), quarter)];
        if (!o.currency.empty()) p.won[o.currency] += o.micros;
      }
    }
    crm::v1::Forecast f;
    f.set_base_currency("EUR");
    int64_t first = 0, last = -1;
    if (s.from.has_value() && s.to.has_value()) {
      first = PeriodStartOf(*s.from, quarter);
      last = PeriodStartOf(*s.to, quarter);
    } else if (!periods.empty()) {
      first = periods.begin()->first;
      last = periods.rbegin()->first;
    }
    for (int64_t start = first; start <= last; start = NextPeriod(start, quarter)) {
      const Sums sums = periods.count(start) ? periods.at(start) : Sums{};
      crm::v1::ForecastPeriod* p = f.add_periods();
      *p->mutable_period_start() = DateOf(start);
      *p->mutable_period_end() = DateOf(NextPeriod(start, quarter) - 1);
      p->set_open_opportunities(sums.open);
      *p->mutable_best_case() = MoneyFromMicros("EUR", ToBase(sums.best));
      *p->mutable_weighted() = MoneyFromMicros("EUR", ToBase(sums.weighted, 100));
      *p->mutable_closed_won() = MoneyFromMicros("EUR", ToBase(sums.won));
    }
    return f;
  }

  crm::v1::OwnerPerformance ExpectedPerformance(const Scope& s) const {
    struct Sums {
      PerCurrency won_amount;
      int64_t won = 0;
      int64_t lost = 0;
      int64_t cycle = 0;
      bool has_quota = false;
      PerCurrency quota;
    };
    std::map<std::string, Sums> owners;
    for (const Opp& o : opps_) {
      if (!Matches(s, o) || !IsClosed(o) || !InPeriod(s, CloseDay(o))) continue;
      Sums& sums = owners[o.owner];
      if (o.status == crm::v1::OPPORTUNITY_STATUS_WON) {
        ++sums.won;
        if (!o.currency.empty()) sums.won_amount[o.currency] += o.micros;
      } else {
        ++sums.lost;
      }
      sums.cycle += o.close_time - o.create_time;
    }
    for (const TargetSpec& t : targets_) {
      if (t.owner.empty()) continue;
      if (!s.owner.empty() && t.owner != s.owner) continue;
      if (!s.team.empty() && teams_.at(s.team).count(t.owner) == 0) continue;
      if (s.to.has_value() && t.start > *s.to) continue;
      if (s.from.has_value() && t.end < *s.from) continue;
      Sums& sums = owners[t.owner];
      sums.has_quota = true;
      sums.quota[t.currency] += t.micros;
    }
    std::vector<crm::v1::OwnerStats> stats;
    for (const auto& [owner, sums] : owners) {
      crm::v1::OwnerStats st;
      st.set_owner(owner);
      const int64_t won_amount = ToBase(sums.won_amount);
      *st.mutable_won_amount() = MoneyFromMicros("EUR", won_amount);
      st.set_won(sums.won);
      st.set_lost(sums.lost);
      const int64_t closed = sums.won + sums.lost;
      st.set_win_rate(closed ? static_cast<double>(sums.won) / closed : 0.0);
      st.set_average_cycle_days(closed ? static_cast<double>(sums.cycle) / closed / kMicrosPerDay : 0.0);
      if (sums.has_quota) {
        const int64_t quota = ToBase(sums.quota);
        *st.mutable_quota() = MoneyFromMicros("EUR", quota);
        if (quota != 0) st.set_attainment(static_cast<double>(won_amount) / static_cast<double>(quota));
      }
      stats.push_back(st);
    }
    std::sort(stats.begin(), stats.end(), [](const crm::v1::OwnerStats& a, const crm::v1::OwnerStats& b) {
      if (Micros(a.won_amount()) != Micros(b.won_amount())) return Micros(a.won_amount()) > Micros(b.won_amount());
      return a.owner() < b.owner();
    });
    crm::v1::OwnerPerformance p;
    p.set_base_currency("EUR");
    for (const crm::v1::OwnerStats& st : stats) *p.add_owners() = st;
    return p;
  }

  crm::v1::TargetGroupDistribution ExpectedDistribution(const Scope& s) const {
    struct Bucket {
      std::set<std::string> accounts;
      PerCurrency revenue;
    };
    using Buckets = std::map<std::string, Bucket>;
    Buckets industry, region, size, profession, age;
    PerCurrency all;
    for (const Opp& o : opps_) {
      if (!Matches(s, o) || o.status != crm::v1::OPPORTUNITY_STATUS_WON || !InPeriod(s, CloseDay(o))) continue;
      const AccountSpec& a = accounts_list_[o.account];
      auto add = [&](Buckets& b, const std::string& key) {
        b[key].accounts.insert(a.name);
        if (!o.currency.empty()) b[key].revenue[o.currency] += o.micros;
      };
      if (!o.currency.empty()) all[o.currency] += o.micros;
      add(industry, a.industry);
      add(region, a.region);
      add(size, crm::v1::SizeBand_Name(a.size_band));
      if (a.kind == crm::v1::ACCOUNT_KIND_PERSON) {
        add(profession, a.profession);
        add(age, crm::v1::AgeBand_Name(a.age_band));
      }
    }
    const int64_t total = ToBase(all);
    auto fill = [&](const Buckets& buckets, google::protobuf::RepeatedPtrField<crm::v1::DistributionBucket>* out) {
      std::vector<crm::v1::DistributionBucket> list;
      for (const auto& [key, b] : buckets) {
        crm::v1::DistributionBucket d;
        d.set_key(key);
        d.set_accounts(static_cast<int64_t>(b.accounts.size()));
        const int64_t revenue = ToBase(b.revenue);
        *d.mutable_won_revenue() = MoneyFromMicros("EUR", revenue);
        d.set_revenue_share(total ? static_cast<double>(revenue) / static_cast<double>(total) : 0.0);
        list.push_back(d);
      }
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        if (Micros(a.won_revenue()) != Micros(b.won_revenue())) return Micros(a.won_revenue()) > Micros(b.won_revenue());
        return a.key() < b.key();
      });
      for (const auto& d : list) *out->Add() = d;
    };
    crm::v1::TargetGroupDistribution d;
    d.set_base_currency("EUR");
    fill(industry, d.mutable_by_industry());
    fill(region, d.mutable_by_region());
    fill(size, d.mutable_by_size_band());
    fill(profession, d.mutable_by_profession());
    fill(age, d.mutable_by_age_band());
    return d;
  }

  // ---- Calls and comparisons ----

  grpc::Status GetForecast(const crm::v1::AnalyticsFilter& filter, const std::string& granularity,
                           crm::v1::Forecast* out) {
    crm::v1::GetForecastRequest request;
    *request.mutable_filter() = filter;
    request.set_granularity(granularity);
    return pipelines_->GetForecast(CallAs().get(), request, out);
  }
  grpc::Status GetPerformance(const crm::v1::AnalyticsFilter& filter, crm::v1::OwnerPerformance* out) {
    crm::v1::GetOwnerPerformanceRequest request;
    *request.mutable_filter() = filter;
    return pipelines_->GetOwnerPerformance(CallAs().get(), request, out);
  }
  grpc::Status GetDistribution(const crm::v1::AnalyticsFilter& filter, crm::v1::TargetGroupDistribution* out) {
    crm::v1::GetTargetGroupDistributionRequest request;
    *request.mutable_filter() = filter;
    return pipelines_->GetTargetGroupDistribution(CallAs().get(), request, out);
  }

  static void ExpectForecast(const crm::v1::Forecast& expected, const crm::v1::Forecast& actual) {
    EXPECT_EQ(actual.base_currency(), "EUR");
    ASSERT_EQ(actual.periods_size(), expected.periods_size());
    for (int i = 0; i < expected.periods_size(); ++i) {
      const crm::v1::ForecastPeriod& e = expected.periods(i);
      const crm::v1::ForecastPeriod& a = actual.periods(i);
      const std::string what = "period " + e.period_start().ShortDebugString();
      EXPECT_EQ(a.period_start().ShortDebugString(), e.period_start().ShortDebugString()) << what;
      EXPECT_EQ(a.period_end().ShortDebugString(), e.period_end().ShortDebugString()) << what;
      EXPECT_EQ(a.open_opportunities(), e.open_opportunities()) << what;
      ExpectMoney(Micros(e.best_case()), a.best_case(), what + " best case");
      ExpectMoney(Micros(e.weighted()), a.weighted(), what + " weighted");
      ExpectMoney(Micros(e.closed_won()), a.closed_won(), what + " closed won");
    }
  }

  static void ExpectPerformance(const crm::v1::OwnerPerformance& expected, const crm::v1::OwnerPerformance& actual) {
    EXPECT_EQ(actual.base_currency(), "EUR");
    ASSERT_EQ(actual.owners_size(), expected.owners_size());
    for (int i = 0; i < expected.owners_size(); ++i) {
      const crm::v1::OwnerStats& e = expected.owners(i);
      const crm::v1::OwnerStats& a = actual.owners(i);
      const std::string what = "owner #" + std::to_string(i) + " " + e.owner();
      EXPECT_EQ(a.owner(), e.owner()) << what;
      ExpectMoney(Micros(e.won_amount()), a.won_amount(), what + " won amount");
      EXPECT_EQ(a.won(), e.won()) << what;
      EXPECT_EQ(a.lost(), e.lost()) << what;
      ExpectNear(e.win_rate(), a.win_rate(), what + " win rate");
      ExpectNear(e.average_cycle_days(), a.average_cycle_days(), what + " cycle");
      EXPECT_EQ(a.has_quota(), e.has_quota()) << what;
      if (e.has_quota() && a.has_quota()) ExpectMoney(Micros(e.quota()), a.quota(), what + " quota");
      EXPECT_EQ(a.has_attainment(), e.has_attainment()) << what;
      if (e.has_attainment() && a.has_attainment()) ExpectNear(e.attainment(), a.attainment(), what + " attainment");
    }
  }

  static void ExpectBuckets(const google::protobuf::RepeatedPtrField<crm::v1::DistributionBucket>& expected,
                            const google::protobuf::RepeatedPtrField<crm::v1::DistributionBucket>& actual,
                            const std::string& dimension) {
    ASSERT_EQ(actual.size(), expected.size()) << dimension;
    for (int i = 0; i < expected.size(); ++i) {
      const std::string what = dimension + " \"" + expected[i].key() + "\"";
      EXPECT_EQ(actual[i].key(), expected[i].key()) << what;
      EXPECT_EQ(actual[i].accounts(), expected[i].accounts()) << what;
      ExpectMoney(Micros(expected[i].won_revenue()), actual[i].won_revenue(), what + " revenue");
      ExpectNear(expected[i].revenue_share(), actual[i].revenue_share(), what + " share");
    }
  }

  static void ExpectDistribution(const crm::v1::TargetGroupDistribution& expected,
                                 const crm::v1::TargetGroupDistribution& actual) {
    EXPECT_EQ(actual.base_currency(), "EUR");
    ExpectBuckets(expected.by_industry(), actual.by_industry(), "industry");
    ExpectBuckets(expected.by_region(), actual.by_region(), "region");
    ExpectBuckets(expected.by_size_band(), actual.by_size_band(), "size band");
    ExpectBuckets(expected.by_profession(), actual.by_profession(), "profession");
    ExpectBuckets(expected.by_age_band(), actual.by_age_band(), "age band");
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipelines_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  Pipeline b2b_;
  std::vector<AccountSpec> accounts_list_;
  std::vector<std::string> campaigns_;
  std::map<std::string, std::set<std::string>> teams_;
  std::vector<TargetSpec> targets_;
  std::vector<Opp> opps_;
  int reopened_ = 0;
};

constexpr int kOpportunities = 300;

TEST_P(ReportTest, EmptyDatabaseGivesEmptyReports) {
  crm::v1::Forecast forecast;
  ASSERT_GRPC_OK(GetForecast(crm::v1::AnalyticsFilter(), "", &forecast));
  EXPECT_EQ(forecast.periods_size(), 0);
  EXPECT_EQ(forecast.base_currency(), "EUR");
  crm::v1::OwnerPerformance performance;
  ASSERT_GRPC_OK(GetPerformance(crm::v1::AnalyticsFilter(), &performance));
  EXPECT_EQ(performance.owners_size(), 0);
  crm::v1::TargetGroupDistribution distribution;
  ASSERT_GRPC_OK(GetDistribution(crm::v1::AnalyticsFilter(), &distribution));
  EXPECT_EQ(distribution.by_industry_size() + distribution.by_region_size() + distribution.by_size_band_size() +
                distribution.by_profession_size() + distribution.by_age_band_size(),
            0);
  // A bounded period lists its periods even when empty, all zeros.
  Scope q1{"q1", Ymd(2026, 1, 1), Ymd(2026, 3, 31)};
  ASSERT_GRPC_OK(GetForecast(FilterOf(q1), "month", &forecast));
  ASSERT_EQ(forecast.periods_size(), 3);
  ExpectForecast(ExpectedForecast(q1, false), forecast);
}

TEST_P(ReportTest, ForecastMatchesIndependentComputation) {
  Generate(kOpportunities);
  if (HasFatalFailure()) return;
  // The scenario covers what it should.
  int open_dated = 0, won = 0, lost = 0, without_amount = 0;
  std::set<std::string> currencies;
  for (const Opp& o : opps_) {
    if (o.status == crm::v1::OPPORTUNITY_STATUS_OPEN && o.expected_day.has_value()) ++open_dated;
    if (o.status == crm::v1::OPPORTUNITY_STATUS_WON) ++won;
    if (o.status == crm::v1::OPPORTUNITY_STATUS_LOST) ++lost;
    if (o.currency.empty()) ++without_amount;
    currencies.insert(o.currency);
  }
  EXPECT_GT(open_dated, 40);
  EXPECT_GT(won, 30);
  EXPECT_GT(lost, 20);
  EXPECT_GT(without_amount, 0);
  EXPECT_GT(reopened_, 0);
  EXPECT_EQ(currencies.size(), 4u);  // EUR, USD, GBP and none
  EXPECT_GT(UtcDayOfMicros(Now()) - Ymd(2026, 1, 1), 366);

  for (const Scope& s : Scopes()) {
    for (const bool quarter : {false, true}) {
      for (const std::string& granularity : quarter ? std::vector<std::string>{"quarter"}
                                                   : std::vector<std::string>{"", "month"}) {
        SCOPED_TRACE(s.label + " / granularity \"" + granularity + "\"");
        crm::v1::Forecast actual;
        grpc::Status status = GetForecast(FilterOf(s), granularity, &actual);
        ASSERT_TRUE(status.ok()) << status.error_message();
        ExpectForecast(ExpectedForecast(s, quarter), actual);
      }
    }
  }

  // Period lists checked by hand: a bounded period lists every calendar period it touches.
  Scope partial{"partial", Ymd(2026, 2, 10), Ymd(2026, 8, 20)};
  crm::v1::Forecast months, quarters;
  ASSERT_GRPC_OK(GetForecast(FilterOf(partial), "month", &months));
  ASSERT_EQ(months.periods_size(), 7);
  ExpectDate(Ymd(2026, 2, 1), months.periods(0).period_start(), "first month start");
  ExpectDate(Ymd(2026, 2, 28), months.periods(0).period_end(), "first month end");
  ExpectDate(Ymd(2026, 8, 31), months.periods(6).period_end(), "last month end");
  ASSERT_GRPC_OK(GetForecast(FilterOf(partial), "quarter", &quarters));
  ASSERT_EQ(quarters.periods_size(), 3);
  ExpectDate(Ymd(2026, 7, 1), quarters.periods(2).period_start(), "last quarter start");
  ExpectDate(Ymd(2026, 9, 30), quarters.periods(2).period_end(), "last quarter end");
  // The figures are not trivial: something weighted, something won, and the months add up to
  // the quarters (counts exactly).
  int64_t weighted = 0, closed_won = 0, open_months = 0, open_quarters = 0;
  for (const auto& p : months.periods()) {
    weighted += Micros(p.weighted());
    closed_won += Micros(p.closed_won());
    open_months += p.open_opportunities();
  }
  for (const auto& p : quarters.periods()) open_quarters += p.open_opportunities();
  EXPECT_GT(weighted, 0);
  EXPECT_GT(closed_won, 0);
  EXPECT_GT(open_months, 0);
  EXPECT_EQ(open_months, open_quarters);
}

TEST_P(ReportTest, OwnerPerformanceMatchesIndependentComputation) {
  Generate(kOpportunities);
  if (HasFatalFailure()) return;
  for (const Scope& s : Scopes()) {
    SCOPED_TRACE(s.label);
    crm::v1::OwnerPerformance actual;
    grpc::Status status = GetPerformance(FilterOf(s), &actual);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ExpectPerformance(ExpectedPerformance(s), actual);
  }

  // Checked by hand on the quarter Q2 2026: dave has no quota there and nothing closed, so he is
  // absent; erin's quota is 0 (attainment unset); alice's quota is her three month targets plus
  // her USD quarter target; the team target counts for nobody.
  Scope q2{"q2", Ymd(2026, 4, 1), Ymd(2026, 6, 30)};
  crm::v1::OwnerPerformance actual;
  ASSERT_GRPC_OK(GetPerformance(FilterOf(q2), &actual));
  std::map<std::string, crm::v1::OwnerStats> by_owner;
  for (const auto& o : actual.owners()) by_owner[o.owner()] = o;
  EXPECT_EQ(by_owner.count("dave"), 0u);
  ASSERT_EQ(by_owner.count("erin"), 1u);
  EXPECT_TRUE(by_owner["erin"].has_quota());
  EXPECT_EQ(Micros(by_owner["erin"].quota()), 0);
  EXPECT_FALSE(by_owner["erin"].has_attainment());
  ASSERT_EQ(by_owner.count("alice"), 1u);
  // EUR 3 × 150000 + (4 + 5 + 6) × 0.123457; USD 400000.000001 × 0.8 = 320000.0000008 → 320000.000001.
  const int64_t alice_quota = 3 * 150000 * kMicrosPerUnit + 123457 * (4 + 5 + 6) + 320000 * kMicrosPerUnit + 1;
  EXPECT_EQ(Micros(by_owner["alice"].quota()), alice_quota);
  ASSERT_TRUE(by_owner["alice"].has_attainment());
  EXPECT_NEAR(by_owner["alice"].attainment(),
              static_cast<double>(Micros(by_owner["alice"].won_amount())) / static_cast<double>(alice_quota), 1e-12);
  // In March, dave is listed for his quota alone.
  Scope march{"march", Ymd(2026, 3, 1), Ymd(2026, 3, 31)};
  ASSERT_GRPC_OK(GetPerformance(FilterOf(march), &actual));
  bool dave = false;
  for (const auto& o : actual.owners()) {
    if (o.owner() != "dave") continue;
    dave = true;
    EXPECT_EQ(o.won() + o.lost(), 0);
    EXPECT_EQ(Micros(o.quota()), 90000 * kMicrosPerUnit);
    EXPECT_EQ(o.attainment(), 0.0);
  }
  EXPECT_TRUE(dave);
  // Sorted by won amount, descending.
  for (int i = 1; i < actual.owners_size(); ++i) {
    EXPECT_GE(Micros(actual.owners(i - 1).won_amount()), Micros(actual.owners(i).won_amount()));
  }
}

TEST_P(ReportTest, TargetGroupDistributionMatchesIndependentComputation) {
  Generate(kOpportunities);
  if (HasFatalFailure()) return;
  for (const Scope& s : Scopes()) {
    SCOPED_TRACE(s.label);
    crm::v1::TargetGroupDistribution actual;
    grpc::Status status = GetDistribution(FilterOf(s), &actual);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ExpectDistribution(ExpectedDistribution(s), actual);
  }
  // Checked by hand without a filter: every account won something over this many deals, so the
  // company dimensions cover all 9 accounts, "" keys stand for missing text, enum names for
  // bands, and the shares of a dimension add up to 1 (persons: to their part).
  crm::v1::TargetGroupDistribution all;
  ASSERT_GRPC_OK(GetDistribution(crm::v1::AnalyticsFilter(), &all));
  std::map<std::string, int64_t> industries, sizes, ages, professions;
  double industry_share = 0, size_share = 0;
  int64_t industry_accounts = 0;
  for (const auto& b : all.by_industry()) {
    industries[b.key()] = b.accounts();
    industry_share += b.revenue_share();
    industry_accounts += b.accounts();
  }
  for (const auto& b : all.by_size_band()) {
    sizes[b.key()] = b.accounts();
    size_share += b.revenue_share();
  }
  for (const auto& b : all.by_age_band()) ages[b.key()] = b.accounts();
  for (const auto& b : all.by_profession()) professions[b.key()] = b.accounts();
  EXPECT_EQ(industry_accounts, 9);
  EXPECT_EQ(industries[""], 2);  // Umbrella, Cy
  EXPECT_EQ(industries["Software"], 3);
  EXPECT_EQ(sizes["SIZE_BAND_UNSPECIFIED"], 4);  // Hooli, Ann, Ben, Di
  EXPECT_EQ(sizes["SIZE_BAND_MICRO"], 1);        // Cy
  EXPECT_EQ(professions["engineer"], 2);
  EXPECT_EQ(professions[""], 1);
  EXPECT_EQ(ages["AGE_BAND_UNSPECIFIED"], 1);
  EXPECT_EQ(ages["AGE_BAND_65_PLUS"], 1);
  EXPECT_NEAR(industry_share, 1.0, 1e-9);
  EXPECT_NEAR(size_share, 1.0, 1e-9);
  for (int i = 1; i < all.by_region_size(); ++i) {
    EXPECT_GE(Micros(all.by_region(i - 1).won_revenue()), Micros(all.by_region(i).won_revenue()));
  }
}

// Hand-computed: amounts are summed per currency in micros and each sum converted once; the
// weighted figure is Σ amount × probability per currency, / 100 rounded, then converted.
TEST_P(ReportTest, ForecastSumsPerCurrencyBeforeConverting) {
  SetRates({{"USD", "0.8"}, {"GBP", "1.172345678901"}});
  AddAccount({"Acme", crm::v1::ACCOUNT_KIND_COMPANY, "Software", "EMEA"});
  if (HasFatalFailure()) return;
  const std::string stage = OpenStages()[0];
  const int64_t expected_day = Ymd(2026, 2, 17);
  for (int i = 0; i < 3; ++i) {
    Opp o;
    o.owner = "alice";
    o.currency = "USD";
    o.micros = 1;  // 0.000001 USD: 0.8 micros EUR each, 2.4 → 2 together
    o.probability = 50;
    o.expected_day = expected_day;
    Create(o, stage);
  }
  Opp gbp;
  gbp.owner = "alice";
  gbp.currency = "GBP";
  gbp.micros = 1000001;  // 1.000001 GBP
  gbp.probability = 33;
  gbp.expected_day = expected_day;
  Create(gbp, stage);
  if (HasFatalFailure()) return;

  crm::v1::Forecast forecast;
  ASSERT_GRPC_OK(GetForecast(crm::v1::AnalyticsFilter(), "", &forecast));
  ASSERT_EQ(forecast.periods_size(), 1);
  const crm::v1::ForecastPeriod& p = forecast.periods(0);
  ExpectDate(Ymd(2026, 2, 1), p.period_start(), "start");
  ExpectDate(Ymd(2026, 2, 28), p.period_end(), "end");
  EXPECT_EQ(p.open_opportunities(), 4);
  // USD 3 micros × 0.8 = 2.4 → 2; GBP 1000001 × 1.172345678901 = 1172346.85… → 1172347.
  ExpectMoney(2 + 1172347, p.best_case(), "best case");
  // USD 3 × 50 / 100 = 1.5 → 2 micros USD → 1.6 → 2; GBP 1000001 × 33 / 100 = 330000.33 → 330000
  // micros GBP → 386874.07… → 386874.
  ExpectMoney(2 + 386874, p.weighted(), "weighted");
  ExpectMoney(0, p.closed_won(), "closed won");

  // Won in March: the open ones stay in February, the won one is counted in March by its close
  // date, whatever its expected close date.
  server_->clock().Set(absl::FromCivil(absl::CivilSecond(2026, 3, 5, 12, 0, 0), absl::UTCTimeZone()));
  Close(opps_.back(), /*won=*/true);
  if (HasFatalFailure()) return;
  ASSERT_GRPC_OK(GetForecast(crm::v1::AnalyticsFilter(), "month", &forecast));
  ASSERT_EQ(forecast.periods_size(), 2);
  EXPECT_EQ(forecast.periods(0).open_opportunities(), 3);
  ExpectMoney(2, forecast.periods(0).best_case(), "february best case");
  ExpectMoney(1172347, forecast.periods(1).closed_won(), "march closed won");
  EXPECT_EQ(forecast.periods(1).open_opportunities(), 0);
}

// Gaps between the first and last period holding anything are listed with zeros.
TEST_P(ReportTest, ForecastListsGapsBetweenPeriods) {
  AddAccount({"Acme", crm::v1::ACCOUNT_KIND_COMPANY, "Software", "EMEA"});
  if (HasFatalFailure()) return;
  const std::string stage = OpenStages()[0];
  for (const int64_t day : {Ymd(2026, 1, 20), Ymd(2026, 5, 3)}) {
    Opp o;
    o.owner = "bob";
    o.currency = "EUR";
    o.micros = 1000 * kMicrosPerUnit;
    o.probability = 20;
    o.expected_day = day;
    Create(o, stage);
  }
  if (HasFatalFailure()) return;
  crm::v1::Forecast forecast;
  ASSERT_GRPC_OK(GetForecast(crm::v1::AnalyticsFilter(), "month", &forecast));
  ASSERT_EQ(forecast.periods_size(), 5);  // January to May
  ExpectMoney(200 * kMicrosPerUnit, forecast.periods(0).weighted(), "january");
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(forecast.periods(i).open_opportunities(), 0);
    ExpectMoney(0, forecast.periods(i).best_case(), "gap");
  }
  ExpectDate(Ymd(2026, 5, 1), forecast.periods(4).period_start(), "may");
  ASSERT_GRPC_OK(GetForecast(crm::v1::AnalyticsFilter(), "quarter", &forecast));
  ASSERT_EQ(forecast.periods_size(), 2);
  // From period_start on, only May is left.
  crm::v1::AnalyticsFilter since;
  *since.mutable_period_start() = DateOf(Ymd(2026, 2, 1));
  ASSERT_GRPC_OK(GetForecast(since, "month", &forecast));
  ASSERT_EQ(forecast.periods_size(), 1);
  ExpectDate(Ymd(2026, 5, 31), forecast.periods(0).period_end(), "may end");
}

TEST_P(ReportTest, AmountWithoutRateIsFailedPrecondition) {
  AddAccount({"Acme", crm::v1::ACCOUNT_KIND_COMPANY, "Software", "EMEA"});
  if (HasFatalFailure()) return;
  Opp o;
  o.owner = "alice";
  o.currency = "JPY";
  o.micros = 1000 * kMicrosPerUnit;
  o.expected_day = Today() + 10;
  Create(o, OpenStages()[0]);
  if (HasFatalFailure()) return;
  crm::v1::Forecast forecast;
  crm::v1::OwnerPerformance performance;
  crm::v1::TargetGroupDistribution distribution;
  const std::string field = "opportunity.amount.currency_code";
  EXPECT_TRUE(HasCodeAndField(GetForecast(crm::v1::AnalyticsFilter(), "", &forecast),
                              grpc::StatusCode::FAILED_PRECONDITION, field));
  // Still open: nothing closed counts it.
  EXPECT_GRPC_OK(GetPerformance(crm::v1::AnalyticsFilter(), &performance));
  EXPECT_GRPC_OK(GetDistribution(crm::v1::AnalyticsFilter(), &distribution));

  Advance(absl::Hours(30));
  Close(opps_.back(), /*won=*/true);
  if (HasFatalFailure()) return;
  EXPECT_TRUE(HasCodeAndField(GetForecast(crm::v1::AnalyticsFilter(), "quarter", &forecast),
                              grpc::StatusCode::FAILED_PRECONDITION, field));
  EXPECT_TRUE(HasCodeAndField(GetPerformance(crm::v1::AnalyticsFilter(), &performance),
                              grpc::StatusCode::FAILED_PRECONDITION, field));
  EXPECT_TRUE(HasCodeAndField(GetDistribution(crm::v1::AnalyticsFilter(), &distribution),
                              grpc::StatusCode::FAILED_PRECONDITION, field));
  // Out of scope, it does not matter.
  crm::v1::AnalyticsFilter other_owner;
  other_owner.set_owner("somebody-else");
  EXPECT_GRPC_OK(GetForecast(other_owner, "", &forecast));
  EXPECT_GRPC_OK(GetPerformance(other_owner, &performance));
  EXPECT_GRPC_OK(GetDistribution(other_owner, &distribution));
}

TEST_P(ReportTest, BadInputNamesTheField) {
  struct Case {
    std::string what;
    std::function<void(crm::v1::AnalyticsFilter&)> set;
    grpc::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"unknown pipeline", [](crm::v1::AnalyticsFilter& f) { f.set_pipeline_id(kUnknownPipelineId); },
       grpc::StatusCode::NOT_FOUND, "filter.pipeline_id"},
      {"unknown team", [](crm::v1::AnalyticsFilter& f) { f.set_team_id("no-such-team"); },
       grpc::StatusCode::NOT_FOUND, "filter.team_id"},
      {"unknown campaign", [](crm::v1::AnalyticsFilter& f) { f.set_source_campaign_id(kUnknownCampaignId); },
       grpc::StatusCode::NOT_FOUND, "filter.source_campaign_id"},
      {"invalid start", [](crm::v1::AnalyticsFilter& f) { *f.mutable_period_start() = RawDate(2026, 2, 30); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_start"},
      {"invalid end", [](crm::v1::AnalyticsFilter& f) { *f.mutable_period_end() = RawDate(2026, 13, 1); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_end"},
      {"start after end",
       [](crm::v1::AnalyticsFilter& f) {
         *f.mutable_period_start() = RawDate(2026, 3, 2);
         *f.mutable_period_end() = RawDate(2026, 3, 1);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.period_end"},
      {"unknown channel",
       [](crm::v1::AnalyticsFilter& f) { f.set_source_channel(static_cast<crm::v1::LeadChannel>(99)); },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.source_channel"},
      {"owner and team",
       [](crm::v1::AnalyticsFilter& f) {
         f.set_owner("alice");
         f.set_team_id("x");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "filter.team_id"},
  };
  for (const Case& c : cases) {
    crm::v1::AnalyticsFilter filter;
    c.set(filter);
    crm::v1::Forecast forecast;
    crm::v1::OwnerPerformance performance;
    crm::v1::TargetGroupDistribution distribution;
    EXPECT_TRUE(HasCodeAndField(GetForecast(filter, "", &forecast), c.code, c.field)) << "forecast: " << c.what;
    EXPECT_TRUE(HasCodeAndField(GetPerformance(filter, &performance), c.code, c.field)) << "performance: " << c.what;
    EXPECT_TRUE(HasCodeAndField(GetDistribution(filter, &distribution), c.code, c.field))
        << "distribution: " << c.what;
  }

  crm::v1::Forecast forecast;
  for (const char* bad : {"week", "Month", "quarterly", " month"}) {
    EXPECT_TRUE(HasCodeAndField(GetForecast(crm::v1::AnalyticsFilter(), bad, &forecast),
                                grpc::StatusCode::INVALID_ARGUMENT, "granularity"))
        << bad;
  }
  // A forecast of more than 1200 periods is refused; the same span in quarters is fine.
  crm::v1::AnalyticsFilter long_span;
  *long_span.mutable_period_start() = RawDate(1900, 1, 1);
  *long_span.mutable_period_end() = RawDate(2026, 12, 31);
  EXPECT_TRUE(HasCodeAndField(GetForecast(long_span, "month", &forecast), grpc::StatusCode::INVALID_ARGUMENT,
                              "filter.period_end"));
  ASSERT_GRPC_OK(GetForecast(long_span, "quarter", &forecast));
  EXPECT_EQ(forecast.periods_size(), 127 * 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
