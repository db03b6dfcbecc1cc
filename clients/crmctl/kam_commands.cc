#include "clients/crmctl/kam_commands.h"

#include <map>
#include <ostream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/progress_bar.h"
#include "clients/crmctl/servicedesk_commands.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;

absl::Status Invalid(absl::string_view what, absl::string_view text, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": '", text, "' is not ", expected));
}

// Items of a list: separated by any of `separators`, trimmed, empty ones dropped.
std::vector<absl::string_view> Items(absl::string_view text, const char* separators) {
  std::vector<absl::string_view> items;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(separators))) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// "0.3", "80": shortest text that reads back the same.
std::string Number(double value) { return absl::StrFormat("%g", value); }

// Every name a ScoringWeights dimension has, for messages that say what is accepted.
std::string DimensionNames() {
  std::vector<std::string> names;
  const google::protobuf::Descriptor& type = *v1::ScoringWeights::descriptor();
  for (int i = 0; i < type.field_count(); ++i) names.push_back(type.field(i)->name());
  return absl::StrJoin(names, ", ");
}

// `<verb> <account-id> [key=value ...]`: `request` gets the id at `id_path`, the arguments
// (renamed by `aliases`) on `targets`, then `call(request)` is printed.
template <typename Request, typename Call>
int RunWithAccount(CommandContext& context, Request& request, google::protobuf::Message* entity,
                   const std::string& id_path, const std::map<std::string, std::string>& aliases,
                   Call call) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<account-id>"});
  if (!id.ok()) return context.Usage(id.status());
  std::vector<ArgumentTarget> targets = {{&request}};
  if (entity != nullptr) targets.insert(targets.begin(), ArgumentTarget{entity});
  if (absl::Status s = SetFieldFromText(request, id_path, id->front()); !s.ok()) {
    return context.Usage(s);
  }
  if (absl::Status s = context.ApplyArguments(targets, aliases); !s.ok()) return context.Usage(s);
  return context.PrintResult(call(request));
}

// ---- scoring model ---------------------------------------------------------------------------

std::vector<Column> ScoringModelColumns() {
  using M = v1::ScoringModel;
  return {FieldColumn("VERSION", "version"),
          FieldColumn("CREATED", "create_time"),
          FieldColumn("BY", "created_by"),
          FieldColumn("WINDOW", "window_days"),
          TypedColumn<M>("ABC", [](const M& m) { return FormatAbcThresholds(m.abc()); }),
          TypedColumn<M>("TIERS", [](const M& m) { return FormatTierCutoffs(m.tiers()); }),
          FieldColumn("REEVALUATE", "reevaluate_every_days"),
          FieldColumn("NOTE", "note", kTextWidth)};
}

// The record of every field, and in table form the weights, ABC thresholds and cut-offs again
// in the syntax `scoring-model update` reads.
int PrintModel(CommandContext& context, const absl::StatusOr<v1::ScoringModel>& model) {
  const int code = context.PrintResult(model);
  if (code != kExitOk || context.format() != OutputFormat::kTable) return code;
  context.out() << "weights: " << FormatWeights(model->weights()) << '\n'
                << "abc: " << FormatAbcThresholds(model->abc()) << '\n'
                << "tiers: " << FormatTierCutoffs(model->tiers()) << '\n';
  return code;
}

int GetModel(CommandContext& context, client::KeyAccountClient& kam) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::GetScoringModelRequest request;
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintModel(context, kam.GetScoringModel(request));
}

int ListModels(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListScoringModelsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListScoringModels,
                   &client::KeyAccountClient::ListAllScoringModels,
                   &v1::ListScoringModelsResponse::models, ScoringModelColumns());
}

