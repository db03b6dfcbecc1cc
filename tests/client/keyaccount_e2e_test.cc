// KeyAccountClient and crmctl's key-account nouns against a real in-process server, on every
// backend: scoring model versions (based_on_version conflicts), a streamed reclassification
// and the classifications, tier changes and tier summary it leaves, qualitative inputs, tier
// overrides, tier policies with manager coverage and contact cadence, account plans (request_id
// replay, etags), churn risk and lifetime value; crmctl's compact syntax, output and exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "nlohmann/json.hpp"
#include "tests/client/client_e2e_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm {
namespace {

using ::testing::ElementsAre;
using testing::HasCodeAndField;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kDay = absl::Hours(24);

v1::Date DateOf(absl::Time time) {
  const absl::CivilDay day = absl::ToCivilDay(time, absl::UTCTimeZone());
  v1::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

double Amount(const v1::Money& money) { return money.units() + money.nanos() / 1e9; }

google::protobuf::Timestamp TimestampOf(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

class KeyAccountEndToEndTest : public ClientEndToEndTest {
 protected:
  void SetUp() override {
    ClientEndToEndTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    now_ = absl::FromCivil(absl::CivilSecond(2026, 6, 15, 12, 0, 0), absl::UTCTimeZone());
    server_->clock().Set(now_);
    // Revenue far apart, so that the order of the scores does not hang on the model's details.
    big_ = MustCreateOwned("Big Co", "alice");
    mid_ = MustCreateOwned("Mid Co", "bob");
    small_ = MustCreateOwned("Small Co", "");
    MustClearOwner(small_);
    for (int i = 0; i < 6; ++i) MustOrder(big_, 20000, 20 + 45 * i);
    for (int i = 0; i < 2; ++i) MustOrder(mid_, 1500, 100 + 90 * i);
    MustOrder(small_, 40, 300);
  }

  client::KeyAccountClient kam() const { return gateway_->keyaccount(); }

  std::string MustCreateOwned(const std::string& name, const std::string& owner) {
    v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    absl::StatusOr<v1::Account> created = gateway_->accounts().CreateAccount(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  // A create makes the caller the owner; only an update leaves an account without one.
  void MustClearOwner(const std::string& account_id) {
    v1::UpdateAccountRequest request;
    request.mutable_account()->set_id(account_id);
    request.mutable_update_mask()->add_paths("owner");
    absl::StatusOr<v1::Account> updated = gateway_->accounts().UpdateAccount(request);
    ASSERT_TRUE(updated.ok()) << updated.status();
    ASSERT_EQ(updated->owner(), "");
  }

  void MustOrder(const std::string& account_id, int64_t euros, int days_ago) {
    v1::CreateOrderRequest request;
    v1::Order& order = *request.mutable_order();
    order.set_account_id(account_id);
    v1::OrderLine& line = *order.add_lines();
    line.set_description("goods");
    line.set_quantity(1);
    line.mutable_unit_price()->set_currency_code("EUR");
    line.mutable_unit_price()->set_units(euros);
    *order.mutable_order_date() = DateOf(now_ - kDay * days_ago);
    *order.mutable_due_date() = DateOf(now_ - kDay * (days_ago - 30));
    absl::StatusOr<v1::Order> created = gateway_->pipeline().CreateOrder(request);
    EXPECT_TRUE(created.ok()) << created.status();
  }

  v1::ReclassifySummary MustReclassify(bool dry_run = false) {
    v1::ReclassifyRequest request;
    request.set_dry_run(dry_run);
    absl::StatusOr<v1::ReclassifySummary> summary = kam().Reclassify(request);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.value_or(v1::ReclassifySummary());
  }

  std::vector<v1::TierChange> AllTierChanges(v1::ListTierChangesRequest request = {}) {
    std::vector<v1::TierChange> changes;
    for (const absl::StatusOr<v1::TierChange>& change : kam().ListAllTierChanges(request)) {
      EXPECT_TRUE(change.ok()) << change.status();
      if (change.ok()) changes.push_back(*change);
    }
    return changes;
  }

  absl::Time now_;
  std::string big_, mid_, small_;
};

// ---- Scoring model ---------------------------------------------------------------------------

TEST_P(KeyAccountEndToEndTest, ScoringModelVersionsThroughTheClient) {
  absl::StatusOr<v1::ScoringModel> first = kam().GetScoringModel({});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), 1);

  // Move the profit weight onto revenue contribution: still summing to 1.
  v1::UpdateScoringModelRequest update;
  update.set_based_on_version(1);
  *update.mutable_model()->mutable_weights() = first->weights();
  update.mutable_model()->mutable_weights()->set_revenue_contribution(
      first->weights().revenue_contribution() + first->weights().profit());
  update.mutable_model()->mutable_weights()->set_profit(0);
  update.mutable_model()->set_note("revenue matters more");
  update.mutable_update_mask()->add_paths("weights");
  update.mutable_update_mask()->add_paths("note");
  absl::StatusOr<v1::ScoringModel> second = kam().UpdateScoringModel(update);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version(), 2);
  EXPECT_EQ(second->created_by(), "carol");
  EXPECT_EQ(second->weights().profit(), 0);
  EXPECT_EQ(second->window_days(), first->window_days());  // outside the mask: kept

  // Based on a version no longer in force: refused, nothing written.
  EXPECT_TRUE(
      HasCodeAndField(kam().UpdateScoringModel(update).status(), absl::StatusCode::kAborted));
  v1::UpdateScoringModelRequest negative = update;
  negative.set_based_on_version(2);
  negative.mutable_model()->mutable_weights()->set_profit(-0.1);
  EXPECT_TRUE(HasCodeAndField(kam().UpdateScoringModel(negative).status(),
                              absl::StatusCode::kInvalidArgument));

  std::vector<int> versions;
  for (const absl::StatusOr<v1::ScoringModel>& model : kam().ListAllScoringModels({})) {
    ASSERT_TRUE(model.ok()) << model.status();
    versions.push_back(model->version());
  }
  EXPECT_THAT(versions, ElementsAre(2, 1));
  v1::GetScoringModelRequest old;
  old.set_version(1);
  absl::StatusOr<v1::ScoringModel> still = kam().GetScoringModel(old);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->weights().profit(), first->weights().profit());
}

// ---- Reclassification and what it leaves ----------------------------------------------------

TEST_P(KeyAccountEndToEndTest, ReclassifyStreamsProgressAndLeavesClassifications) {
  // A dry run computes and writes nothing.
  v1::ReclassifySummary dry = MustReclassify(/*dry_run=*/true);
  EXPECT_EQ(dry.accounts(), 3);
  EXPECT_TRUE(AllTierChanges().empty());
  EXPECT_EQ(kam()
                .GetClassification([&] {
                  v1::GetClassificationRequest r;
                  r.set_account_id(big_);
                  return r;
                }())
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  std::vector<v1::ReclassifyProgress> progress;
  absl::StatusOr<v1::ReclassifySummary> summary =
      kam().Reclassify({}, [&](const v1::ReclassifyProgress& p) {
        progress.push_back(p);
        return true;
      });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts(), 3);
  EXPECT_EQ(summary->model_version(), 1);
  EXPECT_NE(summary->run_id(), dry.run_id());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase(), v1::ReclassifyProgress::PHASE_DONE);
  EXPECT_EQ(progress.back().summary().run_id(), summary->run_id());
  // Reading counts rows before the total is known; from scoring on, done never passes total.
  for (const v1::ReclassifyProgress& p : progress) {
    if (p.phase() != v1::ReclassifyProgress::PHASE_READING) {
      EXPECT_LE(p.accounts_done(), p.accounts_total()) << p.ShortDebugString();
    }
  }

