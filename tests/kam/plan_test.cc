// KeyAccountService key account plans: creation with defaults (owner, next review from the
// tier's cadence, action ids), validation naming the field, request-id replay, etags, field-mask
// updates of objectives and actions, filtered keyset lists, and review reminders (one per plan
// and review date, also with two PlanLogic instances at once; re-armed when the date moves),
// through a real in-process server and stub, on every backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/core/time_util.h"
#include "common/db/database.h"
#include "crm/v1/account.grpc.pb.h"
#include "crm/v1/event.grpc.pb.h"
#include "crm/v1/keyaccount.grpc.pb.h"
#include "services/kam/plan_logic.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_server.h"

namespace crm {
namespace {

using crm::v1::AccountPlan;
using crm::v1::AccountTier;
using testing::CallAs;
using testing::HasCodeAndField;

constexpr char kUnknownPlanId[] = "plan_01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kUnknownAccountId[] = "acc_01ARZ3NDEKTSV4RRFFQ69G5FAV";

// Monday 2026-11-30 12:00 UTC.
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 30, 12, 0, 0), absl::UTCTimeZone());

crm::v1::Date MakeDate(int year, int month, int day) {
  crm::v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

bool SameDate(const crm::v1::Date& a, const crm::v1::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day();
}

AccountPlan MakePlan(const std::string& account_id) {
  AccountPlan plan;
  plan.set_account_id(account_id);
  plan.add_objectives("Grow wallet share to 40 %");
  plan.add_objectives("  Land the EMEA rollout  ");
  crm::v1::PlanAction* call = plan.add_actions();
  call->set_description("Executive sponsor call");
  call->set_owner("olga");
  *call->mutable_due_date() = MakeDate(2026, 12, 15);
  crm::v1::PlanAction* workshop = plan.add_actions();
  workshop->set_description("Roadmap workshop");
  workshop->set_id("client-chosen");  // ignored: the server assigns action ids
  return plan;
}

class PlanTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<testing::TestDatabase>(GetParam());
    CRM_SKIP_IF_UNAVAILABLE(*database_);
    server_ = std::make_unique<testing::TestServer>(*database_);
    ASSERT_TRUE(server_->ok()) << server_->status();
    kam_ = crm::v1::KeyAccountService::NewStub(server_->channel());
    accounts_ = crm::v1::AccountService::NewStub(server_->channel());
    events_ = crm::v1::EventService::NewStub(server_->channel());
    server_->clock().Set(kNow);
    strategic_ = MustCreateAccount("Acme", crm::v1::ACCOUNT_TIER_STRATEGIC, "olga");
  }
  void TearDown() override {
    server_.reset();
    database_.reset();
  }

  // The tier is written directly (reclassification's job).
  std::string MustCreateAccount(const std::string& name, AccountTier tier, const std::string& owner) {
    crm::v1::CreateAccountRequest request;
    request.mutable_account()->set_name(name);
    request.mutable_account()->set_owner(owner);
    crm::v1::Account out;
    grpc::Status s = accounts_->CreateAccount(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::Status written = server_->runtime().db->Write([&](db::Tx& tx) -> absl::Status {
      long long number = tier;
      tx.session() << "UPDATE accounts SET tier = :tier WHERE id = :id", soci::use(number, "tier"),
          soci::use(out.id(), "id");
      return absl::OkStatus();
    });
    EXPECT_TRUE(written.ok()) << written;
    return out.id();
  }

  grpc::Status Create(const AccountPlan& plan, AccountPlan* out, const std::string& request_id = "",
                      const std::string& user = "alice") {
    crm::v1::CreateAccountPlanRequest request;
    *request.mutable_plan() = plan;
    request.set_request_id(request_id);
    return kam_->CreateAccountPlan(CallAs(user).get(), request, out);
  }

  AccountPlan MustCreate(const AccountPlan& plan) {
    AccountPlan out;
    grpc::Status s = Create(plan, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(const std::string& id, AccountPlan* out) {
    crm::v1::GetAccountPlanRequest request;
    request.set_id(id);
    return kam_->GetAccountPlan(CallAs().get(), request, out);
  }

  AccountPlan MustGet(const std::string& id) {
    AccountPlan out;
    grpc::Status s = Get(id, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Update(const AccountPlan& patch, const std::vector<std::string>& paths, const std::string& etag,
                      AccountPlan* out) {
    crm::v1::UpdateAccountPlanRequest request;
    *request.mutable_plan() = patch;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_etag(etag);
    return kam_->UpdateAccountPlan(CallAs().get(), request, out);
  }

  AccountPlan MustMoveReview(const std::string& id, const crm::v1::Date& date) {
    AccountPlan patch;
    patch.set_id(id);
    *patch.mutable_next_review_date() = date;
    AccountPlan out;
    grpc::Status s = Update(patch, {"next_review_date"}, "", &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status List(const crm::v1::ListAccountPlansRequest& request, crm::v1::ListAccountPlansResponse* out) {
    return kam_->ListAccountPlans(CallAs().get(), request, out);
  }

  // Every page's plan ids, in order.
  std::vector<std::string> ListIds(crm::v1::ListAccountPlansRequest request) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100; ++pages) {
      crm::v1::ListAccountPlansResponse out;
      grpc::Status s = List(request, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const AccountPlan& p : out.plans()) ids.push_back(p.id());
      if (out.next_page_token().empty()) break;
      request.set_page_token(out.next_page_token());
    }
    return ids;
  }

  std::vector<crm::v1::Event> Events(const std::string& type, const std::string& user = "") {
    crm::v1::ListEventsRequest request;
    request.add_types(type);
    request.set_user(user);
    request.set_page_size(1000);
    crm::v1::ListEventsResponse out;
    grpc::Status s = events_->ListEvents(CallAs().get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.events().begin(), out.events().end()};
  }

  int MustEmit(kam::PlanLogic& logic, absl::Time now) {
    absl::StatusOr<int> emitted = logic.EmitDueReviews(now);
    EXPECT_TRUE(emitted.ok()) << emitted.status();
    return emitted.ok() ? *emitted : -1;
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<crm::v1::KeyAccountService::Stub> kam_;
  std::unique_ptr<crm::v1::AccountService::Stub> accounts_;
  std::unique_ptr<crm::v1::EventService::Stub> events_;
  std::string strategic_;
};

TEST_P(PlanTest, CreateAppliesDefaultsAndAssignsIds) {
  const AccountPlan plan = MustCreate(MakePlan(strategic_));
  EXPECT_EQ(plan.id().rfind("plan_", 0), 0u) << plan.id();
  EXPECT_EQ(plan.account_id(), strategic_);
  EXPECT_EQ(plan.owner(), "olga");  // the account's owner
  ASSERT_EQ(plan.objectives_size(), 2);
  EXPECT_EQ(plan.objectives(1), "Land the EMEA rollout");
  // Strategic accounts are reviewed every 30 days: 2026-11-30 + 30.
  EXPECT_TRUE(SameDate(plan.next_review_date(), MakeDate(2026, 12, 30))) << plan.next_review_date().DebugString();
  ASSERT_EQ(plan.actions_size(), 2);
  std::set<std::string> action_ids;
  for (const auto& action : plan.actions()) {
    EXPECT_EQ(action.id().rfind("pact_", 0), 0u) << action.id();
    action_ids.insert(action.id());
  }
  EXPECT_EQ(action_ids.size(), 2u);
  EXPECT_EQ(plan.actions(0).owner(), "olga");
  EXPECT_TRUE(SameDate(plan.actions(0).due_date(), MakeDate(2026, 12, 15)));
  EXPECT_EQ(TimestampToTime(plan.create_time()), kNow);
  EXPECT_FALSE(plan.etag().empty());

  // Get returns what Create returned.
  const AccountPlan got = MustGet(plan.id());
  EXPECT_EQ(got.SerializeAsString(), plan.SerializeAsString());

  const std::vector<crm::v1::Event> events = Events("account_plan.created", "olga");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].entity_id(), plan.id());
  EXPECT_EQ(events[0].actor(), "alice");

  // A given date and owner are kept; a tier without a review cadence gets no date by default.
  const std::string potential = MustCreateAccount("Prospect", crm::v1::ACCOUNT_TIER_POTENTIAL, "pete");
  AccountPlan explicit_plan = MakePlan(strategic_);
  explicit_plan.set_owner("dana");
  *explicit_plan.mutable_next_review_date() = MakeDate(2027, 1, 4);
  const AccountPlan kept = MustCreate(explicit_plan);
  EXPECT_EQ(kept.owner(), "dana");
  EXPECT_TRUE(SameDate(kept.next_review_date(), MakeDate(2027, 1, 4)));
  const AccountPlan undated = MustCreate(MakePlan(potential));
  EXPECT_FALSE(undated.has_next_review_date());
  EXPECT_EQ(undated.owner(), "pete");
}

TEST_P(PlanTest, CreateRejectsBadInputNamingTheField) {
  AccountPlan out;
  AccountPlan no_objectives = MakePlan(strategic_);
  no_objectives.clear_objectives();
  EXPECT_TRUE(HasCodeAndField(Create(no_objectives, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.objectives"));
  AccountPlan too_many = MakePlan(strategic_);
  for (int i = 0; i < 49; ++i) too_many.add_objectives("more");
  EXPECT_TRUE(HasCodeAndField(Create(too_many, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.objectives"));
  AccountPlan blank = MakePlan(strategic_);
  blank.set_objectives(1, "   ");
  EXPECT_TRUE(HasCodeAndField(Create(blank, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.objectives[1]"));
  AccountPlan long_objective = MakePlan(strategic_);
  long_objective.set_objectives(0, std::string(501, 'x'));
  EXPECT_TRUE(
      HasCodeAndField(Create(long_objective, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.objectives[0]"));
  AccountPlan undescribed = MakePlan(strategic_);
  undescribed.mutable_actions(1)->set_description("");
  EXPECT_TRUE(HasCodeAndField(Create(undescribed, &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "plan.actions[1].description"));
  AccountPlan bad_due = MakePlan(strategic_);
  *bad_due.mutable_actions(0)->mutable_due_date() = MakeDate(2026, 2, 30);
  EXPECT_TRUE(
      HasCodeAndField(Create(bad_due, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.actions[0].due_date"));
  AccountPlan many_actions = MakePlan(strategic_);
  for (int i = 0; i < 199; ++i) many_actions.add_actions()->set_description("step");
  EXPECT_TRUE(HasCodeAndField(Create(many_actions, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.actions"));
  AccountPlan bad_review = MakePlan(strategic_);
  *bad_review.mutable_next_review_date() = MakeDate(2026, 13, 1);
  EXPECT_TRUE(
      HasCodeAndField(Create(bad_review, &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.next_review_date"));
  EXPECT_TRUE(HasCodeAndField(Create(MakePlan(""), &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.account_id"));
  EXPECT_TRUE(
      HasCodeAndField(Create(MakePlan(kUnknownAccountId), &out), grpc::StatusCode::NOT_FOUND, "plan.account_id"));
  // A soft-deleted account takes no new plans.
  const std::string gone = MustCreateAccount("Gone", crm::v1::ACCOUNT_TIER_KEY, "olga");
  crm::v1::DeleteAccountRequest remove;
  remove.set_id(gone);
  crm::v1::Account removed;
  ASSERT_GRPC_OK(accounts_->DeleteAccount(CallAs().get(), remove, &removed));
  EXPECT_TRUE(
      HasCodeAndField(Create(MakePlan(gone), &out), grpc::StatusCode::FAILED_PRECONDITION, "plan.account_id"));
  crm::v1::CreateAccountPlanRequest empty;
  EXPECT_TRUE(HasCodeAndField(kam_->CreateAccountPlan(CallAs().get(), empty, &out),
                              grpc::StatusCode::INVALID_ARGUMENT, "plan"));

  // Exactly at the limits is fine.
  AccountPlan at_limits = MakePlan(strategic_);
  for (int i = 0; i < 48; ++i) at_limits.add_objectives("more");
  at_limits.set_objectives(0, std::string(500, 'x'));
  for (int i = 0; i < 198; ++i) at_limits.add_actions()->set_description("step");
  ASSERT_GRPC_OK(Create(at_limits, &out));
  EXPECT_EQ(out.objectives_size(), 50);
  EXPECT_EQ(out.actions_size(), 200);
  EXPECT_EQ(Events("account_plan.created").size(), 1u);
}

TEST_P(PlanTest, CreateWithARequestIdRunsOnce) {
  AccountPlan first, again;
  ASSERT_GRPC_OK(Create(MakePlan(strategic_), &first, "req-1"));
  ASSERT_GRPC_OK(Create(MakePlan(strategic_), &again, "req-1"));
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(again.actions(0).id(), first.actions(0).id());
  EXPECT_EQ(Events("account_plan.created").size(), 1u);
  // The same request id with another body.
  AccountPlan other = MakePlan(strategic_);
  other.add_objectives("Something else");
  AccountPlan out;
  EXPECT_TRUE(HasCodeAndField(Create(other, &out, "req-1"), grpc::StatusCode::ALREADY_EXISTS, "request_id"));
  crm::v1::ListAccountPlansRequest all;
  EXPECT_EQ(ListIds(all).size(), 1u);
}

TEST_P(PlanTest, GetUnknownIsNotFound) {
  AccountPlan out;
  EXPECT_TRUE(HasCodeAndField(Get(kUnknownPlanId, &out), grpc::StatusCode::NOT_FOUND, "id"));
  EXPECT_TRUE(HasCodeAndField(Get("", &out), grpc::StatusCode::INVALID_ARGUMENT, "id"));
}

TEST_P(PlanTest, UpdateUnderEtagWithFieldMask) {
  const AccountPlan created = MustCreate(MakePlan(strategic_));
  AccountPlan patch;
  patch.set_id(created.id());
  patch.add_objectives("Only this one");
  patch.set_owner("ignored, not in the mask");
  AccountPlan updated;
  ASSERT_GRPC_OK(Update(patch, {"objectives"}, created.etag(), &updated));
  ASSERT_EQ(updated.objectives_size(), 1);
  EXPECT_EQ(updated.objectives(0), "Only this one");
  EXPECT_EQ(updated.owner(), "olga");
  EXPECT_EQ(updated.actions_size(), 2);
  EXPECT_NE(updated.etag(), created.etag());
  const std::vector<crm::v1::Event> events = Events("account_plan.updated", "olga");
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].changes_size(), 1);
  EXPECT_EQ(events[0].changes(0).field(), "objectives");

  // The old etag is stale now: nothing changes.
  patch.set_objectives(0, "Stale");
  AccountPlan out;
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"objectives"}, created.etag(), &out), grpc::StatusCode::ABORTED));
  EXPECT_EQ(MustGet(created.id()).objectives(0), "Only this one");
  EXPECT_TRUE(HasCodeAndField(Update(patch, {"objectives"}, "not-an-etag", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "etag"));

  // Actions: kept ids stay, a new action gets one, an unknown id is refused.
  AccountPlan actions;
  actions.set_id(created.id());
  crm::v1::PlanAction* kept = actions.add_actions();
  *kept = updated.actions(1);
  kept->set_done(true);
  actions.add_actions()->set_description("Quarterly business review");
  ASSERT_GRPC_OK(Update(actions, {"actions"}, updated.etag(), &out));
  ASSERT_EQ(out.actions_size(), 2);
  EXPECT_EQ(out.actions(0).id(), updated.actions(1).id());
  EXPECT_TRUE(out.actions(0).done());
  EXPECT_EQ(out.actions(1).id().rfind("pact_", 0), 0u);
  EXPECT_NE(out.actions(1).id(), updated.actions(0).id());
  actions.mutable_actions(1)->set_id("pact_unknown");
  EXPECT_TRUE(
      HasCodeAndField(Update(actions, {"actions"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.actions[1].id"));

  // Other refusals.
  AccountPlan no_owner;
  no_owner.set_id(created.id());
  EXPECT_TRUE(
      HasCodeAndField(Update(no_owner, {"owner"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT, "plan.owner"));
  EXPECT_TRUE(HasCodeAndField(Update(no_owner, {"objectives"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "plan.objectives"));
  EXPECT_TRUE(HasCodeAndField(Update(no_owner, {"account_id"}, "", &out), grpc::StatusCode::INVALID_ARGUMENT,
                              "update_mask.paths[0]"));
  AccountPlan unknown = patch;
  unknown.set_id(kUnknownPlanId);
  EXPECT_TRUE(HasCodeAndField(Update(unknown, {"objectives"}, "", &out), grpc::StatusCode::NOT_FOUND, "plan.id"));
  EXPECT_EQ(Events("account_plan.updated").size(), 2u);
}

TEST_P(PlanTest, ListFiltersAndPages) {
  const std::string other = MustCreateAccount("Other", crm::v1::ACCOUNT_TIER_KEY, "pete");
  AccountPlan early = MakePlan(strategic_);
  *early.mutable_next_review_date() = MakeDate(2026, 12, 5);
  const AccountPlan p1 = MustCreate(early);
  const AccountPlan p2 = MustCreate(MakePlan(other));  // key: review in 90 days, owner pete
  const AccountPlan p3 = MustCreate(MakePlan(strategic_));  // review 2026-12-30
  AccountPlan undated = MakePlan(other);
  const AccountPlan p4 = MustCreate(undated);
  AccountPlan cleared;
  cleared.set_id(p4.id());
  AccountPlan out;
  ASSERT_GRPC_OK(Update(cleared, {"next_review_date"}, "", &out));
  EXPECT_FALSE(out.has_next_review_date());

  crm::v1::ListAccountPlansRequest all;
  all.set_page_size(1);
  EXPECT_EQ(ListIds(all), (std::vector<std::string>{p1.id(), p2.id(), p3.id(), p4.id()}));
  crm::v1::ListAccountPlansRequest by_account;
  by_account.set_account_id(strategic_);
  EXPECT_EQ(ListIds(by_account), (std::vector<std::string>{p1.id(), p3.id()}));
  crm::v1::ListAccountPlansRequest by_owner;
  by_owner.set_owner("pete");
  by_owner.set_page_size(1);
  EXPECT_EQ(ListIds(by_owner), (std::vector<std::string>{p2.id(), p4.id()}));
  crm::v1::ListAccountPlansRequest due;
  *due.mutable_review_due_by() = MakeDate(2026, 12, 30);
  EXPECT_EQ(ListIds(due), (std::vector<std::string>{p1.id(), p3.id()}));
  *due.mutable_review_due_by() = MakeDate(2026, 12, 29);
  EXPECT_EQ(ListIds(due), (std::vector<std::string>{p1.id()}));

  crm::v1::ListAccountPlansResponse page;
  crm::v1::ListAccountPlansRequest forged;
  forged.set_page_token("forged");
  EXPECT_TRUE(HasCodeAndField(List(forged, &page), grpc::StatusCode::INVALID_ARGUMENT, "page_token"));
  crm::v1::ListAccountPlansRequest bad_date;
  *bad_date.mutable_review_due_by() = MakeDate(2026, 2, 31);
  EXPECT_TRUE(HasCodeAndField(List(bad_date, &page), grpc::StatusCode::INVALID_ARGUMENT, "review_due_by"));
}

TEST_P(PlanTest, OneReminderPerReviewDateAndReArmedWhenMoved) {
  AccountPlan soon = MakePlan(strategic_);
  *soon.mutable_next_review_date() = MakeDate(2026, 12, 2);
  const AccountPlan plan = MustCreate(soon);
  kam::PlanLogic logic(server_->runtime());

  EXPECT_EQ(MustEmit(logic, kNow), 0);
  EXPECT_EQ(MustEmit(logic, kNow + absl::Hours(35)), 0);  // 2026-12-01 23:00 UTC: the day before
  // On the review day (UTC): one reminder, and only one however often the job runs.
  const absl::Time review_day = kNow + absl::Hours(48);
  EXPECT_EQ(MustEmit(logic, review_day), 1);
  EXPECT_EQ(MustEmit(logic, review_day), 0);
  EXPECT_EQ(MustEmit(logic, review_day + absl::Hours(72)), 0);
  std::vector<crm::v1::Event> reminders = Events("account_plan.review_due", "olga");
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0].entity(), "account_plan");
  EXPECT_EQ(reminders[0].entity_id(), plan.id());
  EXPECT_EQ(reminders[0].change(), crm::v1::CHANGE_KIND_NOTICE);
  EXPECT_EQ(reminders[0].actor(), "system");
  // Reminders are not changes of the plan.
  EXPECT_EQ(MustGet(plan.id()).etag(), plan.etag());

  // Editing something else does not owe a new reminder.
  AccountPlan retitle;
  retitle.set_id(plan.id());
  retitle.add_objectives("Renewed objective");
  AccountPlan out;
  ASSERT_GRPC_OK(Update(retitle, {"objectives"}, "", &out));
  EXPECT_EQ(MustEmit(logic, review_day + absl::Hours(72)), 0);

  // Moving the review later re-arms it: nothing before the new date, one reminder on it.
  MustMoveReview(plan.id(), MakeDate(2026, 12, 9));
  EXPECT_EQ(MustEmit(logic, kNow + absl::Hours(24 * 8)), 0);
  EXPECT_EQ(MustEmit(logic, kNow + absl::Hours(24 * 9)), 1);
  EXPECT_EQ(MustEmit(logic, kNow + absl::Hours(24 * 9)), 0);
  reminders = Events("account_plan.review_due", "olga");
  ASSERT_EQ(reminders.size(), 2u);
  // The notice names the account and the review date it is for.
  std::string account_json, date_json;
  for (const auto& change : reminders[1].changes()) {
    if (change.field() == "account_id") account_json = change.after();
    if (change.field() == "next_review_date") date_json = change.after();
  }
  EXPECT_NE(account_json.find(strategic_), std::string::npos) << reminders[1].DebugString();
  EXPECT_NE(date_json.find("\"day\":9"), std::string::npos) << reminders[1].DebugString();
  // Clearing the date owes nothing.
  AccountPlan cleared;
  cleared.set_id(plan.id());
  ASSERT_GRPC_OK(Update(cleared, {"next_review_date"}, "", &out));
  EXPECT_EQ(MustEmit(logic, kNow + absl::Hours(24 * 30)), 0);
}

TEST_P(PlanTest, TwoProcessesSendEachReminderOnce) {
  constexpr int kPlans = 12;
  std::vector<std::string> ids;
  for (int i = 0; i < kPlans; ++i) {
    AccountPlan p = MakePlan(strategic_);
    *p.mutable_next_review_date() = MakeDate(2026, 11, 30);
    ids.push_back(MustCreate(p).id());
  }
  kam::PlanLogic first(server_->runtime());
  kam::PlanLogic second(server_->runtime());
  int sent_first = -1, sent_second = -1;
  std::thread a([&] { sent_first = MustEmit(first, kNow); });
  std::thread b([&] { sent_second = MustEmit(second, kNow); });
  a.join();
  b.join();
  EXPECT_EQ(sent_first + sent_second, kPlans);
  EXPECT_EQ(MustEmit(first, kNow), 0);
  const std::vector<crm::v1::Event> reminders = Events("account_plan.review_due");
  ASSERT_EQ(reminders.size(), static_cast<size_t>(kPlans));
  std::set<std::string> reminded;
  for (const auto& e : reminders) reminded.insert(e.entity_id());
  EXPECT_EQ(reminded, std::set<std::string>(ids.begin(), ids.end()));
}

INSTANTIATE_TEST_SUITE_P(Backends, PlanTest, ::testing::ValuesIn(testing::AllBackends()), testing::BackendName());

}  // namespace
}  // namespace crm
