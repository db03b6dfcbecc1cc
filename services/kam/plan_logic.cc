#include "services/kam/plan_logic.h"

#include <soci/soci.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/tier_policy_store.h"
#include "services/kam/plan_store.h"

namespace crm::kam {
namespace {

using crm::v1::AccountPlan;

constexpr char kIdPrefix[] = "plan";
constexpr char kActionIdPrefix[] = "pact";
constexpr char kCreateScope[] = "kam.plans.create";
constexpr char kListScope[] = "kam.plans.list";
constexpr char kSystemActor[] = "system";
// A round reads owed reminders batch after batch; the cap bounds one round after a backlog (the
// rest go out next period).
constexpr int kReviewBatchSize = 100;
constexpr int kMaxReviewBatches = 20;
// Upper bound on waiting for the database in one round (real time, not the business clock).
constexpr absl::Duration kReviewRoundBudget = absl::Seconds(30);

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields =
      new absl::flat_hash_set<std::string>{"objectives", "actions", "next_review_date", "owner"};
  return *fields;
}

bool IsZeroDate(const crm::v1::Date& date) { return date.year() == 0 && date.month() == 0 && date.day() == 0; }

// Trims free text; an all-zero date counts as no date ("0 is given").
void NormalisePlan(AccountPlan& plan) {
  plan.set_owner(Trimmed(plan.owner()));
  for (std::string& objective : *plan.mutable_objectives()) objective = Trimmed(objective);
  for (crm::v1::PlanAction& action : *plan.mutable_actions()) {
    action.set_description(Trimmed(action.description()));
    action.set_owner(Trimmed(action.owner()));
    if (action.has_due_date() && IsZeroDate(action.due_date())) action.clear_due_date();
  }
  if (plan.has_next_review_date() && IsZeroDate(plan.next_review_date())) plan.clear_next_review_date();
}

// Every client-settable field of a normalised plan except account_id.
absl::Status ValidatePlan(const AccountPlan& p) {
  Validator v;
  v.Check(p.objectives_size() >= 1 && p.objectives_size() <= kMaxPlanObjectives, "plan.objectives",
          absl::StrCat("must hold 1 to ", kMaxPlanObjectives, " objectives"));
  for (int i = 0; i < p.objectives_size() && i < kMaxPlanObjectives; ++i) {
    v.RequiredText(p.objectives(i), absl::StrCat("plan.objectives[", i, "]"), kMaxObjectiveLength);
  }
  v.Check(p.actions_size() <= kMaxPlanActions, "plan.actions", absl::StrCat("at most ", kMaxPlanActions, " actions"));
  for (int i = 0; i < p.actions_size() && i < kMaxPlanActions; ++i) {
    const crm::v1::PlanAction& a = p.actions(i);
    const std::string prefix = absl::StrCat("plan.actions[", i, "]");
    v.Check(!a.description().empty(), prefix + ".description", "is required");
    v.OptionalLongText(a.description(), prefix + ".description", kMaxActionDescriptionLength);
    v.OptionalText(a.owner(), prefix + ".owner", kMaxShortTextLength);
    v.OptionalDate(a.due_date(), a.has_due_date(), prefix + ".due_date");
  }
  v.OptionalDate(p.next_review_date(), p.has_next_review_date(), "plan.next_review_date");
  v.OptionalText(p.owner(), "plan.owner", kMaxShortTextLength);
  return v.status();
}

// Gives new actions (no id) fresh ids; an id must be one of `existing` and appear once.
absl::Status AssignActionIds(AccountPlan& plan, const absl::flat_hash_set<std::string>& existing, absl::Time now) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < plan.actions_size(); ++i) {
    crm::v1::PlanAction* action = plan.mutable_actions(i);
    if (action->id().empty()) {
      action->set_id(NewIdAt(kActionIdPrefix, now));
    } else if (!existing.contains(action->id())) {
      return InvalidField(absl::StrCat("plan.actions[", i, "].id"),
                          "names no action of this plan; leave it empty for a new action");
    } else if (!seen.insert(action->id()).second) {
      return InvalidField(absl::StrCat("plan.actions[", i, "].id"), "appears twice");
    }
  }
  return absl::OkStatus();
}