// A new version from the one it is based on (based_on=, else the version in force) with the
// given changes: named weights change and the others keep theirs, so a small change is a small
// command. The version read becomes based_on_version, so a change made meanwhile is ABORTED
// instead of overwritten (and the client may retry the call).
int UpdateModel(CommandContext& context, client::KeyAccountClient& kam) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  v1::GetScoringModelRequest base_request;
  absl::optional<std::string> based_on = context.TakeArgument("based_on");
  if (!based_on.has_value()) based_on = context.TakeArgument("based_on_version");
  if (based_on.has_value()) {
    if (absl::Status s = SetFieldFromText(base_request, "version", *based_on); !s.ok()) {
      return context.Usage(s);
    }
  }
  absl::StatusOr<v1::ScoringModel> base = kam.GetScoringModel(base_request);
  if (!base.ok()) return context.Fail(base.status());

  v1::UpdateScoringModelRequest request;
  request.set_based_on_version(base->version());
  v1::ScoringModel& model = *request.mutable_model();
  model = *base;
  model.clear_version();
  model.clear_created_by();
  model.clear_create_time();
  model.clear_note();  // says why the base was made, not why this one is

  std::vector<std::string> changed;
  if (absl::optional<std::string> weights = context.TakeArgument("weights")) {
    if (absl::Status s = ParseWeights(*weights, *model.mutable_weights()); !s.ok()) {
      return context.Usage(s);
    }
    changed.push_back("weights");
  }
  if (absl::optional<std::string> abc = context.TakeArgument("abc")) {
    absl::StatusOr<v1::AbcThresholds> parsed = ParseAbcThresholds(*abc);
    if (!parsed.ok()) return context.Usage(parsed.status());
    *model.mutable_abc() = *parsed;
    changed.push_back("abc");
  }
  if (absl::optional<std::string> tiers = context.TakeArgument("tiers")) {
    absl::StatusOr<std::vector<v1::TierCutoff>> parsed = ParseTierCutoffs(*tiers);
    if (!parsed.ok()) return context.Usage(parsed.status());
    model.clear_tiers();
    for (const v1::TierCutoff& cutoff : *parsed) *model.add_tiers() = cutoff;
    changed.push_back("tiers");
  }
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"window", "window_days"},
      {"reevaluate_every", "reevaluate_every_days"},
      {"new_max_days", "lifecycle.new_max_days"},
      {"growth", "lifecycle.growth_min_change"},
      {"decline", "lifecycle.decline_min_change"},
      {"trend_period", "lifecycle.trend_period_days"},
      {"margin", "lifetime_value.margin"},
      {"lifetime_years", "lifetime_value.default_lifetime_years"}};
  if (absl::Status s = context.ApplyArguments({{&model, &changed}}, *kAliases); !s.ok()) {
    return context.Usage(s);
  }
  // The mask names top-level fields; a nested one (lifecycle.new_max_days) sends its whole
  // message, the rest of which is the base's.
  std::set<std::string> paths;
  for (const std::string& path : changed) {
    paths.insert(std::string(absl::string_view(path).substr(0, path.find('.'))));
  }
  paths.erase("note");
  if (paths.empty()) {
    return context.Usage(absl::InvalidArgumentError("nothing to change"));
  }
  paths.insert("note");  // else the new version would carry the base's note
  for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
  return PrintModel(context, kam.UpdateScoringModel(request));
}

// ---- reclassify ------------------------------------------------------------------------------

int RunReclassify(CommandContext& context, client::KeyAccountClient& kam) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  absl::StatusOr<bool> dry_run = context.TakeSwitch("dry_run");
  if (!dry_run.ok()) return context.Usage(dry_run.status());
  v1::ReclassifyRequest request;
  request.set_dry_run(*dry_run);
  if (absl::Status s = context.ApplyArguments(
          {{&request}}, {{"model", "model_version"}, {"version", "model_version"}});
      !s.ok()) {
    return context.Usage(s);
  }
  ProgressBar bar(context.err(), StderrIsTerminal(),
                  *dry_run ? "reclassifying (dry run)" : "reclassifying");
  absl::StatusOr<v1::ReclassifySummary> summary =
      kam.Reclassify(request, [&bar](const v1::ReclassifyProgress& progress) {
        bar.Update(progress.accounts_done(), progress.accounts_total());
        return true;
      });
  bar.Finish();
  const int code = context.PrintResult(summary);
  if (code == kExitOk && *dry_run && context.format() == OutputFormat::kTable) {
    context.out() << "dry run: no tier or tier change was written\n";
  }
  return code;
}

// ---- classifications -------------------------------------------------------------------------

