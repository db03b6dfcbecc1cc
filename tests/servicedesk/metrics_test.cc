// ServiceDeskService GetServiceMetrics: every figure against an independent computation over
// tickets the test generates through the RPCs (create, reply, pending, resolve, close, survey,
// escalate) in simulated time, by period, tier, agent and grouping; the backlog; bad input.
// Through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/core/time_util.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/servicedesk.grpc.pb.h"
#include "services/servicedesk/metrics_logic.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountTier;
using crm::v1::ServiceMetrics;
using crm::v1::ServiceMetricsRow;
using crm::v1::TicketPriority;
using testing::CallAs;
using testing::HasCodeAndField;

// Business minutes allowed per priority (first response, resolution) by the one policy, which
// covers the three tiers below; accounts without a tier get no SLA.
constexpr int64_t kFirstResponseMinutes[] = {0, 30, 60, 120, 240};
constexpr int64_t kResolutionMinutes[] = {0, 240, 480, 960, 1920};
const std::vector<AccountTier> kTiers = {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY,
                                         crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_UNSPECIFIED};
const std::vector<std::string> kAgents = {"ann", "bob", "cy", ""};

// What the test did to one ticket, and therefore knows without asking the server.
struct Made {
  std::string id;
  AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  TicketPriority priority = crm::v1::TICKET_PRIORITY_UNSPECIFIED;
  std::string agent;
  absl::Time created;
  std::optional<absl::Time> replied;   // first public agent reply
  std::optional<absl::Time> resolved;  // resolved (and maybe closed afterwards)
  bool pending = false;                // moved to pending early and left there
  bool closed = false;
  std::optional<int> score;
  int escalations = 0;

  bool has_sla() const { return tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED; }
  // The calendar counts every minute and these tickets pause only when left pending, so a due
  // time is creation plus the target.
  absl::Time first_response_due() const { return created + absl::Minutes(kFirstResponseMinutes[priority]); }
  absl::Time resolution_due() const { return created + absl::Minutes(kResolutionMinutes[priority]); }
  bool open() const { return !resolved.has_value(); }
};

// The figures of one row, computed from what the test did.
struct Expected {
  int64_t created = 0, resolved = 0;
  std::vector<absl::Duration> first_response, resolution;
  int64_t fr_met = 0, fr_breached = 0, res_met = 0, res_breached = 0;
  std::vector<int> scores;
  int64_t escalations = 0;
};

Expected Compute(const std::vector<const Made*>& tickets, absl::Time now) {
  Expected e;
  for (const Made* t : tickets) {
    ++e.created;
    if (t->resolved) ++e.resolved;
    if (t->replied) e.first_response.push_back(*t->replied - t->created);
    if (t->resolved) e.resolution.push_back(*t->resolved - t->created);
    if (t->has_sla()) {
      if (t->replied) {
        (*t->replied <= t->first_response_due() ? e.fr_met : e.fr_breached) += 1;
      } else if (!t->pending && t->first_response_due() < now) {
        ++e.fr_breached;
      }
      if (t->resolved) {
        (*t->resolved <= t->resolution_due() ? e.res_met : e.res_breached) += 1;
      } else if (!t->pending && t->resolution_due() < now) {
        ++e.res_breached;
      }
    }
    if (t->score) e.scores.push_back(*t->score);
    e.escalations += t->escalations;
  }
  return e;
}

// p90 as "the smallest measured value that at least 90 % of the values do not exceed", counted
// directly rather than by rank arithmetic.
absl::Duration IndependentP90(const std::vector<absl::Duration>& values) {
  absl::Duration best = absl::InfiniteDuration();
  for (absl::Duration candidate : values) {
    size_t at_most = 0;
    for (absl::Duration v : values) at_most += v <= candidate ? 1 : 0;
    if (at_most * 10 >= values.size() * 9 && candidate < best) best = candidate;
  }
  return best;
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

void ExpectStats(const crm::v1::DurationStats& got, const std::vector<absl::Duration>& values, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got.count(), static_cast<int64_t>(values.size()));
  if (values.empty()) return;
  absl::Duration sum;
  for (absl::Duration v : values) sum += v;
  // Means are exact to the nanosecond; the durations here are whole seconds.
  EXPECT_EQ(FromProto(got.mean()),
            absl::Nanoseconds(absl::ToInt64Nanoseconds(sum) / static_cast<int64_t>(values.size())));
  EXPECT_EQ(FromProto(got.p90()), IndependentP90(values));
}

