#include "clients/crmctl/kam_plans_commands.h"

#include <map>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/kam_commands.h"
#include "clients/crmctl/servicedesk_commands.h"

namespace crm::crmctl {
namespace {

// ---- account plans ---------------------------------------------------------------------------

// objectives= and actions= in their own syntax (objectives separated by ';' only, so that an
// objective may contain a comma); `changed` gets the paths given.
absl::Status TakePlanLists(CommandContext& context, v1::AccountPlan& plan,
                           std::vector<std::string>& changed) {
  absl::optional<std::string> objectives = context.TakeArgument("objectives");
  if (!objectives.has_value()) objectives = context.TakeArgument("objective");
  if (objectives.has_value()) {
    plan.clear_objectives();
    for (absl::string_view objective : absl::StrSplit(*objectives, ';')) {
      objective = absl::StripAsciiWhitespace(objective);
      if (!objective.empty()) plan.add_objectives(std::string(objective));
    }
    changed.push_back("objectives");
  }
  absl::optional<std::string> actions = context.TakeArgument("actions");
  if (!actions.has_value()) actions = context.TakeArgument("action");
  if (actions.has_value()) {
    absl::StatusOr<std::vector<v1::PlanAction>> parsed = ParsePlanActions(*actions);
    if (!parsed.ok()) return parsed.status();
    plan.clear_actions();
    for (const v1::PlanAction& action : *parsed) *plan.add_actions() = action;
    changed.push_back("actions");
  }
  return absl::OkStatus();
}

const std::map<std::string, std::string>& PlanAliases() {
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"next_review", "next_review_date"}};
  return *kAliases;
}

// The record, then in table form the objectives and actions in the syntax create and update
// read.
int PrintPlan(CommandContext& context, const absl::StatusOr<v1::AccountPlan>& plan) {
  const int code = context.PrintResult(plan);
  if (code != kExitOk || context.format() != OutputFormat::kTable) return code;
  context.out() << "objectives: " << absl::StrJoin(plan->objectives(), "; ") << '\n'
                << "actions: " << FormatPlanActions(plan->actions()) << '\n';
  return code;
}

// The server keeps an action by its id and makes one without an id new, while the text form
// has no ids: an action described as one of the plan's is that action (so `|done` marks it done
// rather than adding a second one).
absl::Status KeepActionIds(client::KeyAccountClient& kam, v1::AccountPlan& plan) {
  v1::GetAccountPlanRequest get;
  get.set_id(plan.id());
  absl::StatusOr<v1::AccountPlan> current = kam.GetAccountPlan(get);
  if (!current.ok()) return current.status();
  std::multimap<std::string, std::string> ids_by_description;
  for (const v1::PlanAction& action : current->actions()) {
    ids_by_description.emplace(action.description(), action.id());
  }
  for (v1::PlanAction& action : *plan.mutable_actions()) {
    auto it = ids_by_description.find(action.description());
    if (it == ids_by_description.end()) continue;
    action.set_id(it->second);
    ids_by_description.erase(it);
  }
  return absl::OkStatus();
}

int CreatePlan(CommandContext& context, client::KeyAccountClient& kam) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::CreateAccountPlanRequest request;
  std::vector<std::string> ignored;
  if (absl::Status s = TakePlanLists(context, *request.mutable_plan(), ignored); !s.ok()) {
    return context.Usage(s);
  }
  if (absl::Status s =
          context.ApplyArguments({{&request}, {request.mutable_plan()}}, PlanAliases());
      !s.ok()) {
    return context.Usage(s);
  }
  return PrintPlan(context, kam.CreateAccountPlan(request));
}

int GetPlan(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetAccountPlanRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintPlan(context, kam.GetAccountPlan(request));
}