std::vector<Column> ClassificationColumns() {
  return {FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("TIER", "tier"),
          FieldColumn("COMPUTED", "computed_tier"),
          TypedColumn<v1::AccountClassification>("SCORE",
                                                 [](const v1::AccountClassification& c) {
                                                   return absl::StrFormat("%.1f",
                                                                          c.composite_score());
                                                 }),
          FieldColumn("ABC", "abc_class"),
          FieldColumn("R", "recency_score"),
          FieldColumn("F", "frequency_score"),
          FieldColumn("M", "monetary_score"),
          FieldColumn("SEGMENT", "rfm_segment"),
          FieldColumn("LIFECYCLE", "lifecycle_stage"),
          FieldColumn("REVENUE", "window_revenue"),
          FieldColumn("MODEL", "model_version"),
          FieldColumn("AS OF", "as_of")};
}

std::vector<Column> DimensionColumns() {
  using D = v1::DimensionScore;
  return {FieldColumn("DIMENSION", "dimension"),
          TypedColumn<D>("VALUE", [](const D& d) { return absl::StrFormat("%.3f", d.value()); }),
          TypedColumn<D>("WEIGHT", [](const D& d) { return Number(d.weight()); }),
          TypedColumn<D>("POINTS",
                         [](const D& d) { return absl::StrFormat("%.1f", d.contribution()); })};
}

int GetClassification(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<account-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetClassificationRequest request;
  request.set_account_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintWithRows(kam.GetClassification(request), "dimensions", DimensionColumns());
}

int ListClassifications(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListClassificationsRequest request;
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"abc", "abc_class"},
                                             {"segment", "rfm_segment"},
                                             {"lifecycle", "lifecycle_stage"},
                                             {"order", "order_by"}};
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}}, *kAliases);
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListClassifications,
                   &client::KeyAccountClient::ListAllClassifications,
                   &v1::ListClassificationsResponse::classifications, ClassificationColumns());
}

// ---- qualitative inputs, overrides, tier changes ---------------------------------------------

int SetQualitative(CommandContext& context, client::KeyAccountClient& kam) {
  v1::SetQualitativeInputsRequest request;
  return RunWithAccount(
      context, request, request.mutable_inputs(), "inputs.account_id",
      {{"industry", "industry_influence"}, {"cooperation", "cooperation_potential"}},
      [&](const auto& r) { return kam.SetQualitativeInputs(r); });
}

int SetOverride(CommandContext& context, client::KeyAccountClient& kam) {
  v1::SetTierOverrideRequest request;
  return RunWithAccount(context, request, request.mutable_override(), "override.account_id",
                        {{"expires", "expire_time"}, {"expire", "expire_time"}},
                        [&](const auto& r) { return kam.SetTierOverride(r); });
}

int ClearOverride(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<account-id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::ClearTierOverrideRequest request;
  request.set_account_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  absl::StatusOr<v1::ClearTierOverrideResponse> response = kam.ClearTierOverride(request);
  if (!response.ok()) return context.Fail(response.status());
  // The response is empty: say what happened rather than print nothing.
  if (context.format() == OutputFormat::kJson) {
    context.out() << ToJsonLine(*response) << '\n';
  } else {
    context.out() << "cleared the tier override of " << request.account_id() << '\n';
  }
  return kExitOk;
}

std::vector<Column> TierChangeColumns() {
  return {FieldColumn("TIME", "change_time"), FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("FROM", "old_tier"),    FieldColumn("TO", "new_tier"),
          FieldColumn("SOURCE", "source"),    FieldColumn("MODEL", "model_version"),
          FieldColumn("ACTOR", "actor"),      FieldColumn("REASON", "reason", 60)};
}

int ListTierChanges(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListTierChangesRequest request;
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"from", "period_start"}, {"to", "period_end"}, {"tier", "new_tier"}};
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}}, *kAliases);
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListTierChanges,
                   &client::KeyAccountClient::ListAllTierChanges,
                   &v1::ListTierChangesResponse::changes, TierChangeColumns());
}

// ---- tier policies and relationship upkeep ---------------------------------------------------

