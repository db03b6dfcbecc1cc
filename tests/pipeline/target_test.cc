// PipelineService teams and sales targets, through a real in-process server and stub, on every
// backend; plus the readers analytics calls (TargetsOverlapping, TeamMembers).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/pipeline.grpc.pb.h"
#include "services/pipeline/target_logic.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::Money;
using crm::v1::Target;
using crm::v1::Team;
using testing::CallAs;
using testing::HasCodeAndField;

Money M(const std::string& currency, int64_t units, int32_t nanos = 0) {
  Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

crm::v1::Date D(int year, int month, int day) {
  crm::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

// Day number (days since 1970-01-01) of a date, computed here independently.
int64_t DayNumber(int year, int month, int day) {
  return (absl::CivilDay(year, month, day) - absl::CivilDay(1970, 1, 1));
}

Team MakeTeam(const std::string& id, const std::string& name, const std::string& manager,
              std::vector<std::string> members) {
  Team t;
  t.set_id(id);
  t.set_name(name);
  t.set_manager(manager);
  for (std::string& m : members) t.add_members(std::move(m));
  return t;
}

Target OwnerTarget(const std::string& owner, const crm::v1::Date& start, const crm::v1::Date& end,
                   const Money& quota) {
  Target t;
  t.set_owner(owner);
  *t.mutable_period_start() = start;
  *t.mutable_period_end() = end;
  *t.mutable_quota() = quota;
  return t;
}

Target TeamTarget(const std::string& team_id, const crm::v1::Date& start, const crm::v1::Date& end,
                  const Money& quota) {
  Target t = OwnerTarget("", start, end, quota);
  t.set_team_id(team_id);
  return t;
}

class TargetTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    pipeline_ = crm::v1::PipelineService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  grpc::Status SetTeam(const Team& team, Team* out) {
    crm::v1::SetTeamRequest request;
    *request.mutable_team() = team;
    return pipeline_->SetTeam(CallAs().get(), request, out);
  }

  Team MustSetTeam(const Team& team) {
    Team out;
    grpc::Status s = SetTeam(team, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<Team> ListTeams() {
    crm::v1::ListTeamsResponse response;
    grpc::Status s = pipeline_->ListTeams(CallAs().get(), crm::v1::ListTeamsRequest(), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.teams().begin(), response.teams().end()};
  }

  grpc::Status SetTarget(const Target& target, Target* out) {
    crm::v1::SetTargetRequest request;
    *request.mutable_target() = target;
    return pipeline_->SetTarget(CallAs().get(), request, out);
  }

  Target MustSetTarget(const Target& target) {
    Target out;
    grpc::Status s = SetTarget(target, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status ListTargets(const crm::v1::ListTargetsRequest& request, std::vector<Target>* out) {
    crm::v1::ListTargetsResponse response;
    grpc::Status s = pipeline_->ListTargets(CallAs().get(), request, &response);
    out->assign(response.targets().begin(), response.targets().end());
    return s;
  }

  std::vector<Target> MustListTargets(const crm::v1::ListTargetsRequest& request) {
    std::vector<Target> out;
    grpc::Status s = ListTargets(request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
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

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::PipelineService::Stub> pipeline_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
};

TEST_P(TargetTest, SetTeamCreatesThenReplacesAndListsTeams) {
  Team created =
      MustSetTeam(MakeTeam("emea-enterprise", "  EMEA Enterprise ", "maria", {"ann", " bob ", "ann", "cem"}));
  EXPECT_EQ(created.id(), "emea-enterprise");
  EXPECT_EQ(created.name(), "EMEA Enterprise");
  EXPECT_EQ(std::vector<std::string>(created.members().begin(), created.members().end()),
            (std::vector<std::string>{"ann", "bob", "cem"}));
  MustSetTeam(MakeTeam("apac", "APAC", "", {}));

  std::vector<Team> teams = ListTeams();
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[0].id(), "apac");
  EXPECT_EQ(teams[0].members_size(), 0);
  EXPECT_EQ(teams[1].SerializeAsString(), created.SerializeAsString());

  // The same team again writes nothing; a changed one replaces name, manager and members.
  MustSetTeam(MakeTeam("emea-enterprise", "EMEA Enterprise", "maria", {"ann", "bob", "cem"}));
  EXPECT_EQ(Events("team.set").size(), 2u);
  Team replaced = MustSetTeam(MakeTeam("emea-enterprise", "EMEA Key Accounts", "nils", {"cem", "dora"}));
  teams = ListTeams();
  ASSERT_EQ(teams.size(), 2u);
  EXPECT_EQ(teams[1].SerializeAsString(), replaced.SerializeAsString());
  EXPECT_EQ(teams[1].manager(), "nils");
  EXPECT_EQ(std::vector<std::string>(teams[1].members().begin(), teams[1].members().end()),
            (std::vector<std::string>{"cem", "dora"}));

  std::vector<crm::v1::Event> events = Events("team.set");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].entity(), "team");
  EXPECT_EQ(events[0].entity_id(), "emea-enterprise");
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].user(), "maria");
  EXPECT_EQ(events[2].change(), crm::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(events[2].user(), "nils");
  std::set<std::string> fields;
  for (const auto& change : events[2].changes()) fields.insert(change.field());
  EXPECT_EQ(fields, (std::set<std::string>{"name", "manager", "members"}));

  // What analytics reads.
  std::optional<std::vector<std::string>> members;
  std::optional<std::vector<std::string>> nobody = std::vector<std::string>{"sentinel"};
  ASSERT_TRUE(server_->runtime()
                  .db
                  ->Read([&](soci::session& sql) -> absl::Status {
                    absl::StatusOr<std::optional<std::vector<std::string>>> found =
                        pipeline::TeamMembers(sql, "emea-enterprise");
                    if (!found.ok()) return found.status();
                    members = *found;
                    absl::StatusOr<std::optional<std::vector<std::string>>> missing =
                        pipeline::TeamMembers(sql, "no-such-team");
                    if (!missing.ok()) return missing.status();
                    nobody = *missing;
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(members.has_value());
  EXPECT_EQ(*members, (std::vector<std::string>{"cem", "dora"}));
  EXPECT_FALSE(nobody.has_value());
}

TEST_P(TargetTest, BadTeamsNameTheFieldAndWriteNothing) {
  Team out;
  const auto expect = [&](const Team& team, const std::string& field) {
    EXPECT_TRUE(HasCodeAndField(SetTeam(team, &out), grpc::StatusCode::INVALID_ARGUMENT, field)) << field;
  };
  expect(MakeTeam("", "Name", "", {}), "team.id");
  expect(MakeTeam("has space", "Name", "", {}), "team.id");
  expect(MakeTeam(std::string(65, 'x'), "Name", "", {}), "team.id");
  expect(MakeTeam("t1", "", "", {}), "team.name");
  expect(MakeTeam("t1", "   ", "", {}), "team.name");
  expect(MakeTeam("t1", std::string(201, 'n'), "", {}), "team.name");
  expect(MakeTeam("t1", "Name", std::string(201, 'm'), {}), "team.manager");
  expect(MakeTeam("t1", "Name", "", {"ann", "  "}), "team.members[1]");
  expect(MakeTeam("t1", "Name", "", {"ann", "line\nbreak"}), "team.members[1]");
  std::vector<std::string> crowd;
  for (int i = 0; i < 1001; ++i) crowd.push_back("m" + std::to_string(i));
  expect(MakeTeam("t1", "Name", "", crowd), "team.members");
  crm::v1::SetTeamRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->SetTeam(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "team"));
  EXPECT_TRUE(ListTeams().empty());
  EXPECT_TRUE(Events("team.").empty());
}

TEST_P(TargetTest, SetTargetReplacesTheTargetOfTheSameSubjectAndPeriod) {
  Target q1 = MustSetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 3, 31), M("EUR", 100000)));
  EXPECT_EQ(q1.id().substr(0, 4), "tgt_");
  EXPECT_EQ(q1.owner(), "ann");
  EXPECT_EQ(q1.quota().units(), 100000);

  // Same owner and period: replaced in place (same id); same value again: nothing written.
  Target raised = MustSetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 3, 31), M("EUR", 120000, 500000000)));
  EXPECT_EQ(raised.id(), q1.id());
  EXPECT_EQ(raised.quota().units(), 120000);
  EXPECT_EQ(raised.quota().nanos(), 500000000);
  Target same = MustSetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 3, 31), M("EUR", 120000, 500000000)));
  EXPECT_EQ(same.SerializeAsString(), raised.SerializeAsString());
  // Another period (even overlapping) or another owner is another target.
  Target january = MustSetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 1, 31), M("EUR", 30000)));
  Target bob = MustSetTarget(OwnerTarget("bob", D(2026, 1, 1), D(2026, 3, 31), M("EUR", 90000)));
  EXPECT_NE(january.id(), q1.id());
  EXPECT_NE(bob.id(), q1.id());

  crm::v1::ListTargetsRequest of_ann;
  of_ann.set_owner("ann");
  std::vector<Target> listed = MustListTargets(of_ann);
  ASSERT_EQ(listed.size(), 2u);
  // Ordered by period start, then end.
  EXPECT_EQ(listed[0].SerializeAsString(), january.SerializeAsString());
  EXPECT_EQ(listed[1].SerializeAsString(), raised.SerializeAsString());

  std::vector<crm::v1::Event> events = Events("target.set");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].change(), crm::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(events[0].entity(), "target");
  EXPECT_EQ(events[0].user(), "ann");
  EXPECT_EQ(events[1].change(), crm::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(events[1].entity_id(), q1.id());
  ASSERT_EQ(events[1].changes_size(), 1);
  EXPECT_EQ(events[1].changes(0).field(), "quota");
}