// `update <id> ... [etag=]`: the named fields become the mask; objectives and actions are
// replaced whole.
int UpdatePlan(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::UpdateAccountPlanRequest request;
  v1::AccountPlan& plan = *request.mutable_plan();
  plan.set_id(id->front());
  std::vector<std::string> changed;
  if (absl::Status s = TakePlanLists(context, plan, changed); !s.ok()) return context.Usage(s);
  if (absl::Status s = context.ApplyArguments({{&request}, {&plan, &changed}}, PlanAliases());
      !s.ok()) {
    return context.Usage(s);
  }
  if (!request.has_update_mask()) {
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  if (plan.actions_size() > 0) {
    absl::Status kept = KeepActionIds(kam, plan);
    if (!kept.ok()) return context.Fail(kept);
  }
  return PrintPlan(context, kam.UpdateAccountPlan(request));
}

std::vector<Column> PlanColumns() {
  using P = v1::AccountPlan;
  return {FieldColumn("ID", "id"),
          FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("OWNER", "owner"),
          FieldColumn("NEXT REVIEW", "next_review_date"),
          TypedColumn<P>(
              "OBJECTIVES", [](const P& p) { return absl::StrJoin(p.objectives(), "; "); }, 50),
          TypedColumn<P>("ACTIONS OPEN",
                         [](const P& p) {
                           int open = 0;
                           for (const v1::PlanAction& action : p.actions()) open += !action.done();
                           return absl::StrCat(open, "/", p.actions_size());
                         }),
          FieldColumn("UPDATED", "update_time")};
}

int ListPlans(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListAccountPlansRequest request;
  absl::StatusOr<bool> all =
      context.ReadListArguments({{&request}}, {{"review_due", "review_due_by"}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListAccountPlans,
                   &client::KeyAccountClient::ListAllAccountPlans,
                   &v1::ListAccountPlansResponse::plans, PlanColumns());
}

// ---- churn risk and lifetime value -----------------------------------------------------------

std::vector<Column> RiskFactorColumns() {
  using F = v1::RiskFactor;
  return {FieldColumn("FACTOR", "factor"),
          TypedColumn<F>("POINTS", [](const F& f) { return absl::StrFormat("%.1f", f.points()); }),
          FieldColumn("DETAIL", "detail", 70)};
}

std::vector<Column> RiskColumns() {
  using R = v1::ChurnRisk;
  return {FieldColumn("ACCOUNT", "account_id"),
          TypedColumn<R>("SCORE", [](const R& r) { return absl::StrFormat("%.1f", r.score()); }),
          TypedColumn<R>(
              "FACTORS",
              [](const R& r) {
                std::vector<std::string> factors;
                for (const v1::RiskFactor& f : r.factors()) {
                  factors.push_back(absl::StrFormat("%s %+.1f", f.factor(), f.points()));
                }
                return absl::StrJoin(factors, ", ");
              },
              70),
          FieldColumn("AS OF", "as_of")};
}

int GetRisk(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<account-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetChurnRiskRequest request;
  request.set_account_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintWithRows(kam.GetChurnRisk(request), "factors", RiskFactorColumns());
}

int ListRisks(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListAccountsAtRiskRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListAccountsAtRisk,
                   &client::KeyAccountClient::ListAllAccountsAtRisk,
                   &v1::ListAccountsAtRiskResponse::risks, RiskColumns());
}

int GetLifetimeValue(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<account-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetLifetimeValueRequest request;
  request.set_account_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(kam.GetLifetimeValue(request));
}

// ---- tier summary ----------------------------------------------------------------------------

std::string Percent(double share) { return absl::StrFormat("%.1f%%", share * 100.0); }

// A few points of the Pareto curve: the revenue share of the top 10 %, 20 %, 50 % of accounts.
std::string ParetoText(const v1::TierSummary& summary) {
  std::vector<std::string> items;
  for (double mark : {0.1, 0.2, 0.5}) {
    for (const v1::ParetoPoint& point : summary.pareto()) {
      if (point.account_share() + 1e-9 >= mark) {
        items.push_back(absl::StrCat("top ", Percent(point.account_share()), " of accounts: ",
                                     Percent(point.revenue_share()), " of revenue"));
        break;
      }
    }
  }
  return absl::StrJoin(items, "; ");
}

// The model and time as a record, then tiers, ABC classes and periods as tables.
int GetTierSummary(CommandContext& context, client::KeyAccountClient& kam) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::GetTierSummaryRequest request;
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"from", "period_start"}, {"to", "period_end"}};
  if (absl::Status s = context.ApplyArguments({{&request}}, *kAliases); !s.ok()) {
    return context.Usage(s);
  }
  absl::StatusOr<v1::TierSummary> summary = kam.GetTierSummary(request);
  if (!summary.ok()) return context.Fail(summary.status());
  if (context.format() == OutputFormat::kJson) {
    context.PrintMessage(*summary);
    return kExitOk;
  }
  std::ostream& out = context.out();
  out << "model_version: " << summary->model_version() << '\n'
      << "as_of: " << FieldText(*summary, "as_of") << '\n';
  const std::string pareto = ParetoText(*summary);
  if (!pareto.empty()) out << "pareto: " << pareto << '\n';
  Table tiers({FieldColumn("TIER", "tier"), FieldColumn("ACCOUNTS", "accounts"),
               TypedColumn<v1::TierShare>(
                   "REVENUE", [](const v1::TierShare& t) { return Percent(t.revenue_share()); })});
  for (const v1::TierShare& share : summary->tiers()) tiers.Add(share);
  out << '\n';
  tiers.Print(out);
  Table abc({FieldColumn("ABC", "abc_class"), FieldColumn("ACCOUNTS", "accounts"),
             TypedColumn<v1::AbcShare>(
                 "REVENUE", [](const v1::AbcShare& a) { return Percent(a.revenue_share()); })});
  for (const v1::AbcShare& share : summary->abc()) abc.Add(share);
  out << '\n';
  abc.Print(out);
  Table periods({FieldColumn("PERIOD", "period_start"), FieldColumn("UPGRADES", "upgrades"),
                 FieldColumn("DOWNGRADES", "downgrades"),
                 TypedColumn<v1::PeriodTierChanges>("CHURN", [](const v1::PeriodTierChanges& p) {
                   return Percent(p.churn_rate());
                 })});
  for (const v1::PeriodTierChanges& period : summary->periods()) periods.Add(period);
  out << '\n';
  periods.Print(out);
  return kExitOk;
}