  // Highest score first; each entry is what GetClassification says, and the account's tier.
  std::vector<v1::AccountClassification> listed;
  for (const auto& c : kam().ListAllClassifications({})) {
    ASSERT_TRUE(c.ok()) << c.status();
    listed.push_back(*c);
  }
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].account_id(), big_);
  EXPECT_EQ(listed[2].account_id(), small_);
  EXPECT_GE(listed[0].composite_score(), listed[1].composite_score());
  EXPECT_GE(listed[1].composite_score(), listed[2].composite_score());
  EXPECT_EQ(listed[0].abc_class(), v1::ABC_CLASS_A);
  for (const v1::AccountClassification& c : listed) {
    v1::GetClassificationRequest get;
    get.set_account_id(c.account_id());
    absl::StatusOr<v1::AccountClassification> one = kam().GetClassification(get);
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_EQ(one->composite_score(), c.composite_score());
    EXPECT_EQ(one->tier(), c.tier());
    v1::GetAccountRequest account;
    account.set_id(c.account_id());
    absl::StatusOr<v1::Account> read = gateway_->accounts().GetAccount(account);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->tier(), c.tier()) << c.account_id();
  }
  v1::ListClassificationsRequest a_only;
  a_only.set_abc_class(v1::ABC_CLASS_A);
  absl::StatusOr<v1::ListClassificationsResponse> page = kam().ListClassifications(a_only);
  ASSERT_TRUE(page.ok()) << page.status();
  for (const auto& c : page->classifications()) EXPECT_EQ(c.abc_class(), v1::ABC_CLASS_A);

  // One tier change per account whose tier moved, under this run.
  std::vector<v1::TierChange> changes = AllTierChanges();
  EXPECT_EQ(static_cast<int64_t>(changes.size()), summary->tier_changes());
  for (const v1::TierChange& change : changes) {
    EXPECT_EQ(change.run_id(), summary->run_id());
    EXPECT_EQ(change.source(), v1::TIER_CHANGE_SOURCE_RECLASSIFICATION);
  }

  absl::StatusOr<v1::TierSummary> tiers = kam().GetTierSummary({});
  ASSERT_TRUE(tiers.ok()) << tiers.status();
  int64_t counted = 0;
  for (const v1::TierShare& share : tiers->tiers()) counted += share.accounts();
  EXPECT_EQ(counted, 3);
  int64_t by_abc = 0;
  for (const v1::AbcShare& share : tiers->abc()) by_abc += share.accounts();
  EXPECT_EQ(by_abc, 3);
}