void ExpectRatio(bool has, double got, int64_t numerator, int64_t denominator, const char* what) {
  SCOPED_TRACE(what);
  if (denominator == 0) {
    EXPECT_FALSE(has);
    return;
  }
  ASSERT_TRUE(has);
  EXPECT_DOUBLE_EQ(got, static_cast<double>(numerator) / static_cast<double>(denominator));
}

void ExpectRow(const ServiceMetricsRow& row, const std::string& key, const Expected& e) {
  SCOPED_TRACE("row \"" + key + "\"");
  EXPECT_EQ(row.key(), key);
  EXPECT_EQ(row.tickets_created(), e.created);
  EXPECT_EQ(row.tickets_resolved(), e.resolved);
  ExpectStats(row.first_response(), e.first_response, "first response");
  ExpectStats(row.resolution(), e.resolution, "resolution");
  ExpectRatio(row.has_first_response_compliance(), row.first_response_compliance(), e.fr_met, e.fr_met + e.fr_breached,
              "first response compliance");
  ExpectRatio(row.has_resolution_compliance(), row.resolution_compliance(), e.res_met, e.res_met + e.res_breached,
              "resolution compliance");
  int64_t score_sum = 0;
  for (int s : e.scores) score_sum += s;
  ExpectRatio(row.has_csat_mean(), row.csat_mean(), score_sum, static_cast<int64_t>(e.scores.size()), "CSAT mean");
  ExpectRatio(row.has_csat_response_rate(), row.csat_response_rate(), static_cast<int64_t>(e.scores.size()), e.resolved,
              "CSAT response rate");
  EXPECT_EQ(row.escalations(), e.escalations);
}

class MetricsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    desk_ = crm::v1::ServiceDeskService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  FakeClock& clock() { return server_->clock(); }

  // A calendar that counts every minute (UTC, all week) and one policy for three tiers.
  void ConfigureSla() {
    crm::v1::CreateCalendarRequest calendar_request;
    crm::v1::BusinessCalendar* calendar = calendar_request.mutable_calendar();
    calendar->set_name("Always");
    calendar->set_time_zone("UTC");
    for (int day = 1; day <= 7; ++day) {
      crm::v1::WorkingHours* h = calendar->add_hours();
      h->set_weekday(day);
      h->set_start_minute(0);
      h->set_end_minute(24 * 60);
    }
    crm::v1::BusinessCalendar created_calendar;
    ASSERT_GRPC_OK(desk_->CreateCalendar(CallAs().get(), calendar_request, &created_calendar));

    crm::v1::CreateSlaPolicyRequest policy_request;
    crm::v1::SlaPolicy* policy = policy_request.mutable_policy();
    policy->set_name("Tiered");
    policy->set_calendar_id(created_calendar.id());
    for (AccountTier tier : kTiers) {
      if (tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED) policy->add_tiers(tier);
    }
    for (int p = 1; p <= 4; ++p) {
      crm::v1::SlaPriorityTarget* target = policy->add_targets();
      target->set_priority(static_cast<TicketPriority>(p));
      target->set_first_response_minutes(kFirstResponseMinutes[p]);
      target->set_resolution_minutes(kResolutionMinutes[p]);
    }
    // Steps without an assignee keep the ticket's agent, so the agent grouping stays the test's.
    const char* groups[] = {"tier2", "managers", "directors"};
    for (int level = 1; level <= 3; ++level) {
      crm::v1::EscalationStep* step = policy->add_escalation();
      step->set_level(level);
      step->set_trigger(level == 1 ? crm::v1::ESCALATION_TRIGGER_WARNING : crm::v1::ESCALATION_TRIGGER_BREACH);
      step->set_assignee_group(groups[level - 1]);
    }
    crm::v1::SlaPolicy created_policy;
    ASSERT_GRPC_OK(desk_->CreateSlaPolicy(CallAs().get(), policy_request, &created_policy));
  }

  // One account per tier; the tier is key-account management's to set, so it is written straight
  // into the accounts table.
  void CreateAccounts() {
    for (AccountTier tier : kTiers) {
      crm::v1::CreateAccountRequest request;
      request.mutable_account()->set_name(absl::StrCat("Account ", crm::v1::AccountTier_Name(tier)));
      request.mutable_account()->set_kind(crm::v1::ACCOUNT_KIND_COMPANY);
      request.mutable_account()->set_owner("alice");
      crm::v1::Account account;
      ASSERT_GRPC_OK(accounts_->CreateAccount(CallAs().get(), request, &account));
      long long tier_number = tier;
      absl::Status s = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
        tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(tier_number, "tier"),
            soci::use(account.id(), "id");
        return absl::OkStatus();
      });
      ASSERT_TRUE(s.ok()) << s;
      account_of_tier_[tier] = account.id();
    }
  }

  void Reply(Made& t) {
    crm::v1::AddCommentRequest request;
    request.mutable_comment()->set_ticket_id(t.id);
    request.mutable_comment()->set_visibility(crm::v1::COMMENT_VISIBILITY_PUBLIC);
    request.mutable_comment()->set_body("We are looking into it.");
    crm::v1::TicketComment comment;
    ASSERT_GRPC_OK(desk_->AddComment(CallAs(t.agent.empty() ? "agent" : t.agent).get(), request, &comment));
    t.replied = clock().Now();
  }

  void SetStatus(Made& t, crm::v1::TicketStatus status) {
    crm::v1::ChangeTicketStatusRequest request;
    request.set_id(t.id);
    request.set_status(status);
    request.set_reason("test");
    crm::v1::Ticket ticket;
    ASSERT_GRPC_OK(desk_->ChangeTicketStatus(CallAs().get(), request, &ticket));
  }

  void Escalate(Made& t) {
    crm::v1::EscalateTicketRequest request;
    request.set_id(t.id);
    request.set_reason("customer called again");
    crm::v1::Ticket ticket;
    ASSERT_GRPC_OK(desk_->EscalateTicket(CallAs().get(), request, &ticket));
    ++t.escalations;
  }

  void Survey(Made& t, int score) {
    crm::v1::SubmitSurveyRequest request;
    request.mutable_survey()->set_ticket_id(t.id);
    request.mutable_survey()->set_score(score);
    crm::v1::SatisfactionSurvey survey;
    ASSERT_GRPC_OK(desk_->SubmitSurvey(CallAs().get(), request, &survey));
    t.score = score;
  }

  // `count` tickets, one after another in simulated time, each with a random fate. Every action
  // happens a whole number of minutes after the previous one, except a reply, which adds 30 s:
  // no measured time then equals a target exactly, so met and breached never hinge on a tie.
  void Generate(int count, uint32_t seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    for (int i = 0; i < count; ++i) {
      Made t;
      t.tier = kTiers[pick(static_cast<int>(kTiers.size()))];
      t.priority = static_cast<TicketPriority>(1 + pick(4));
      t.agent = kAgents[pick(static_cast<int>(kAgents.size()))];
      crm::v1::CreateTicketRequest request;
      request.mutable_ticket()->set_account_id(account_of_tier_[t.tier]);
      request.mutable_ticket()->set_subject(absl::StrCat("Problem ", i));
      request.mutable_ticket()->set_priority(t.priority);
      request.mutable_ticket()->set_category("general");
      request.mutable_ticket()->set_assignee(t.agent);
      crm::v1::Ticket ticket;
      ASSERT_GRPC_OK(desk_->CreateTicket(CallAs().get(), request, &ticket));
      t.id = ticket.id();
      t.created = clock().Now();
      ASSERT_EQ(ticket.account_tier(), t.tier);

      const int64_t fr = kFirstResponseMinutes[t.priority];
      const int fate = pick(20);
      if (fate < 3) {
        // Untouched; maybe escalated.
        if (t.has_sla() && pick(2) == 0) {
          clock().Advance(absl::Minutes(1 + pick(10)));
          Escalate(t);
        }
      } else if (fate < 5) {
        // Waiting on the customer from early on: both clocks paused before any due time.
        clock().Advance(absl::Minutes(1 + pick(5)));
        SetStatus(t, crm::v1::TICKET_STATUS_PENDING);
        t.pending = true;
      } else {
        // A reply somewhere between well inside and well past the first-response target.
        clock().Advance(absl::Minutes(1 + pick(static_cast<int>(2 * fr))) + absl::Seconds(30));
        Reply(t);
        if (t.has_sla() && pick(3) == 0) {
          clock().Advance(absl::Minutes(1 + pick(20)));
          Escalate(t);
          if (pick(2) == 0) Escalate(t);
        }
        if (fate >= 8) {
          const int64_t res = kResolutionMinutes[t.priority];
          clock().Advance(absl::Minutes(1 + pick(static_cast<int>(res + res / 2))));
          SetStatus(t, crm::v1::TICKET_STATUS_RESOLVED);
          t.resolved = clock().Now();
          if (pick(3) != 0) {
            clock().Advance(absl::Minutes(5));
            Survey(t, 1 + pick(5));
          }
          if (pick(4) == 0) {
            clock().Advance(absl::Minutes(10));
            SetStatus(t, crm::v1::TICKET_STATUS_CLOSED);
            t.closed = true;
          }
        }
      }
      made_.push_back(t);
      clock().Advance(absl::Minutes(7 + pick(90)));
    }
    clock().Advance(absl::Seconds(10));
  }

  grpc::Status Metrics(const crm::v1::GetServiceMetricsRequest& request, ServiceMetrics* out) {
    return desk_->GetServiceMetrics(CallAs("manager").get(), request, out);
  }

  std::vector<const Made*> Select(const std::function<bool(const Made&)>& keep) const {
    std::vector<const Made*> out;
    for (const Made& t : made_) {
      if (keep(t)) out.push_back(&t);
    }
    return out;
  }

  // Checks totals and every group of `request` against the tickets `in_scope` selects.
  void ExpectMetrics(const crm::v1::GetServiceMetricsRequest& request, const std::function<bool(const Made&)>& in_scope,
                     const std::function<std::string(const Made&)>& key_of) {
    ServiceMetrics metrics;
    ASSERT_GRPC_OK(Metrics(request, &metrics));
    const absl::Time now = clock().Now();
    const std::vector<const Made*> scope = Select(in_scope);
    ASSERT_FALSE(scope.empty()) << "the generated data should cover every query";
    ExpectRow(metrics.totals(), "", Compute(scope, now));
    if (!key_of) {
      EXPECT_EQ(metrics.rows_size(), 0);
      return;
    }
    std::map<std::string, std::vector<const Made*>> groups;
    for (const Made* t : scope) groups[key_of(*t)].push_back(t);
    ASSERT_EQ(metrics.rows_size(), static_cast<int>(groups.size()));
    for (const ServiceMetricsRow& row : metrics.rows()) {
      auto it = groups.find(row.key());
      ASSERT_NE(it, groups.end()) << "unexpected group " << row.key();
      ExpectRow(row, it->first, Compute(it->second, now));
    }
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::ServiceDeskService::Stub> desk_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::map<AccountTier, std::string> account_of_tier_;
  std::vector<Made> made_;
};