std::optional<int64_t> ReviewDayOf(const AccountPlan& plan) {
  if (!plan.has_next_review_date()) return std::nullopt;
  absl::StatusOr<int64_t> day = DayNumberFromDate(plan.next_review_date(), "plan.next_review_date");
  return day.ok() ? std::optional<int64_t>(*day) : std::nullopt;
}

absl::StatusOr<std::optional<AccountPlan>> FindCreated(soci::session& sql, const std::string& id) {
  return PlanStore::Find(sql, id);
}

absl::Status AppendPlanEvent(const server::Runtime& rt, db::Tx& tx, const char* type, crm::v1::ChangeKind kind,
                             const AccountPlan* before, const AccountPlan& after, const server::CallContext& call,
                             const std::string& request_id, absl::Time now) {
  return rt.outbox->AppendChange(tx, type, kAccountPlanEntity, after.id(), kind,
                                 DiffMessages(before, after, BookkeepingFields()), after.owner(), call.actor,
                                 request_id, now);
}

}  // namespace

absl::StatusOr<AccountPlan> PlanLogic::Create(const server::CallContext& call,
                                              const crm::v1::CreateAccountPlanRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_plan(), "plan", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (request.has_plan()) request_checks.RequiredId(request.plan().account_id(), "plan.account_id");
  if (!request_checks.ok()) return request_checks.status();

  AccountPlan plan;
  // Only what a caller may set; ids, times and the etag are the server's.
  plan.set_account_id(request.plan().account_id());
  *plan.mutable_objectives() = request.plan().objectives();
  *plan.mutable_actions() = request.plan().actions();
  if (request.plan().has_next_review_date()) *plan.mutable_next_review_date() = request.plan().next_review_date();
  plan.set_owner(request.plan().owner());
  NormalisePlan(plan);
  if (absl::Status valid = ValidatePlan(plan); !valid.ok()) return valid;
  const absl::Time now = rt_.clock->Now();
  for (crm::v1::PlanAction& action : *plan.mutable_actions()) action.set_id(NewIdAt(kActionIdPrefix, now));
  plan.set_id(NewIdAt(kIdPrefix, now));
  *plan.mutable_create_time() = TimeToTimestamp(now);
  *plan.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<AccountPlan>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, FindCreated,
      [&](db::Tx& tx) -> absl::StatusOr<AccountPlan> {
        AccountPlan created = plan;
        absl::StatusOr<crm::v1::Account> account =
            accounts::FindLiveAccount(tx, created.account_id(), "plan.account_id");
        if (!account.ok()) return account.status();
        if (created.owner().empty()) created.set_owner(!account->owner().empty() ? account->owner() : call.actor);
        if (!created.has_next_review_date()) {
          absl::StatusOr<std::optional<crm::v1::TierPolicy>> policy =
              accounts::TierPolicyStore::Find(tx.session(), account->tier());
          if (!policy.ok()) return policy.status();
          if (policy->has_value() && (*policy)->review_every_days() > 0) {
            *created.mutable_next_review_date() =
                DateFromDayNumber(DayNumberOf(now) + (*policy)->review_every_days());
          }
        }
        if (absl::Status s = PlanStore::Insert(tx, created); !s.ok()) return s;
        created.set_etag(FormatEtag(1));
        absl::Status event = AppendPlanEvent(rt_, tx, "account_plan.created", crm::v1::CHANGE_KIND_CREATED, nullptr,
                                             created, call, request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<AccountPlan> PlanLogic::Get(const server::CallContext& call,
                                           const crm::v1::GetAccountPlanRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<AccountPlan>(*rt_.db, call.deadline, PlanStore::Find, request.id(), kAccountPlanEntity);
}

absl::StatusOr<AccountPlan> PlanLogic::Update(const server::CallContext& call,
                                              const crm::v1::UpdateAccountPlanRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_plan(), "plan", "is required");
  if (request.has_plan()) request_checks.RequiredId(request.plan().id(), "plan.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.plan(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  bool rearm_review = false;
  db::VersionedChange<AccountPlan> op;
  op.load = PlanStore::FindForUpdate;
  op.not_found = [&] { return NoSuchEntity("plan.id", kAccountPlanEntity, request.plan().id()); };
  op.change = [&](db::Tx&, const AccountPlan& before) -> absl::StatusOr<std::optional<AccountPlan>> {
    AccountPlan after = before;
    ApplyPaths(request.plan(), *paths, &after);
    NormalisePlan(after);
    if (after.owner().empty()) return InvalidField("plan.owner", "cannot be cleared; every plan has an owner");
    if (absl::Status s = ValidatePlan(after); !s.ok()) return s;
    absl::flat_hash_set<std::string> existing;
    for (const crm::v1::PlanAction& action : before.actions()) existing.insert(action.id());
    if (absl::Status s = AssignActionIds(after, existing, now); !s.ok()) return s;
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<AccountPlan>();
    rearm_review = ReviewDayOf(before) != ReviewDayOf(after);
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<AccountPlan>(std::move(after));
  };
  op.store = [&](db::Tx& tx, const AccountPlan&, const AccountPlan& after, int64_t revision) {
    return PlanStore::Update(tx, after, revision, rearm_review);
  };
  op.after_write = [&](db::Tx& tx, const AccountPlan& before, const AccountPlan& after) {
    return AppendPlanEvent(rt_, tx, "account_plan.updated", crm::v1::CHANGE_KIND_UPDATED, &before, after, call,
                           call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.plan().id(), request.etag(), "etag", kAccountPlanEntity,
                             op);
}

absl::StatusOr<crm::v1::ListAccountPlansResponse> PlanLogic::List(const server::CallContext& call,
                                                                  const crm::v1::ListAccountPlansRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.OptionalText(request.account_id(), "account_id", kMaxIdLength);
  v.OptionalText(request.owner(), "owner", kMaxShortTextLength);
  v.OptionalDate(request.review_due_by(), request.has_review_due_by() && !IsZeroDate(request.review_due_by()),
                 "review_due_by");
  if (!v.ok()) return v.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();

  PlanListQuery query;
  query.account_id = request.account_id();
  query.owner = request.owner();
  if (request.has_review_due_by() && !IsZeroDate(request.review_due_by())) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.review_due_by(), "review_due_by");
    if (!day.ok()) return day.status();
    query.review_due_by_day = *day;
  }
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<AccountPlan>> plans =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return PlanStore::List(sql, query); });
  if (!plans.ok()) return plans.status();
  crm::v1::ListAccountPlansResponse response;
  response.set_next_page_token(
      page->Finish(&*plans, [](const AccountPlan& p) { return KeysetPage::Cursor{p.id()}; }));
  for (AccountPlan& plan : *plans) *response.add_plans() = std::move(plan);
  return response;
}