// ---- Judgement: qualitative inputs and overrides --------------------------------------------

TEST_P(KeyAccountEndToEndTest, QualitativeInputsAndTierOverrides) {
  v1::SetQualitativeInputsRequest inputs;
  inputs.mutable_inputs()->set_account_id(big_);
  inputs.mutable_inputs()->set_industry_influence(4);
  inputs.mutable_inputs()->set_cooperation_potential(5);
  absl::StatusOr<v1::QualitativeInputs> set = kam().SetQualitativeInputs(inputs);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->assessed_by(), "carol");
  EXPECT_EQ(set->cooperation_potential(), 5);
  inputs.mutable_inputs()->set_industry_influence(6);
  EXPECT_TRUE(HasCodeAndField(kam().SetQualitativeInputs(inputs).status(),
                              absl::StatusCode::kInvalidArgument, "inputs.industry_influence"));

  v1::SetTierOverrideRequest override_request;
  v1::TierOverride& override = *override_request.mutable_override();
  override.set_account_id(small_);
  override.set_tier(v1::ACCOUNT_TIER_STRATEGIC);
  override.set_reason("board member's company");
  *override.mutable_expire_time() = TimestampOf(now_ + 30 * kDay);
  absl::StatusOr<v1::TierOverride> made = kam().SetTierOverride(override_request);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->set_by(), "carol");

  v1::GetAccountRequest get_small;
  get_small.set_id(small_);
  EXPECT_EQ(gateway_->accounts().GetAccount(get_small)->tier(), v1::ACCOUNT_TIER_STRATEGIC);
  v1::ListTierChangesRequest of_small;
  of_small.set_account_id(small_);
  std::vector<v1::TierChange> changes = AllTierChanges(of_small);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].new_tier(), v1::ACCOUNT_TIER_STRATEGIC);
  EXPECT_EQ(changes[0].source(), v1::TIER_CHANGE_SOURCE_OVERRIDE);
  EXPECT_EQ(changes[0].actor(), "carol");
  v1::ListTierChangesRequest filtered = of_small;
  filtered.set_new_tier(v1::ACCOUNT_TIER_KEY);
  EXPECT_TRUE(AllTierChanges(filtered).empty());
  filtered.set_new_tier(v1::ACCOUNT_TIER_STRATEGIC);
  *filtered.mutable_period_end() = DateOf(now_ - kDay);
  EXPECT_TRUE(AllTierChanges(filtered).empty());
  filtered.clear_period_end();
  *filtered.mutable_period_start() = DateOf(now_);
  EXPECT_EQ(AllTierChanges(filtered).size(), 1u);

  // Strategic accounts need a dedicated manager; Small Co has none.
  std::vector<std::string> without_manager;
  for (const auto& ref : kam().ListAllAccountsWithoutManager({})) {
    ASSERT_TRUE(ref.ok()) << ref.status();
    without_manager.push_back(ref->account_id());
  }
  EXPECT_THAT(without_manager, ElementsAre(small_));

  // Setting the same override again (what a retry does) records no second change.
  ASSERT_TRUE(kam().SetTierOverride(override_request).ok());
  EXPECT_EQ(AllTierChanges(of_small).size(), 1u);

  v1::ClearTierOverrideRequest clear;
  clear.set_account_id(small_);
  clear.set_reason("no longer on the board");
  ASSERT_TRUE(kam().ClearTierOverride(clear).ok());
  EXPECT_TRUE(HasCodeAndField(kam().ClearTierOverride(clear).status(), absl::StatusCode::kNotFound,
                              "account_id"));

  override.clear_reason();
  EXPECT_TRUE(HasCodeAndField(kam().SetTierOverride(override_request).status(),
                              absl::StatusCode::kInvalidArgument, "override.reason"));
  override.set_reason("again");
  *override.mutable_expire_time() = TimestampOf(now_ - kDay);
  EXPECT_TRUE(HasCodeAndField(kam().SetTierOverride(override_request).status(),
                              absl::StatusCode::kInvalidArgument, "override.expire_time"));
}