std::vector<Column> TierPolicyColumns() {
  return {FieldColumn("TIER", "tier"),
          FieldColumn("MANAGER REQUIRED", "dedicated_manager_required"),
          FieldColumn("SLA TIER", "sla_tier"),
          FieldColumn("REVIEW EVERY", "review_every_days"),
          FieldColumn("CONTACT EVERY", "contact_every_days"),
          FieldColumn("UPDATED", "update_time")};
}

int ListTierPolicies(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListTierPoliciesRequest request;
  if (absl::Status s = context.ReadListArguments({{&request}}).status(); !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintPage(kam.ListTierPolicies(request), &v1::ListTierPoliciesResponse::policies,
                           TierPolicyColumns());
}

// `update <tier> key=value ...`: the named fields become the mask.
int UpdateTierPolicy(CommandContext& context, client::KeyAccountClient& kam) {
  absl::StatusOr<std::vector<std::string>> tier = context.Positional({"<tier>"});
  if (!tier.ok()) return context.Usage(tier.status());
  v1::UpdateTierPolicyRequest request;
  v1::TierPolicy& policy = *request.mutable_policy();
  if (absl::Status s = SetFieldFromText(policy, "tier", tier->front()); !s.ok()) {
    return context.Usage(s);
  }
  std::vector<std::string> changed;
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"manager_required", "dedicated_manager_required"},
                                             {"review_every", "review_every_days"},
                                             {"contact_every", "contact_every_days"}};
  if (absl::Status s = context.ApplyArguments({{&request}, {&policy, &changed}}, *kAliases);
      !s.ok()) {
    return context.Usage(s);
  }
  if (!request.has_update_mask()) {
    if (changed.empty()) return context.Usage(absl::InvalidArgumentError("nothing to change"));
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  return context.PrintResult(kam.UpdateTierPolicy(request));
}

std::vector<Column> AccountRefColumns(const std::string& prefix) {
  return {FieldColumn("ACCOUNT", prefix + "account_id"), FieldColumn("NAME", prefix + "name", 30),
          FieldColumn("TIER", prefix + "tier"), FieldColumn("OWNER", prefix + "owner")};
}

int ListWithoutManager(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListAccountsWithoutManagerRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, kam, request,
                   &client::KeyAccountClient::ListAccountsWithoutManager,
                   &client::KeyAccountClient::ListAllAccountsWithoutManager,
                   &v1::ListAccountsWithoutManagerResponse::accounts, AccountRefColumns(""));
}

int ListOverdue(CommandContext& context, client::KeyAccountClient& kam) {
  v1::ListOverdueContactsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  std::vector<Column> columns = AccountRefColumns("account.");
  columns.push_back(FieldColumn("LAST CONTACT", "last_interaction_time"));
  columns.push_back(FieldColumn("CADENCE", "cadence_days"));
  columns.push_back(FieldColumn("DAYS OVERDUE", "days_overdue"));
  return PrintList(context, *all, kam, request, &client::KeyAccountClient::ListOverdueContacts,
                   &client::KeyAccountClient::ListAllOverdueContacts,
                   &v1::ListOverdueContactsResponse::contacts, std::move(columns));
}

constexpr char kModelUpdate[] =
    "[weights=\"revenue_contribution=0.3,profit=0.1,...\"] [abc=0.8/0.95] "
    "[tiers=\"strategic=80,key=60,standard=30,potential=0\"] [window=<days>] "
    "[new_max_days=] [growth=] [decline=] [trend_period=<days>] [margin=0-1] "
    "[lifetime_years=] [reevaluate_every=<days>] [note=...] [based_on=<version>]";

}  // namespace

std::function<int(CommandContext&)> WithKeyAccounts(KeyAccountRun run) {
  return [run = std::move(run)](CommandContext& context) {
    client::KeyAccountClient kam = context.keyaccount();
    return run(context, kam);
  };
}