TEST_P(TargetTest, TeamTargetsNeedAnExistingTeam) {
  Target out;
  EXPECT_TRUE(HasCodeAndField(SetTarget(TeamTarget("emea", D(2026, 1, 1), D(2026, 12, 31), M("EUR", 1)), &out),
                              grpc::StatusCode::NOT_FOUND, "target.team_id"));
  MustSetTeam(MakeTeam("emea", "EMEA", "maria", {"ann", "bob"}));
  Target team_target = MustSetTarget(TeamTarget("emea", D(2026, 1, 1), D(2026, 12, 31), M("EUR", 1000000)));
  EXPECT_EQ(team_target.team_id(), "emea");
  EXPECT_EQ(team_target.owner(), "");
  // An owner target of the same period is a different subject.
  MustSetTarget(OwnerTarget("emea", D(2026, 1, 1), D(2026, 12, 31), M("EUR", 5)));

  crm::v1::ListTargetsRequest of_team;
  of_team.set_team_id("emea");
  std::vector<Target> listed = MustListTargets(of_team);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].SerializeAsString(), team_target.SerializeAsString());
  std::vector<crm::v1::Event> events = Events("target.set");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].user(), "maria");  // the team's manager
}

TEST_P(TargetTest, BadTargetsNameTheFieldAndWriteNothing) {
  Target out;
  const auto expect = [&](const Target& target, grpc::StatusCode code, const std::string& field) {
    EXPECT_TRUE(HasCodeAndField(SetTarget(target, &out), code, field)) << field;
  };
  const crm::v1::Date jan1 = D(2026, 1, 1), dec31 = D(2026, 12, 31);
  MustSetTeam(MakeTeam("emea", "EMEA", "maria", {}));
  const size_t team_events = Events("team.").size();

  Target both = OwnerTarget("ann", jan1, dec31, M("EUR", 1));
  both.set_team_id("emea");
  expect(both, grpc::StatusCode::INVALID_ARGUMENT, "target.owner");
  expect(OwnerTarget("", jan1, dec31, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT, "target.owner");
  expect(OwnerTarget("   ", jan1, dec31, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT, "target.owner");
  expect(OwnerTarget(std::string(201, 'o'), jan1, dec31, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT,
         "target.owner");
  expect(TeamTarget("bad team", jan1, dec31, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT, "target.team_id");
  expect(OwnerTarget("ann", dec31, jan1, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT, "target.period_end");
  expect(OwnerTarget("ann", D(2026, 2, 29), dec31, M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT,
         "target.period_start");
  expect(OwnerTarget("ann", jan1, D(2026, 13, 1), M("EUR", 1)), grpc::StatusCode::INVALID_ARGUMENT,
         "target.period_end");
  Target no_start = OwnerTarget("ann", jan1, dec31, M("EUR", 1));
  no_start.clear_period_start();
  expect(no_start, grpc::StatusCode::INVALID_ARGUMENT, "target.period_start");
  Target no_end = OwnerTarget("ann", jan1, dec31, M("EUR", 1));
  no_end.clear_period_end();
  expect(no_end, grpc::StatusCode::INVALID_ARGUMENT, "target.period_end");
  Target no_quota = OwnerTarget("ann", jan1, dec31, M("EUR", 1));
  no_quota.clear_quota();
  expect(no_quota, grpc::StatusCode::INVALID_ARGUMENT, "target.quota");
  expect(OwnerTarget("ann", jan1, dec31, M("EUR", -1)), grpc::StatusCode::INVALID_ARGUMENT, "target.quota");
  expect(OwnerTarget("ann", jan1, dec31, M("EUR", 0, -5000)), grpc::StatusCode::INVALID_ARGUMENT, "target.quota");
  expect(OwnerTarget("ann", jan1, dec31, M("E1R", 1)), grpc::StatusCode::INVALID_ARGUMENT,
         "target.quota.currency_code");
  expect(OwnerTarget("ann", jan1, dec31, M("EUR", 1, 1)), grpc::StatusCode::INVALID_ARGUMENT, "target.quota.nanos");
  // A quota in a currency that cannot be converted to the base currency (EUR by default).
  expect(OwnerTarget("ann", jan1, dec31, M("JPY", 1000)), grpc::StatusCode::FAILED_PRECONDITION,
         "target.quota.currency_code");
  crm::v1::SetTargetRequest empty;
  EXPECT_TRUE(HasCodeAndField(pipeline_->SetTarget(CallAs().get(), empty, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "target"));

  // A zero quota is allowed.
  MustSetTarget(OwnerTarget("ann", jan1, dec31, M("EUR", 0)));
  EXPECT_EQ(MustListTargets(crm::v1::ListTargetsRequest()).size(), 1u);
  EXPECT_EQ(Events("target.").size(), 1u);
  EXPECT_EQ(Events("team.").size(), team_events);
}

TEST_P(TargetTest, QuotasInAnotherCurrencyNeedARate) {
  crm::v1::UpdateSalesSettingsRequest update;
  crm::v1::ExchangeRate* rate = update.mutable_settings()->add_rates();
  rate->set_currency_code("USD");
  rate->set_rate("0.92");
  update.mutable_update_mask()->add_paths("rates");
  crm::v1::SalesSettings settings;
  ASSERT_GRPC_OK(pipeline_->UpdateSalesSettings(CallAs().get(), update, &settings));
  Target usd = MustSetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 6, 30), M("USD", 50000)));
  EXPECT_EQ(usd.quota().currency_code(), "USD");
  Target out;
  EXPECT_TRUE(HasCodeAndField(SetTarget(OwnerTarget("ann", D(2026, 1, 1), D(2026, 6, 30), M("GBP", 1)), &out),
                              grpc::StatusCode::FAILED_PRECONDITION, "target.quota.currency_code"));
}

TEST_P(TargetTest, ListTargetsFiltersBySubjectAndOverlappingPeriod) {
  MustSetTeam(MakeTeam("emea", "EMEA", "maria", {"ann"}));
  MustSetTeam(MakeTeam("apac", "APAC", "kenji", {}));
  struct Spec {
    std::string owner, team;
    crm::v1::Date start, end;
  };
  const std::vector<Spec> specs = {
      {"ann", "", D(2025, 10, 1), D(2025, 12, 31)},  // Q4 2025
      {"ann", "", D(2026, 1, 1), D(2026, 3, 31)},    // Q1
      {"ann", "", D(2026, 4, 1), D(2026, 6, 30)},    // Q2
      {"bob", "", D(2026, 1, 15), D(2026, 2, 15)},
      {"", "emea", D(2026, 1, 1), D(2026, 12, 31)},
      {"", "apac", D(2026, 3, 31), D(2026, 3, 31)},  // one day
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    Target t = OwnerTarget(specs[i].owner, specs[i].start, specs[i].end, M("EUR", 1000 * (i + 1)));
    t.set_team_id(specs[i].team);
    MustSetTarget(t);
  }
  // The independent answer: specs whose [start, end] meets [from, to] (either end open).
  const auto expected = [&](const std::string& owner, const std::string& team, const crm::v1::Date* from,
                            const crm::v1::Date* to) {
    std::multiset<int64_t> quotas;
    for (size_t i = 0; i < specs.size(); ++i) {
      const Spec& s = specs[i];
      if (!owner.empty() && s.owner != owner) continue;
      if (!team.empty() && s.team != team) continue;
      if (to != nullptr && DayNumber(s.start.year(), s.start.month(), s.start.day()) >
                               DayNumber(to->year(), to->month(), to->day())) {
        continue;
      }
      if (from != nullptr && DayNumber(s.end.year(), s.end.month(), s.end.day()) <
                                 DayNumber(from->year(), from->month(), from->day())) {
        continue;
      }
      quotas.insert(1000 * static_cast<int64_t>(i + 1));
    }
    return quotas;
  };
  const std::vector<std::pair<std::string, std::string>> subjects = {{"", ""}, {"ann", ""}, {"bob", ""}, {"", "emea"},
                                                                     {"", "apac"}, {"zoe", ""}};
  const std::vector<crm::v1::Date> edges = {D(2025, 12, 31), D(2026, 1, 1),  D(2026, 2, 15),
                                            D(2026, 3, 31),  D(2026, 4, 1),  D(2027, 1, 1)};
  int compared = 0;
  for (const auto& [owner, team] : subjects) {
    for (int f = -1; f < static_cast<int>(edges.size()); ++f) {
      for (int t = -1; t < static_cast<int>(edges.size()); ++t) {
        const crm::v1::Date* from = f < 0 ? nullptr : &edges[f];
        const crm::v1::Date* to = t < 0 ? nullptr : &edges[t];
        if (from != nullptr && to != nullptr && t < f) continue;
        crm::v1::ListTargetsRequest request;
        request.set_owner(owner);
        request.set_team_id(team);
        if (from != nullptr) *request.mutable_from() = *from;
        if (to != nullptr) *request.mutable_to() = *to;
        std::multiset<int64_t> got;
        int64_t previous_start = INT64_MIN;
        for (const Target& target : MustListTargets(request)) {
          got.insert(target.quota().units());
          const int64_t start =
              DayNumber(target.period_start().year(), target.period_start().month(), target.period_start().day());
          EXPECT_GE(start, previous_start);
          previous_start = start;
        }
        EXPECT_EQ(got, expected(owner, team, from, to)) << owner << "/" << team << " " << f << ".." << t;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 100);

  // The analytics reader answers the same as the RPC.
  std::vector<Target> q1_of_ann;
  ASSERT_TRUE(server_->runtime()
                  .db
                  ->Read([&](soci::session& sql) -> absl::Status {
                    absl::StatusOr<std::vector<Target>> found = pipeline::TargetsOverlapping(
                        sql, "ann", "", DayNumber(2026, 2, 1), DayNumber(2026, 4, 1));
                    if (!found.ok()) return found.status();
                    q1_of_ann = *found;
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_EQ(q1_of_ann.size(), 2u);
  EXPECT_EQ(q1_of_ann[0].quota().units(), 2000);
  EXPECT_EQ(q1_of_ann[1].quota().units(), 3000);

  std::vector<Target> out;
  crm::v1::ListTargetsRequest bad;
  bad.set_owner("ann");
  bad.set_team_id("emea");
  EXPECT_TRUE(HasCodeAndField(ListTargets(bad, &out), grpc::StatusCode::INVALID_ARGUMENT, "team_id"));
  bad.clear_owner();
  bad.set_team_id("nope");
  EXPECT_TRUE(HasCodeAndField(ListTargets(bad, &out), grpc::StatusCode::NOT_FOUND, "team_id"));
  bad.set_team_id("bad id");
  EXPECT_TRUE(HasCodeAndField(ListTargets(bad, &out), grpc::StatusCode::INVALID_ARGUMENT, "team_id"));
  bad.clear_team_id();
  *bad.mutable_from() = D(2026, 2, 1);
  *bad.mutable_to() = D(2026, 1, 31);
  EXPECT_TRUE(HasCodeAndField(ListTargets(bad, &out), grpc::StatusCode::INVALID_ARGUMENT, "to"));
  *bad.mutable_from() = D(2026, 2, 30);
  EXPECT_TRUE(HasCodeAndField(ListTargets(bad, &out), grpc::StatusCode::INVALID_ARGUMENT, "from"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TargetTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