// ---- Serving the tiers -----------------------------------------------------------------------

TEST_P(KeyAccountEndToEndTest, TierPoliciesAndContactCadence) {
  absl::StatusOr<v1::ListTierPoliciesResponse> policies = kam().ListTierPolicies({});
  ASSERT_TRUE(policies.ok()) << policies.status();
  ASSERT_EQ(policies->policies_size(), 4);
  EXPECT_EQ(policies->policies(0).tier(), v1::ACCOUNT_TIER_STRATEGIC);

  v1::UpdateTierPolicyRequest update;
  update.mutable_policy()->set_tier(v1::ACCOUNT_TIER_STRATEGIC);
  update.mutable_policy()->set_contact_every_days(7);
  update.mutable_update_mask()->add_paths("contact_every_days");
  absl::StatusOr<v1::TierPolicy> updated = kam().UpdateTierPolicy(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->contact_every_days(), 7);
  EXPECT_EQ(updated->dedicated_manager_required(),
            policies->policies(0).dedicated_manager_required());  // outside the mask

  // Big Co becomes strategic and is never contacted: 10 days on, 3 days overdue.
  v1::SetTierOverrideRequest strategic;
  strategic.mutable_override()->set_account_id(big_);
  strategic.mutable_override()->set_tier(v1::ACCOUNT_TIER_STRATEGIC);
  strategic.mutable_override()->set_reason("flagship");
  *strategic.mutable_override()->mutable_expire_time() = TimestampOf(now_ + 60 * kDay);
  ASSERT_TRUE(kam().SetTierOverride(strategic).ok());
  server_->clock().Set(now_ + 10 * kDay);

  v1::ListOverdueContactsRequest of_alice;
  of_alice.set_owner("alice");
  absl::StatusOr<v1::ListOverdueContactsResponse> overdue = kam().ListOverdueContacts(of_alice);
  ASSERT_TRUE(overdue.ok()) << overdue.status();
  ASSERT_EQ(overdue->contacts_size(), 1);
  EXPECT_EQ(overdue->contacts(0).account().account_id(), big_);
  EXPECT_EQ(overdue->contacts(0).cadence_days(), 7);
  EXPECT_EQ(overdue->contacts(0).days_overdue(), 3);
  EXPECT_FALSE(overdue->contacts(0).has_last_interaction_time());
  v1::ListOverdueContactsRequest of_bob;
  of_bob.set_owner("bob");
  EXPECT_EQ(kam().ListOverdueContacts(of_bob)->contacts_size(), 0);
}

// ---- Plans -----------------------------------------------------------------------------------