constexpr char kPlanFields[] =
    "[objectives=\"Grow share of wallet; Open APAC\"] "
    "[actions=\"QBR|alice|2026-12-31; Exec visit|bob|2027-03-01|done\"] "
    "[next_review=<date>] [owner=<user>]";

}  // namespace

std::vector<Command> KeyAccountPlanCommands() {
  return {
      {"account-plans", "create", absl::StrCat("account=<id> ", kPlanFields, " [request_id=]"),
       "Create a key account plan. objectives: separated by ';'. actions: separated by ';', "
       "each description|owner|due date, with |done when done",
       WithKeyAccounts(CreatePlan)},
      {"account-plans", "get", "<id>", "Show one account plan", WithKeyAccounts(GetPlan)},
      {"account-plans", "update", absl::StrCat("<id> ", kPlanFields, " [etag=...]"),
       "Change a plan: objectives and actions are replaced whole, an action described as one "
       "of the plan's keeping its identity (so |done marks it done); with etag= a stale plan "
       "is refused",
       WithKeyAccounts(UpdatePlan)},
      {"account-plans", "list",
       "[account=<id>] [owner=<user>] [review_due=<date>] [page_size=] [page_token=] [--all]",
       "Account plans (review_due: plans whose next review is on or before the date)",
       WithKeyAccounts(ListPlans)},
      {"churn-risk", "get", "<account-id>",
       "An account's churn risk 0-100 with the factors adding to it", WithKeyAccounts(GetRisk)},
      {"churn-risk", "list",
       "[min_score=<0-100, default 50>] [tier=<tier>] [owner=<user>] [page_size=] "
       "[page_token=] [--all]",
       "Accounts at risk, highest risk first", WithKeyAccounts(ListRisks)},
      {"lifetime-value", "get", "<account-id>",
       "Customer lifetime value: average order value x purchases per year x expected lifetime "
       "x margin, with each input",
       WithKeyAccounts(GetLifetimeValue)},
      {"tier-summary", "get", "[from=<date>] [to=<date>] [granularity=month|quarter]",
       "Accounts and revenue share per tier and ABC class, the Pareto curve, and upgrades, "
       "downgrades and churn rate per period (default: the last 12 months)",
       WithKeyAccounts(GetTierSummary)},
  };
}

}  // namespace crm::crmctl