absl::Status ParseWeights(absl::string_view text, v1::ScoringWeights& weights) {
  const std::vector<absl::string_view> items = Items(text, ";,");
  if (items.empty()) return Invalid("weights", text, "dimension=weight items");
  for (absl::string_view item : items) {
    std::vector<absl::string_view> sides = absl::StrSplit(item, absl::MaxSplits('=', 1));
    const std::string name(absl::StripAsciiWhitespace(sides[0]));
    const google::protobuf::FieldDescriptor* field =
        v1::ScoringWeights::descriptor()->FindFieldByName(name);
    if (field == nullptr) {
      return Invalid("weights", name, absl::StrCat("a dimension (", DimensionNames(), ")"));
    }
    double weight = 0;
    if (sides.size() != 2 || !absl::SimpleAtod(absl::StripAsciiWhitespace(sides[1]), &weight)) {
      return Invalid("weights", item, "dimension=weight like profit=0.1");
    }
    weights.GetReflection()->SetDouble(&weights, field, weight);
  }
  return absl::OkStatus();
}

std::string FormatWeights(const v1::ScoringWeights& weights) {
  std::vector<std::string> items;
  const google::protobuf::Descriptor& type = *v1::ScoringWeights::descriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const double weight = weights.GetReflection()->GetDouble(weights, type.field(i));
    if (weight != 0) items.push_back(absl::StrCat(type.field(i)->name(), "=", Number(weight)));
  }
  return absl::StrJoin(items, ", ");
}

absl::StatusOr<v1::AbcThresholds> ParseAbcThresholds(absl::string_view text) {
  std::vector<absl::string_view> shares = absl::StrSplit(text, absl::MaxSplits('/', 1));
  v1::AbcThresholds abc;
  double a = 0;
  double b = 0;
  if (shares.size() != 2 || !absl::SimpleAtod(absl::StripAsciiWhitespace(shares[0]), &a) ||
      !absl::SimpleAtod(absl::StripAsciiWhitespace(shares[1]), &b)) {
    return Invalid("abc", text, "two shares like 0.8/0.95");
  }
  abc.set_a_max_share(a);
  abc.set_b_max_share(b);
  return abc;
}

std::string FormatAbcThresholds(const v1::AbcThresholds& abc) {
  if (abc.a_max_share() == 0 && abc.b_max_share() == 0) return "";
  return absl::StrCat(Number(abc.a_max_share()), "/", Number(abc.b_max_share()));
}

absl::StatusOr<std::vector<v1::TierCutoff>> ParseTierCutoffs(absl::string_view text) {
  std::vector<v1::TierCutoff> tiers;
  for (absl::string_view item : Items(text, ";,")) {
    std::vector<absl::string_view> sides = absl::StrSplit(item, absl::MaxSplits('=', 1));
    v1::TierCutoff cutoff;
    double min_score = 0;
    if (sides.size() != 2 || !absl::SimpleAtod(absl::StripAsciiWhitespace(sides[1]), &min_score)) {
      return Invalid("tiers", item, "tier=lowest score like key=60");
    }
    if (absl::Status s = SetFieldFromText(cutoff, "tier", absl::StripAsciiWhitespace(sides[0]));
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("tiers: ", s.message()));
    }
    cutoff.set_min_score(min_score);
    tiers.push_back(std::move(cutoff));
  }
  if (tiers.empty()) return Invalid("tiers", text, "tier=lowest score items");
  return tiers;
}

std::string FormatTierCutoffs(const google::protobuf::RepeatedPtrField<v1::TierCutoff>& tiers) {
  std::vector<std::string> items;
  for (const v1::TierCutoff& cutoff : tiers) {
    items.push_back(absl::StrCat(FieldText(cutoff, "tier"), "=", Number(cutoff.min_score())));
  }
  return absl::StrJoin(items, ", ");
}

absl::StatusOr<std::vector<v1::PlanAction>> ParsePlanActions(absl::string_view text) {
  std::vector<v1::PlanAction> actions;
  for (absl::string_view item : Items(text, ";")) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, '|');
    for (absl::string_view& part : parts) part = absl::StripAsciiWhitespace(part);
    const bool done = parts.size() == 4 && absl::AsciiStrToLower(parts[3]) == "done";
    if ((parts.size() != 3 && !done) || parts[0].empty()) {
      return Invalid("actions", item, "an action like Quarterly review|alice|2026-12-31[|done]");
    }
    v1::PlanAction action;
    action.set_description(std::string(parts[0]));
    action.set_owner(std::string(parts[1]));
    if (!parts[2].empty()) {
      if (absl::Status s = SetFieldFromText(action, "due_date", parts[2]); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("actions: ", s.message()));
      }
    }
    action.set_done(done);
    actions.push_back(std::move(action));
  }
  return actions;
}