TEST_P(KeyAccountEndToEndTest, AccountPlansWithRequestIdsAndEtags) {
  v1::CreateAccountPlanRequest create;
  create.set_request_id("plan-big-1");
  v1::AccountPlan& plan = *create.mutable_plan();
  plan.set_account_id(big_);
  plan.add_objectives("Grow share of wallet, EMEA");
  plan.add_objectives("Open APAC");
  v1::PlanAction& action = *plan.add_actions();
  action.set_description("Quarterly business review");
  action.set_owner("alice");
  *action.mutable_due_date() = DateOf(now_ + 30 * kDay);
  *plan.mutable_next_review_date() = DateOf(now_ + 14 * kDay);
  plan.set_owner("alice");
  absl::StatusOr<v1::AccountPlan> created = kam().CreateAccountPlan(create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->id().empty());
  EXPECT_FALSE(created->actions(0).id().empty());
  absl::StatusOr<v1::AccountPlan> replayed = kam().CreateAccountPlan(create);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->id(), created->id());

  v1::UpdateAccountPlanRequest update;
  update.set_etag(created->etag());
  update.mutable_plan()->set_id(created->id());
  *update.mutable_plan()->mutable_actions() = created->actions();
  update.mutable_plan()->mutable_actions(0)->set_done(true);
  update.mutable_update_mask()->add_paths("actions");
  absl::StatusOr<v1::AccountPlan> updated = kam().UpdateAccountPlan(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(updated->actions(0).done());
  EXPECT_EQ(updated->actions(0).id(), created->actions(0).id());
  EXPECT_THAT(updated->objectives(), ElementsAre("Grow share of wallet, EMEA", "Open APAC"));
  EXPECT_NE(updated->etag(), created->etag());
  EXPECT_TRUE(
      HasCodeAndField(kam().UpdateAccountPlan(update).status(), absl::StatusCode::kAborted));

  v1::ListAccountPlansRequest due_soon;
  *due_soon.mutable_review_due_by() = DateOf(now_ + 13 * kDay);
  EXPECT_EQ(kam().ListAccountPlans(due_soon)->plans_size(), 0);
  *due_soon.mutable_review_due_by() = DateOf(now_ + 14 * kDay);
  absl::StatusOr<v1::ListAccountPlansResponse> due = kam().ListAccountPlans(due_soon);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->plans_size(), 1);
  EXPECT_EQ(due->plans(0).id(), created->id());

  v1::CreateAccountPlanRequest empty;
  empty.mutable_plan()->set_account_id(big_);
  EXPECT_TRUE(HasCodeAndField(kam().CreateAccountPlan(empty).status(),
                              absl::StatusCode::kInvalidArgument, "plan.objectives"));
}

// ---- Risk and value --------------------------------------------------------------------------

TEST_P(KeyAccountEndToEndTest, ChurnRiskAndLifetimeValue) {
  MustReclassify();
  v1::ListAccountsAtRiskRequest all_risks;
  all_risks.set_min_score(0.001);
  std::vector<v1::ChurnRisk> risks;
  for (const auto& risk : kam().ListAllAccountsAtRisk(all_risks)) {
    ASSERT_TRUE(risk.ok()) << risk.status();
    risks.push_back(*risk);
  }
  for (size_t i = 0; i < risks.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(risks[i - 1].score(), risks[i].score());
    }
    v1::GetChurnRiskRequest get;
    get.set_account_id(risks[i].account_id());
    absl::StatusOr<v1::ChurnRisk> one = kam().GetChurnRisk(get);
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_NEAR(one->score(), risks[i].score(), 1e-6);
    double points = 0;
    for (const v1::RiskFactor& factor : one->factors()) points += factor.points();
    EXPECT_NEAR(points, one->score(), 0.01) << risks[i].account_id();
  }
  v1::GetChurnRiskRequest big_risk;
  big_risk.set_account_id(big_);
  absl::StatusOr<v1::ChurnRisk> risk = kam().GetChurnRisk(big_risk);
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_GE(risk->score(), 0);
  EXPECT_LE(risk->score(), 100);

  absl::StatusOr<v1::ScoringModel> model = kam().GetScoringModel({});
  ASSERT_TRUE(model.ok()) << model.status();
  v1::GetLifetimeValueRequest value_request;
  value_request.set_account_id(big_);
  absl::StatusOr<v1::LifetimeValue> value = kam().GetLifetimeValue(value_request);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->margin(), model->lifetime_value().margin());
  EXPECT_EQ(value->value().currency_code(), value->average_order_value().currency_code());
  // The documented formula, from the inputs it returns.
  const double expected = Amount(value->average_order_value()) * value->purchases_per_year() *
                          value->expected_lifetime_years() * value->margin();
  EXPECT_NEAR(Amount(value->value()), expected, std::max(0.01, expected * 1e-6));
  EXPECT_NEAR(Amount(value->average_order_value()), 20000, 0.01);
  value_request.set_account_id("acc_01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(kam().GetLifetimeValue(value_request).status().code(), absl::StatusCode::kNotFound);
}