crm::v1::Date DateOf(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  crm::v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

std::string TierKey(const Made& t) { return crm::v1::AccountTier_Name(t.tier); }
std::string PriorityKey(const Made& t) { return crm::v1::TicketPriority_Name(t.priority); }
std::string AgentKey(const Made& t) { return t.agent; }

TEST(NearestRankP90, PicksTheValueAtRankCeilNinetyPercent) {
  auto p90 = [](std::vector<int> minutes) {
    std::vector<absl::Duration> values;
    for (int m : minutes) values.push_back(absl::Minutes(m));
    return servicedesk::NearestRankP90(values);
  };
  EXPECT_EQ(p90({}), absl::ZeroDuration());
  EXPECT_EQ(p90({7}), absl::Minutes(7));
  EXPECT_EQ(p90({5, 1, 3}), absl::Minutes(5));                             // rank ceil(2.7) = 3
  EXPECT_EQ(p90({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}), absl::Minutes(9));       // rank 9
  EXPECT_EQ(p90({11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}), absl::Minutes(10));  // rank ceil(9.9) = 10
  EXPECT_EQ(p90({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}), absl::Minutes(18));
}

TEST_P(MetricsTest, EveryFigureMatchesAnIndependentComputation) {
  ConfigureSla();
  CreateAccounts();
  Generate(60, 20261126);
  ASSERT_FALSE(HasFailure());
  {
    // The data must exercise every figure, or agreeing with it would prove little.
    const Expected overall = Compute(Select([](const Made&) { return true; }), clock().Now());
    EXPECT_GT(overall.fr_met, 0);
    EXPECT_GT(overall.fr_breached, 0);
    EXPECT_GT(overall.res_met, 0);
    EXPECT_GT(overall.res_breached, 0);
    EXPECT_GT(overall.scores.size(), 0u);
    EXPECT_GT(overall.escalations, 0);
    EXPECT_FALSE(Select([](const Made& t) { return t.pending; }).empty());
    EXPECT_FALSE(Select([](const Made& t) { return t.closed; }).empty());
    EXPECT_FALSE(Select([](const Made& t) { return !t.has_sla(); }).empty());
  }

  // All time, totals only.
  crm::v1::GetServiceMetricsRequest all;
  ExpectMetrics(
      all, [](const Made&) { return true; }, nullptr);

  // Each grouping.
  crm::v1::GetServiceMetricsRequest by_tier;
  by_tier.set_group_by(crm::v1::METRICS_GROUPING_TIER);
  ExpectMetrics(
      by_tier, [](const Made&) { return true; }, TierKey);
  crm::v1::GetServiceMetricsRequest by_agent;
  by_agent.set_group_by(crm::v1::METRICS_GROUPING_AGENT);
  ExpectMetrics(
      by_agent, [](const Made&) { return true; }, AgentKey);
  crm::v1::GetServiceMetricsRequest by_priority;
  by_priority.set_group_by(crm::v1::METRICS_GROUPING_PRIORITY);
  ExpectMetrics(
      by_priority, [](const Made&) { return true; }, PriorityKey);

  // Tier and agent filters.
  crm::v1::GetServiceMetricsRequest key_tier = by_priority;
  key_tier.set_tier(crm::v1::ACCOUNT_TIER_KEY);
  ExpectMetrics(
      key_tier, [](const Made& t) { return t.tier == crm::v1::ACCOUNT_TIER_KEY; }, PriorityKey);
  crm::v1::GetServiceMetricsRequest ann = by_tier;
  ann.set_agent("ann");
  ExpectMetrics(
      ann, [](const Made& t) { return t.agent == "ann"; }, TierKey);

  // A period of whole UTC days in the middle of the data, inclusive at both ends.
  const absl::CivilDay first = absl::ToCivilDay(made_.front().created, absl::UTCTimeZone());
  const absl::CivilDay last = absl::ToCivilDay(made_.back().created, absl::UTCTimeZone());
  ASSERT_GE(last - first, 2) << "the data should span several days";
  const absl::CivilDay from = first + 1;
  const absl::CivilDay to = last - 1;
  auto in_period = [from, to](const Made& t) {
    const absl::CivilDay day = absl::ToCivilDay(t.created, absl::UTCTimeZone());
    return day >= from && day <= to;
  };
  crm::v1::GetServiceMetricsRequest period = by_agent;
  *period.mutable_period_start() = DateOf(absl::FromCivil(from, absl::UTCTimeZone()));
  *period.mutable_period_end() = DateOf(absl::FromCivil(to, absl::UTCTimeZone()));
  ExpectMetrics(period, in_period, AgentKey);
  period.set_tier(crm::v1::ACCOUNT_TIER_STRATEGIC);
  ExpectMetrics(
      period, [&](const Made& t) { return in_period(t) && t.tier == crm::v1::ACCOUNT_TIER_STRATEGIC; }, AgentKey);

  // Only a start, and a single day.
  crm::v1::GetServiceMetricsRequest since;
  *since.mutable_period_start() = DateOf(absl::FromCivil(from, absl::UTCTimeZone()));
  ExpectMetrics(
      since, [from](const Made& t) { return absl::ToCivilDay(t.created, absl::UTCTimeZone()) >= from; }, nullptr);
  crm::v1::GetServiceMetricsRequest one_day = by_priority;
  *one_day.mutable_period_start() = DateOf(made_.front().created);
  *one_day.mutable_period_end() = DateOf(made_.front().created);
  ExpectMetrics(
      one_day, [first](const Made& t) { return absl::ToCivilDay(t.created, absl::UTCTimeZone()) == first; },
      PriorityKey);

  // Time passing unmet targets turns them into breaches.
  clock().Advance(absl::Hours(24 * 7));
  ExpectMetrics(
      by_tier, [](const Made&) { return true; }, TierKey);
}

TEST_P(MetricsTest, BacklogCountsOpenTicketsByPriorityForTierAndAgent) {
  ConfigureSla();
  CreateAccounts();
  Generate(50, 7);
  ASSERT_FALSE(HasFailure());

  auto check = [&](const crm::v1::GetServiceMetricsRequest& request, const std::function<bool(const Made&)>& keep) {
    ServiceMetrics metrics;
    ASSERT_GRPC_OK(Metrics(request, &metrics));
    const absl::Time now = clock().Now();
    ASSERT_EQ(metrics.backlog_size(), 4);
    int64_t total_open = 0;
    for (int p = 1; p <= 4; ++p) {
      SCOPED_TRACE(absl::StrCat("P", p));
      int64_t open = 0, breached = 0;
      for (const Made& t : made_) {
        if (!keep(t) || !t.open() || t.priority != p) continue;
        ++open;
        if (!t.has_sla() || t.pending) continue;
        const bool fr_breached = t.replied ? *t.replied > t.first_response_due() : t.first_response_due() < now;
        if (fr_breached || t.resolution_due() < now) ++breached;
      }
      const crm::v1::BacklogCount& row = metrics.backlog(p - 1);
      EXPECT_EQ(row.priority(), p);
      EXPECT_EQ(row.open(), open);
      EXPECT_EQ(row.breached(), breached);
      total_open += open;
    }
    EXPECT_GT(total_open, 0) << "the generated data should leave tickets open";
  };

  crm::v1::GetServiceMetricsRequest all;
  check(all, [](const Made&) { return true; });
  // The period does not apply to the backlog.
  crm::v1::GetServiceMetricsRequest old_period;
  *old_period.mutable_period_start() = DateOf(absl::FromUnixSeconds(0));
  *old_period.mutable_period_end() = DateOf(absl::FromUnixSeconds(86400));
  check(old_period, [](const Made&) { return true; });
  crm::v1::GetServiceMetricsRequest standard;
  standard.set_tier(crm::v1::ACCOUNT_TIER_STANDARD);
  check(standard, [](const Made& t) { return t.tier == crm::v1::ACCOUNT_TIER_STANDARD; });
  crm::v1::GetServiceMetricsRequest bob;
  bob.set_agent("bob");
  check(bob, [](const Made& t) { return t.agent == "bob"; });

  // The old period holds no tickets: totals are zero and the optional figures unset.
  ServiceMetrics empty;
  ASSERT_GRPC_OK(Metrics(old_period, &empty));
  EXPECT_EQ(empty.totals().tickets_created(), 0);
  EXPECT_EQ(empty.totals().first_response().count(), 0);
  EXPECT_FALSE(empty.totals().has_first_response_compliance());
  EXPECT_FALSE(empty.totals().has_csat_mean());
  EXPECT_FALSE(empty.totals().has_csat_response_rate());
  EXPECT_EQ(empty.totals().escalations(), 0);
}

TEST_P(MetricsTest, BadInputNamesTheField) {
  ServiceMetrics out;
  crm::v1::GetServiceMetricsRequest reversed;
  *reversed.mutable_period_start() = DateOf(absl::FromUnixSeconds(1767225600 + 5 * 86400));
  *reversed.mutable_period_end() = DateOf(absl::FromUnixSeconds(1767225600));
  EXPECT_TRUE(HasCodeAndField(Metrics(reversed, &out), grpc::StatusCode::INVALID_ARGUMENT, "period_end"));

  crm::v1::GetServiceMetricsRequest impossible;
  impossible.mutable_period_start()->set_year(2026);
  impossible.mutable_period_start()->set_month(13);
  impossible.mutable_period_start()->set_day(1);
  EXPECT_TRUE(HasCodeAndField(Metrics(impossible, &out), grpc::StatusCode::INVALID_ARGUMENT, "period_start"));

  crm::v1::GetServiceMetricsRequest tier;
  tier.set_tier(static_cast<AccountTier>(42));
  EXPECT_TRUE(HasCodeAndField(Metrics(tier, &out), grpc::StatusCode::INVALID_ARGUMENT, "tier"));

  crm::v1::GetServiceMetricsRequest grouping;
  grouping.set_group_by(static_cast<crm::v1::MetricsGrouping>(9));
  EXPECT_TRUE(HasCodeAndField(Metrics(grouping, &out), grpc::StatusCode::INVALID_ARGUMENT, "group_by"));

  // A valid empty request on an empty database: zero tickets, four empty backlog rows.
  crm::v1::GetServiceMetricsRequest none;
  ASSERT_GRPC_OK(Metrics(none, &out));
  EXPECT_EQ(out.totals().tickets_created(), 0);
  EXPECT_EQ(out.backlog_size(), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, MetricsTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