std::string FormatPlanActions(const google::protobuf::RepeatedPtrField<v1::PlanAction>& actions) {
  std::vector<std::string> items;
  for (const v1::PlanAction& action : actions) {
    std::string item =
        absl::StrCat(action.description(), "|", action.owner(), "|", FieldText(action, "due_date"));
    if (action.done()) absl::StrAppend(&item, "|done");
    items.push_back(std::move(item));
  }
  return absl::StrJoin(items, "; ");
}

std::vector<Command> KeyAccountCommands() {
  return {
      {"scoring-model", "get", "[version=<n>]",
       "Show the scoring model in force, or an older version", WithKeyAccounts(GetModel)},
      {"scoring-model", "list", "[page_size=] [page_token=] [--all]",
       "Every version of the scoring model, newest first", WithKeyAccounts(ListModels)},
      {"scoring-model", "update", kModelUpdate,
       "Make a new version from the one in force (or based_on=): weights name the dimensions "
       "that change (revenue_contribution, profit, purchase_frequency, recency, tenure, "
       "payment_behaviour, satisfaction, industry_influence, cooperation_potential), abc the "
       "A/B cumulative revenue shares, tiers each tier's lowest score; ABORTED when another "
       "version came meanwhile",
       WithKeyAccounts(UpdateModel)},
      {"reclassify", "run", "[as_of=<time>] [model_version=<n>] [--dry_run]",
       "Classify every account (ABC, RFM, lifecycle, score, tier) with a progress bar, then "
       "show the summary; --dry_run writes nothing",
       WithKeyAccounts(RunReclassify)},
      {"classifications", "get", "<account-id>",
       "An account's latest classification with each dimension's part of the score",
       WithKeyAccounts(GetClassification)},
      {"classifications", "list",
       "[tier=strategic|key|standard|potential] [abc=a|b|c] [segment=champions|loyal|...] "
       "[lifecycle=new|growth|mature|decline] [owner=] [order=\"composite_score desc\"|"
       "account_id] [page_size=] [page_token=] [--all]",
       "Classifications, highest score first unless order= says otherwise",
       WithKeyAccounts(ListClassifications)},
      {"qualitative", "set", "<account-id> industry_influence=1-5 cooperation_potential=1-5",
       "Set the qualitative judgement of an account (0 = not assessed)",
       WithKeyAccounts(SetQualitative)},
      {"tier-override", "set", "<account-id> tier=<tier> reason=... expires=<time>",
       "A manual tier that wins over the formula until it expires", WithKeyAccounts(SetOverride)},
      {"tier-override", "clear", "<account-id> reason=...",
       "End an account's override; the formula's tier applies again",
       WithKeyAccounts(ClearOverride)},
      {"tier-changes", "list",
       "[account=<id>] [from=<date>] [to=<date>] [tier=<new tier>] [page_size=] [page_token=] "
       "[--all]",
       "Tier changes, newest first, with their source and reason",
       WithKeyAccounts(ListTierChanges)},
      {"tier-policies", "list", "", "How each tier is served", WithKeyAccounts(ListTierPolicies)},
      {"tier-policies", "update",
       "<tier> [dedicated_manager_required=true|false] [sla_tier=<tier>] "
       "[review_every_days=<n>] [contact_every_days=<n>]",
       "Change how a tier is served (only the named fields)", WithKeyAccounts(UpdateTierPolicy)},
      {"accounts-without-manager", "list", "[page_size=] [page_token=] [--all]",
       "Accounts of tiers that require a dedicated manager but have none",
       WithKeyAccounts(ListWithoutManager)},
      {"overdue-contacts", "list", "[owner=<user>] [page_size=] [page_token=] [--all]",
       "Key accounts not contacted within their tier's cadence, most overdue first",
       WithKeyAccounts(ListOverdue)},
  };
}

}  // namespace crm::crmctl