// ---- crmctl ----------------------------------------------------------------------------------

TEST_P(KeyAccountEndToEndTest, ScoringModelAndReclassifyThroughCrmctl) {
  absl::StatusOr<v1::ScoringModel> first = kam().GetScoringModel({});
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string weights = absl::StrCat(
      "weights=revenue_contribution=",
      first->weights().revenue_contribution() + first->weights().profit(), ",profit=0");
  nlohmann::json second = CrmctlJson(
      {"scoring-model", "update", weights, "abc=0.7/0.9", "window=200", "note=crmctl test"});
  EXPECT_EQ(second["version"], 2);
  EXPECT_EQ(second["created_by"], "dave");
  EXPECT_EQ(second["window_days"], 200);
  EXPECT_EQ(second["abc"]["a_max_share"], 0.7);
  EXPECT_EQ(second["note"], "crmctl test");
  EXPECT_EQ(second["weights"].count("profit"), 0u);  // 0: not printed
  // Outside the changes: as in the version it is based on.
  EXPECT_EQ(second["lifecycle"], CrmctlJson({"scoring-model", "get", "version=1"})["lifecycle"]);

  std::string out, err;
  EXPECT_EQ(Crmctl({"scoring-model", "update", "based_on=1", "window=100"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("ABORTED"));
  EXPECT_EQ(Crmctl({"scoring-model", "update", "weights=loyalty=1"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("'loyalty'"));
  EXPECT_EQ(
      Crmctl({"scoring-model", "update", "tiers=strategic=90,key=200,standard=30,potential=0"},
             &out, &err),
      1);
  EXPECT_THAT(err, HasSubstr("INVALID_ARGUMENT"));

  const std::string table = CrmctlTable({"scoring-model", "get"});
  EXPECT_THAT(table, HasSubstr("abc: 0.7/0.9"));
  EXPECT_THAT(table, HasSubstr("weights: revenue_contribution="));
  EXPECT_EQ(CrmctlJson({"scoring-model", "list"})["models"].size(), 2u);

  nlohmann::json dry = CrmctlJson({"reclassify", "run", "--dry-run"});
  EXPECT_EQ(dry["accounts"], "3");  // int64 in JSON: a string
  EXPECT_EQ(dry["model_version"], 2);
  EXPECT_TRUE(AllTierChanges().empty());
  const std::string run = CrmctlTable({"reclassify", "run"});
  EXPECT_THAT(run, HasSubstr("run_id"));
  EXPECT_THAT(run, Not(HasSubstr("dry run")));

  nlohmann::json listed = CrmctlJson({"classifications", "list", "order=account_id"});
  ASSERT_EQ(listed["classifications"].size(), 3u);
  EXPECT_LT(listed["classifications"][0]["account_id"].get<std::string>(),
            listed["classifications"][1]["account_id"].get<std::string>());
  const std::string big = CrmctlTable({"classifications", "get", big_});
  EXPECT_THAT(big, HasSubstr("DIMENSION"));
  EXPECT_THAT(big, HasSubstr("revenue_contribution"));
  EXPECT_EQ(Crmctl({"classifications", "list", "segment=sleepy"}, &out, &err), 2);

  const std::string summary = CrmctlTable({"tier-summary", "get", "granularity=quarter"});
  EXPECT_THAT(summary, HasSubstr("model_version: 2"));
  EXPECT_THAT(summary, HasSubstr("UPGRADES"));
}

TEST_P(KeyAccountEndToEndTest, JudgementPoliciesAndPlansThroughCrmctl) {
  nlohmann::json inputs =
      CrmctlJson({"qualitative", "set", big_, "industry=4", "cooperation_potential=5"});
  EXPECT_EQ(inputs["industry_influence"], 4);
  EXPECT_EQ(inputs["assessed_by"], "dave");
  std::string out, err;
  EXPECT_EQ(Crmctl({"qualitative", "set", big_, "industry=9"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("inputs.industry_influence"));

  nlohmann::json override =
      CrmctlJson({"tier-override", "set", small_, "tier=key", "reason=reseller", "expires=+30d"});
  EXPECT_EQ(override["tier"], "ACCOUNT_TIER_KEY");
  nlohmann::json changes = CrmctlJson({"tier-changes", "list", "account=" + small_});
  ASSERT_EQ(changes["changes"].size(), 1u);
  EXPECT_EQ(changes["changes"][0]["source"], "TIER_CHANGE_SOURCE_OVERRIDE");
  EXPECT_EQ(changes["changes"][0]["actor"], "dave");
  EXPECT_THAT(CrmctlTable({"accounts-without-manager", "list"}), HasSubstr("Small Co"));
  EXPECT_THAT(CrmctlTable({"tier-override", "clear", small_, "reason=contract ended"}),
              HasSubstr("cleared the tier override of " + small_));
  EXPECT_EQ(Crmctl({"tier-override", "clear", small_, "reason=again"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(
      Crmctl({"tier-override", "set", small_, "tier=gold", "reason=x", "expires=+1d"}, &out, &err),
      2);

  nlohmann::json policy =
      CrmctlJson({"tier-policies", "update", "key", "contact_every=10", "review_every_days=45"});
  EXPECT_EQ(policy["contact_every_days"], 10);
  EXPECT_EQ(policy["review_every_days"], 45);
  EXPECT_EQ(policy["dedicated_manager_required"], true);  // outside the mask
  EXPECT_EQ(CrmctlJson({"tier-policies", "list"})["policies"].size(), 4u);
  EXPECT_EQ(Crmctl({"tier-policies", "update", "key"}, &out, &err), 2);
  EXPECT_EQ(CrmctlJson({"overdue-contacts", "list", "owner=nobody"}).count("contacts"), 0u);

  nlohmann::json plan = CrmctlJson(
      {"account-plans", "create", "account=" + big_, "objectives=Grow, fast; Open APAC",
       "actions=QBR|alice|2026-12-31; Exec visit|bob|", "next_review=2026-07-01", "owner=alice"});
  const std::string plan_id = plan["id"];
  ASSERT_EQ(plan["objectives"].size(), 2u);
  EXPECT_EQ(plan["objectives"][0], "Grow, fast");
  ASSERT_EQ(plan["actions"].size(), 2u);
  EXPECT_EQ(plan["actions"][0]["due_date"]["year"], 2026);
  const std::string qbr_id = plan["actions"][0]["id"];

  nlohmann::json updated = CrmctlJson({"account-plans", "update", plan_id,
                                       "actions=QBR|alice|2026-12-31|done; Site visit|carol|",
                                       "etag=" + plan["etag"].get<std::string>()});
  ASSERT_EQ(updated["actions"].size(), 2u);
  EXPECT_EQ(updated["actions"][0]["id"], qbr_id);  // the same action, now done
  EXPECT_EQ(updated["actions"][0]["done"], true);
  EXPECT_EQ(updated["actions"][1]["description"], "Site visit");
  EXPECT_EQ(Crmctl({"account-plans", "update", plan_id, "owner=bob",
                    "etag=" + plan["etag"].get<std::string>()},
                   &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("ABORTED"));
  const std::string shown = CrmctlTable({"account-plans", "get", plan_id});
  EXPECT_THAT(shown, HasSubstr("objectives: Grow, fast; Open APAC"));
  EXPECT_THAT(shown, HasSubstr("QBR|alice|2026-12-31|done"));
  EXPECT_EQ(CrmctlJson({"account-plans", "list", "account=" + big_})["plans"].size(), 1u);
  EXPECT_EQ(
      Crmctl({"account-plans", "create", "account=" + big_, "objectives=x", "actions=call alice"},
             &out, &err),
      2);

  EXPECT_THAT(CrmctlTable({"churn-risk", "get", big_}), HasSubstr(big_));
  EXPECT_EQ(Crmctl({"churn-risk", "list", "min_score=0.001"}, &out, &err), 0) << err;
  nlohmann::json value = CrmctlJson({"lifetime-value", "get", big_});
  EXPECT_EQ(value["account_id"], big_);
  EXPECT_TRUE(value.contains("margin"));
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyAccountEndToEndTest,
                         ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