absl::StatusOr<int> PlanLogic::EmitDueReviews(absl::Time now) {
  const int64_t today = DayNumberOf(now);
  const absl::Time deadline = absl::Now() + kReviewRoundBudget;
  int emitted = 0;
  for (int batch = 0; batch < kMaxReviewBatches; ++batch) {
    absl::StatusOr<std::vector<DueReview>> due = db::ReadValue(
        *rt_.db, deadline, [&](soci::session& sql) { return PlanStore::DueReviews(sql, today, kReviewBatchSize); });
    if (!due.ok()) return due.status();
    for (const DueReview& review : *due) {
      bool claimed = false;
      absl::Status status = rt_.db->Write(
          [&](db::Tx& tx) -> absl::Status {
            claimed = false;  // the transaction may run more than once
            absl::StatusOr<bool> won = PlanStore::ClaimReview(tx, review);
            if (!won.ok()) return won.status();
            if (!*won) return absl::OkStatus();  // sent by another process, or the date moved meanwhile
            absl::StatusOr<std::optional<AccountPlan>> plan = PlanStore::Find(tx.session(), review.plan_id);
            if (!plan.ok()) return plan.status();
            if (!plan->has_value()) return absl::InternalError("claimed account plan vanished");
            // The notice names the account and the review date it is for.
            AccountPlan notice;
            notice.set_account_id((*plan)->account_id());
            *notice.mutable_next_review_date() = DateFromDayNumber(review.review_day);
            claimed = true;
            return rt_.outbox->AppendChange(tx, "account_plan.review_due", kAccountPlanEntity, review.plan_id,
                                            crm::v1::CHANGE_KIND_NOTICE, DiffMessages(nullptr, notice),
                                            (*plan)->owner(), kSystemActor, "", now);
          },
          deadline);
      if (!status.ok()) return status;
      if (claimed) ++emitted;
    }
    if (static_cast<int>(due->size()) < kReviewBatchSize) break;
  }
  return emitted;
}

}  // namespace crm::kam
