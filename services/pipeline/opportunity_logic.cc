#include "services/pipeline/opportunity_logic.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/money.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"
#include "services/pipeline/campaign_store.h"
#include "services/pipeline/funnel_aggregates.h"
#include "services/pipeline/opportunity_store.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/pipeline/pipelines_store.h"

namespace crm::pipeline {
namespace {

using crm::v1::Opportunity;
using crm::v1::Pipeline;
using crm::v1::Stage;

constexpr char kCreateScope[] = "opportunities.create";
constexpr char kListScope[] = "opportunities.list";
constexpr char kStageChangesScope[] = "opportunities.stage_changes";
constexpr size_t kMaxLostReasonLength = 2000;

// Stage and status move only through Move / Close / Reopen; account, pipeline and lead never
// change.
const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "name", "amount", "expected_close_date", "owner", "probability", "source_campaign_id", "source_channel",
      "custom_fields"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NoSuchEntity(field, kOpportunityEntity, id);
}

// An opportunity as callers see it: without the values of removed custom fields.
absl::StatusOr<std::optional<Opportunity>> FindVisible(soci::session& sql, const std::string& id) {
  return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, OpportunityStore::Find(sql, id));
}

const char* StatusWord(crm::v1::OpportunityStatus status) {
  switch (status) {
    case crm::v1::OPPORTUNITY_STATUS_OPEN:
      return "open";
    case crm::v1::OPPORTUNITY_STATUS_WON:
      return "won";
    case crm::v1::OPPORTUNITY_STATUS_LOST:
      return "lost";
    default:
      return "in no known state";
  }
}

// Every client-settable field of `o`, named under `prefix`. Cross-record rules (account,
// pipeline, stage, close date vs. creation, rates) are checked where the records are read.
void CheckFields(const Opportunity& o, const std::string& prefix, Validator& v) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  v.RequiredText(o.name(), f("name"), kMaxNameLength);
  v.RequiredId(o.account_id(), f("account_id"));
  if (o.has_amount()) {
    for (const FieldViolation& violation : MoneyViolations(o.amount(), f("amount"), false)) {
      v.Check(false, violation.field, violation.description);
    }
  }
  if (!o.pipeline_id().empty()) v.RequiredId(o.pipeline_id(), f("pipeline_id"));
  if (!o.stage_id().empty()) v.RequiredId(o.stage_id(), f("stage_id"));
  v.Check(o.probability() >= 0 && o.probability() <= 100, f("probability"), "must be between 0 and 100");
  if (o.has_expected_close_date()) {
    v.Check(IsValidDate(o.expected_close_date()), f("expected_close_date"),
            "is not a valid calendar date (years 1 to 9999)");
  }
  v.OptionalText(o.owner(), f("owner"), kMaxShortTextLength);
  if (!o.source_campaign_id().empty()) v.RequiredId(o.source_campaign_id(), f("source_campaign_id"));
  v.Enum(o.source_channel(), crm::v1::LeadChannel_IsValid, f("source_channel"), false);
  if (!o.lead_id().empty()) v.RequiredId(o.lead_id(), f("lead_id"));
  // Each value is checked against its definition in the writing transaction; this only bounds
  // the work.
  v.Check(o.custom_fields_size() <= customfields::kMaxFieldsPerEntity, f("custom_fields"),
          absl::StrCat("at most ", customfields::kMaxFieldsPerEntity, " values"));
}

// INVALID_ARGUMENT naming `field` when the expected close date lies before the day (UTC) the
// opportunity was created.
absl::Status CheckCloseDate(const Opportunity& o, absl::Time create_time, const std::string& field) {
  if (!o.has_expected_close_date()) return absl::OkStatus();
  absl::StatusOr<int64_t> day = DayNumberFromDate(o.expected_close_date(), field);
  if (!day.ok()) return day.status();
  if (*day < DayNumberOf(create_time)) return InvalidField(field, "is before the opportunity was created");
  return absl::OkStatus();
}

// The opportunity's amount in micros of the base currency, when a large-deal threshold is
// configured and it has an amount; nullopt otherwise. A currency without a rate is
// FAILED_PRECONDITION naming "<amount_field>.currency_code".
absl::StatusOr<std::optional<int64_t>> BaseAmountForAlert(const SalesConfig& config, const Opportunity& o,
                                                          const std::string& amount_field) {
  if (!config.large_deal_threshold_micros.has_value() || !o.has_amount()) return std::optional<int64_t>();
  absl::StatusOr<int64_t> base = config.converter.ToBaseMicros(o.amount(), amount_field);
  if (!base.ok()) return base.status();
  return std::optional<int64_t>(*base);
}

bool AtOrAboveThreshold(const SalesConfig& config, const std::optional<int64_t>& base) {
  return base.has_value() && config.large_deal_threshold_micros.has_value() &&
         *base >= *config.large_deal_threshold_micros;
}

std::string JsonString(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

// The NOTICE "opportunity.large_deal" for the owner: what the amount is, in the base currency,
// against which threshold, and what raised it ("created", "moved", "amount_raised").
absl::Status EmitLargeDeal(const server::Runtime& rt, db::Tx& tx, const server::CallContext& call,
                           const SalesConfig& config, const Opportunity& o, int64_t base_micros,
                           absl::string_view trigger, const std::string& request_id, absl::Time now) {
  const std::string& base = config.base_currency();
  std::vector<FieldDelta> deltas = {
      {"amount", "",
       JsonString(FormatAmount(
           Amount{o.amount().currency_code(), o.amount().units() * kMicrosPerUnit + o.amount().nanos() / 1000}))},
      {"base_amount", "", JsonString(FormatAmount(Amount{base, base_micros}))},
      {"large_deal_threshold", "", JsonString(FormatAmount(Amount{base, *config.large_deal_threshold_micros}))},
      {"stage_id", "", JsonString(o.stage_id())},
      {"trigger", "", JsonString(trigger)},
  };
  return rt.outbox->AppendChange(tx, "opportunity.large_deal", kOpportunityEntity, o.id(), crm::v1::CHANGE_KIND_NOTICE,
                                 deltas, o.owner(), call.actor, request_id, now);
}

// NOT_FOUND naming `field` when `campaign_id` (non-empty) names no campaign.
absl::Status CheckCampaign(soci::session& sql, const std::string& campaign_id, const std::string& field) {
  if (campaign_id.empty()) return absl::OkStatus();
  absl::StatusOr<std::optional<crm::v1::Campaign>> campaign = CampaignStore::Find(sql, campaign_id);
  if (!campaign.ok()) return campaign.status();
  if (!campaign->has_value()) return NoSuchEntity(field, "campaign", campaign_id);
  return absl::OkStatus();
}

// The pipeline an opportunity lives in (always present: pipelines are never deleted).
absl::StatusOr<Pipeline> PipelineOf(db::Tx& tx, const Opportunity& o) {
  absl::StatusOr<std::optional<Pipeline>> pipeline = PipelinesStore::Find(tx.session(), o.pipeline_id());
  if (!pipeline.ok()) return pipeline.status();
  if (!pipeline->has_value()) return absl::InternalError(absl::StrCat("pipeline ", o.pipeline_id(), " is missing"));
  return **std::move(pipeline);
}

// An active open stage of `pipeline` named by `stage_id`; INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<const Stage*> OpenStageOf(const Pipeline& pipeline, const std::string& stage_id,
                                         const std::string& field) {
  const Stage* stage = FindStage(pipeline, stage_id);
  if (stage == nullptr) {
    return InvalidField(field, absl::StrCat("is not a stage of pipeline \"", pipeline.id(), "\""));
  }
  if (stage->retired()) return InvalidField(field, absl::StrCat("stage \"", stage->name(), "\" is retired"));
  if (stage->kind() != crm::v1::STAGE_KIND_OPEN) {
    return InvalidField(field, absl::StrCat("stage \"", stage->name(),
                                            "\" is a won or lost stage; close the opportunity with CloseOpportunity"));
  }
  return stage;
}

}  // namespace

absl::StatusOr<crm::v1::StageChange> RecordStageChange(db::Tx& tx, const StageTransition& t) {
  if (t.after == nullptr || t.to_stage == nullptr) return absl::InternalError("a stage change needs its target");
  crm::v1::StageChange change;
  change.set_opportunity_id(t.after->id());
  change.set_pipeline_id(t.after->pipeline_id());
  if (t.from_stage != nullptr) {
    change.set_from_stage_id(t.from_stage->id());
    change.set_from_stage_name(t.from_stage->name());
  }
  change.set_to_stage_id(t.to_stage->id());
  change.set_to_stage_name(t.to_stage->name());
  *change.mutable_change_time() = TimeToTimestamp(t.time);
  change.set_changed_by(t.changed_by);
  absl::StatusOr<crm::v1::StageChange> recorded = OpportunityStore::InsertStageChange(tx, std::move(change));
  if (!recorded.ok()) return recorded.status();
  if (absl::Status s = CountStageChange(tx, t); !s.ok()) return s;
  return recorded;
}

absl::StatusOr<std::optional<Opportunity>> FindOpportunity(soci::session& sql, const std::string& id) {
  return OpportunityStore::Find(sql, id);
}

absl::StatusOr<std::optional<Opportunity>> FindOpportunityForUpdate(db::Tx& tx, const std::string& id) {
  return OpportunityStore::FindForUpdate(tx, id);
}

absl::StatusOr<Opportunity> CreateOpportunityInTx(const server::Runtime& rt, db::Tx& tx,
                                                  const server::CallContext& call, Opportunity opportunity,
                                                  absl::string_view field_prefix, absl::string_view request_id) {
  const std::string prefix(field_prefix);
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  const std::string event_request_id(request_id.empty() ? absl::string_view(call.correlation_id) : request_id);
  opportunity.set_name(std::string(absl::StripAsciiWhitespace(opportunity.name())));
  Validator v;
  CheckFields(opportunity, prefix, v);
  if (!v.ok()) return v.status();

  // Output-only fields are ignored on create: every opportunity starts open.
  opportunity.clear_id();
  opportunity.clear_lost_reason();
  opportunity.clear_close_time();
  opportunity.clear_etag();
  const absl::Time now = rt.clock->Now();
  if (absl::Status s = CheckCloseDate(opportunity, now, f("expected_close_date")); !s.ok()) return s;
  if (opportunity.owner().empty()) opportunity.set_owner(call.actor);

  absl::StatusOr<crm::v1::Account> account = accounts::FindLiveAccount(tx, opportunity.account_id(), f("account_id"));
  if (!account.ok()) return account.status();
  if (absl::Status s = CheckCampaign(tx.session(), opportunity.source_campaign_id(), f("source_campaign_id"));
      !s.ok()) {
    return s;
  }

  // Pipeline: as given, else the one of the given stage, else the default.
  soci::session& sql = tx.session();
  absl::StatusOr<std::optional<Pipeline>> pipeline;
  if (!opportunity.pipeline_id().empty()) {
    pipeline = PipelinesStore::Find(sql, opportunity.pipeline_id());
    if (pipeline.ok() && !pipeline->has_value()) {
      return NoSuchEntity(f("pipeline_id"), kPipelineEntity, opportunity.pipeline_id());
    }
  } else if (!opportunity.stage_id().empty()) {
    pipeline = FindPipelineOfStage(sql, opportunity.stage_id());
    if (pipeline.ok() && !pipeline->has_value()) return InvalidField(f("stage_id"), "is not a stage of any pipeline");
  } else {
    absl::StatusOr<Pipeline> by_default = FindDefaultPipeline(sql);
    if (!by_default.ok()) return by_default.status();
    pipeline = std::optional<Pipeline>(*std::move(by_default));
  }
  if (!pipeline.ok()) return pipeline.status();
  const Pipeline& in = **pipeline;
  opportunity.set_pipeline_id(in.id());

  const Stage* stage = nullptr;
  if (opportunity.stage_id().empty()) {
    stage = FirstOpenStage(in);
    if (stage == nullptr) return absl::InternalError(absl::StrCat("pipeline ", in.id(), " has no open stage"));
  } else {
    absl::StatusOr<const Stage*> chosen = OpenStageOf(in, opportunity.stage_id(), f("stage_id"));
    if (!chosen.ok()) return chosen.status();
    stage = *chosen;
  }
  opportunity.set_stage_id(stage->id());
  // 0 is proto3's "not set": the stage's default probability.
  if (opportunity.probability() == 0) opportunity.set_probability(stage->probability());

  absl::StatusOr<SalesConfig> config = LoadSalesConfig(sql);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::optional<int64_t>> base = BaseAmountForAlert(*config, opportunity, f("amount"));
  if (!base.ok()) return base.status();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, f("custom_fields"));
  if (absl::Status s = values.PrepareCreate(sql, opportunity.mutable_custom_fields()); !s.ok()) return s;

  opportunity.set_id(NewIdAt(kOpportunityIdPrefix, now));
  opportunity.set_status(crm::v1::OPPORTUNITY_STATUS_OPEN);
  *opportunity.mutable_stage_enter_time() = TimeToTimestamp(now);
  *opportunity.mutable_create_time() = TimeToTimestamp(now);
  *opportunity.mutable_update_time() = TimeToTimestamp(now);
  if (absl::Status s = OpportunityStore::Insert(tx, opportunity); !s.ok()) return s;
  opportunity.set_etag(FormatEtag(1));

  StageTransition first;
  first.pipeline = &in;
  first.after = &opportunity;
  first.to_stage = stage;
  first.time = now;
  first.changed_by = call.actor;
  if (absl::StatusOr<crm::v1::StageChange> recorded = RecordStageChange(tx, first); !recorded.ok()) {
    return recorded.status();
  }
  if (absl::Status s =
          rt.outbox->AppendChange(tx, "opportunity.created", kOpportunityEntity, opportunity.id(),
                                  crm::v1::CHANGE_KIND_CREATED, DiffMessages(nullptr, opportunity, BookkeepingFields()),
                                  opportunity.owner(), call.actor, event_request_id, now);
      !s.ok()) {
    return s;
  }
  if (AtOrAboveThreshold(*config, *base)) {
    if (absl::Status s = EmitLargeDeal(rt, tx, call, *config, opportunity, **base, "created", event_request_id, now);
        !s.ok()) {
      return s;
    }
  }
  return opportunity;
}

absl::StatusOr<Opportunity> OpportunityLogic::Create(const server::CallContext& call,
                                                     const crm::v1::CreateOpportunityRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_opportunity(), "opportunity", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();
  Opportunity opportunity = request.opportunity();
  // Only ConvertLead links an opportunity to its lead.
  opportunity.clear_lead_id();
  // Checked before the transaction too, so that bad input never waits for a writer slot.
  Validator v;
  CheckFields(opportunity, "opportunity", v);
  if (!v.ok()) return v.status();

  return db::CreateOnce<Opportunity>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, FindVisible, [&](db::Tx& tx) {
        return CreateOpportunityInTx(rt_, tx, call, opportunity, "opportunity", request.request_id());
      });
}

absl::StatusOr<Opportunity> OpportunityLogic::Get(const server::CallContext& call,
                                                  const crm::v1::GetOpportunityRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Opportunity>(*rt_.db, call.deadline, FindVisible, request.id(), kOpportunityEntity);
}

absl::StatusOr<Opportunity> OpportunityLogic::Update(const server::CallContext& call,
                                                     const crm::v1::UpdateOpportunityRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_opportunity(), "opportunity", "is required");
  if (request.has_opportunity()) request_checks.RequiredId(request.opportunity().id(), "opportunity.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.opportunity(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();
  const bool amount_touched = std::find(paths->begin(), paths->end(), "amount") != paths->end();
  const bool touches_custom_fields = customfields::TouchesCustomFields(*paths);
  const Opportunity& patch = request.opportunity();

  const absl::Time now = rt_.clock->Now();
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity.custom_fields");
  std::optional<SalesConfig> config;
  std::optional<int64_t> base_before, base_after;
  db::VersionedChange<Opportunity> op;
  op.load = OpportunityStore::FindForUpdate;
  op.store = OpportunityStore::Update;
  op.not_found = [&] { return NotFound("opportunity.id", patch.id()); };
  op.change = [&](db::Tx& tx, const Opportunity& before) -> absl::StatusOr<std::optional<Opportunity>> {
    // A transaction run again (busy / deadlock) starts from scratch.
    config.reset();
    base_before.reset();
    base_after.reset();
    // Echoing the opportunity back is fine; naming other values for what only other methods
    // change is not.
    Validator echo;
    echo.Check(patch.account_id().empty() || patch.account_id() == before.account_id(), "opportunity.account_id",
               "cannot be changed");
    echo.Check(patch.pipeline_id().empty() || patch.pipeline_id() == before.pipeline_id(), "opportunity.pipeline_id",
               "cannot be changed");
    echo.Check(patch.stage_id().empty() || patch.stage_id() == before.stage_id(), "opportunity.stage_id",
               "changes through MoveOpportunity");
    echo.Check(patch.status() == crm::v1::OPPORTUNITY_STATUS_UNSPECIFIED || patch.status() == before.status(),
               "opportunity.status", "changes through CloseOpportunity and ReopenOpportunity");
    if (!echo.ok()) return echo.status();

    Opportunity after = before;
    ApplyPaths(patch, *paths, &after);
    after.set_name(std::string(absl::StripAsciiWhitespace(after.name())));
    Validator v;
    CheckFields(after, "opportunity", v);
    v.Check(!after.owner().empty(), "opportunity.owner", "is required");
    if (!v.ok()) return v.status();
    if (absl::Status s =
            CheckCloseDate(after, TimestampToTime(before.create_time()), "opportunity.expected_close_date");
        !s.ok()) {
      return s;
    }
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), after.mutable_custom_fields(),
                                              touches_custom_fields);
        !s.ok()) {
      return s;
    }
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Opportunity>();
    if (after.source_campaign_id() != before.source_campaign_id()) {
      if (absl::Status s = CheckCampaign(tx.session(), after.source_campaign_id(), "opportunity.source_campaign_id");
          !s.ok()) {
        return s;
      }
    }
    if (before.status() != crm::v1::OPPORTUNITY_STATUS_OPEN && after.probability() != before.probability()) {
      return FailedPreconditionField("opportunity.probability",
                                     absl::StrCat("the opportunity is ", StatusWord(before.status()),
                                                  "; its probability is fixed until it is reopened"));
    }
    if (amount_touched && after.has_amount() &&
        !(before.has_amount() && before.amount().SerializeAsString() == after.amount().SerializeAsString())) {
      absl::StatusOr<SalesConfig> loaded = LoadSalesConfig(tx.session());
      if (!loaded.ok()) return loaded.status();
      config = *std::move(loaded);
      absl::StatusOr<std::optional<int64_t>> base = BaseAmountForAlert(*config, after, "opportunity.amount");
      if (!base.ok()) return base.status();
      base_after = *base;
      // The old amount was checked when it was written; should its rate have gone since (only
      // possible while no threshold was set), it simply counts as below the threshold.
      absl::StatusOr<std::optional<int64_t>> old = BaseAmountForAlert(*config, before, "opportunity.amount");
      base_before = old.ok() ? *old : std::nullopt;
    }
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Opportunity>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Opportunity& before, const Opportunity& after) -> absl::Status {
    if (absl::Status s = CountOpportunityUpdate(tx, before, after); !s.ok()) return s;
    if (absl::Status s = rt_.outbox->AppendChange(
            tx, "opportunity.updated", kOpportunityEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
            DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor, call.correlation_id, now);
        !s.ok()) {
      return s;
    }
    // Raised over the threshold by this update, while the deal is still in play.
    if (config.has_value() && after.status() == crm::v1::OPPORTUNITY_STATUS_OPEN &&
        AtOrAboveThreshold(*config, base_after) && !AtOrAboveThreshold(*config, base_before)) {
      return EmitLargeDeal(rt_, tx, call, *config, after, *base_after, "amount_raised", call.correlation_id, now);
    }
    return absl::OkStatus();
  };
  absl::StatusOr<Opportunity> updated =
      db::ChangeVersioned(*rt_.db, call.deadline, patch.id(), request.etag(), "etag", kOpportunityEntity, op);
  if (updated.ok()) values.Present(updated->mutable_custom_fields());
  return updated;
}

absl::StatusOr<crm::v1::ListOpportunitiesResponse> OpportunityLogic::List(
    const server::CallContext& call, const crm::v1::ListOpportunitiesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  if (!request.account_id().empty()) v.RequiredId(request.account_id(), "account_id");
  if (!request.pipeline_id().empty()) v.RequiredId(request.pipeline_id(), "pipeline_id");
  if (!request.stage_id().empty()) v.RequiredId(request.stage_id(), "stage_id");
  v.Enum(request.status(), crm::v1::OpportunityStatus_IsValid, "status", false);
  v.OptionalText(request.owner(), "owner", kMaxShortTextLength);
  OpportunityListQuery query;
  if (request.has_close_from()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.close_from(), "close_from");
    if (day.ok()) query.close_from_day = *day;
    v.Check(day.ok(), "close_from", "is not a valid calendar date (years 1 to 9999)");
  }
  if (request.has_close_to()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.close_to(), "close_to");
    if (day.ok()) query.close_to_day = *day;
    v.Check(day.ok(), "close_to", "is not a valid calendar date (years 1 to 9999)");
  }
  if (query.close_from_day.has_value() && query.close_to_day.has_value()) {
    v.Check(*query.close_from_day <= *query.close_to_day, "close_to", "is before close_from");
  }
  if (!v.ok()) return v.status();

  query.account_id = request.account_id();
  query.pipeline_id = request.pipeline_id();
  query.stage_id = request.stage_id();
  query.status = request.status();
  absl::StatusOr<std::optional<std::vector<std::string>>> owners = call.owners.ListOwners(request.owner(), "owner");
  if (!owners.ok()) return owners.status();
  query.owners = *std::move(owners);
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Opportunity>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Opportunity>> {
        // A filter naming something that does not exist is a mistake, not an empty page.
        if (!query.account_id.empty()) {
          absl::StatusOr<std::optional<crm::v1::Account>> account = accounts::AccountStore::Find(sql, query.account_id);
          if (!account.ok()) return account.status();
          if (!account->has_value()) return NoSuchEntity("account_id", accounts::kAccountEntity, query.account_id);
        }
        if (!query.pipeline_id.empty()) {
          absl::StatusOr<std::optional<Pipeline>> pipeline = PipelinesStore::Find(sql, query.pipeline_id);
          if (!pipeline.ok()) return pipeline.status();
          if (!pipeline->has_value()) return NoSuchEntity("pipeline_id", kPipelineEntity, query.pipeline_id);
        }
        if (!query.stage_id.empty()) {
          absl::StatusOr<std::optional<std::string>> owner = PipelinesStore::PipelineIdOfStage(sql, query.stage_id);
          if (!owner.ok()) return owner.status();
          if (!owner->has_value()) return NoSuchEntity("stage_id", "stage", query.stage_id);
          if (!query.pipeline_id.empty() && **owner != query.pipeline_id) {
            return InvalidField("stage_id", absl::StrCat("is not a stage of pipeline \"", query.pipeline_id, "\""));
          }
        }
        absl::StatusOr<std::vector<customfields::IndexCondition>> conditions =
            customfields::ResolveListFields(sql, crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, request.custom_fields(), std::nullopt,
                                            "custom_fields");
        if (!conditions.ok()) return conditions.status();
        query.custom_conditions = *std::move(conditions);
        return customfields::Visible(sql, crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, OpportunityStore::List(sql, query));
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListOpportunitiesResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const Opportunity& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Opportunity& o : *rows) *response.add_opportunities() = std::move(o);
  return response;
}

namespace {

// What a stage change needs after the row is written: the pipeline as it is now (stage names
// for the history) and the stages left and entered.
struct PendingTransition {
  Pipeline pipeline;
  std::string from_stage_id;
  std::string to_stage_id;
};

// Writes the history row for a change ChangeVersioned has just stored.
absl::Status RecordPending(db::Tx& tx, const PendingTransition& pending, const Opportunity& before,
                           const Opportunity& after, absl::Time now, const std::string& actor) {
  StageTransition t;
  t.pipeline = &pending.pipeline;
  t.before = &before;
  t.after = &after;
  t.from_stage = FindStage(pending.pipeline, pending.from_stage_id);
  t.to_stage = FindStage(pending.pipeline, pending.to_stage_id);
  t.time = now;
  t.changed_by = actor;
  return RecordStageChange(tx, t).status();
}

absl::Status RequireOpen(const Opportunity& o) {
  if (o.status() == crm::v1::OPPORTUNITY_STATUS_OPEN) return absl::OkStatus();
  return FailedPreconditionField(
      "id", absl::StrCat("the opportunity is ", StatusWord(o.status()), "; reopen it first with ReopenOpportunity"));
}

}  // namespace

absl::StatusOr<Opportunity> OpportunityLogic::Move(const server::CallContext& call,
                                                   const crm::v1::MoveOpportunityRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  v.RequiredId(request.stage_id(), "stage_id");
  if (request.has_probability()) {
    v.Check(request.probability() >= 0 && request.probability() <= 100, "probability", "must be between 0 and 100");
  }
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  PendingTransition pending;
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity.custom_fields");
  std::optional<SalesConfig> config;
  db::VersionedChange<Opportunity> op;
  op.load = OpportunityStore::FindForUpdate;
  op.store = OpportunityStore::Update;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.change = [&](db::Tx& tx, const Opportunity& before) -> absl::StatusOr<std::optional<Opportunity>> {
    // For the answer only: a stage change leaves the values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (absl::Status s = RequireOpen(before); !s.ok()) return s;
    absl::StatusOr<Pipeline> pipeline = PipelineOf(tx, before);
    if (!pipeline.ok()) return pipeline.status();
    absl::StatusOr<const Stage*> target = OpenStageOf(*pipeline, request.stage_id(), "stage_id");
    if (!target.ok()) return target.status();
    if ((*target)->id() == before.stage_id()) {
      return FailedPreconditionField("stage_id", "the opportunity is already in this stage");
    }
    Opportunity after = before;
    after.set_stage_id((*target)->id());
    after.set_probability(request.has_probability() ? request.probability() : (*target)->probability());
    *after.mutable_stage_enter_time() = TimeToTimestamp(now);
    *after.mutable_update_time() = TimeToTimestamp(now);
    absl::StatusOr<SalesConfig> loaded = LoadSalesConfig(tx.session());
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
    pending = PendingTransition{*std::move(pipeline), before.stage_id(), after.stage_id()};
    return std::optional<Opportunity>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Opportunity& before, const Opportunity& after) -> absl::Status {
    if (absl::Status s = RecordPending(tx, pending, before, after, now, call.actor); !s.ok()) return s;
    if (absl::Status s = rt_.outbox->AppendChange(
            tx, "opportunity.stage_changed", kOpportunityEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
            DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor, call.correlation_id, now);
        !s.ok()) {
      return s;
    }
    // While a threshold is set every stored amount has a rate (UpdateSalesSettings keeps it so).
    absl::StatusOr<std::optional<int64_t>> base = BaseAmountForAlert(*config, after, "amount");
    if (!base.ok()) return base.status();
    if (!AtOrAboveThreshold(*config, *base)) return absl::OkStatus();
    return EmitLargeDeal(rt_, tx, call, *config, after, **base, "moved", call.correlation_id, now);
  };
  absl::StatusOr<Opportunity> changed =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kOpportunityEntity, op);
  if (changed.ok()) values.Present(changed->mutable_custom_fields());
  return changed;
}

absl::StatusOr<Opportunity> OpportunityLogic::Close(const server::CallContext& call,
                                                    const crm::v1::CloseOpportunityRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  if (request.won()) {
    v.Check(request.lost_reason().empty(), "lost_reason", "applies only when the opportunity is lost");
    v.Check(request.lost_stage_id().empty(), "lost_stage_id", "applies only when the opportunity is lost");
  } else {
    v.Check(!request.lost_reason().empty(), "lost_reason", "is required when the opportunity is lost");
    v.OptionalLongText(request.lost_reason(), "lost_reason", kMaxLostReasonLength);
    if (!request.lost_stage_id().empty()) v.RequiredId(request.lost_stage_id(), "lost_stage_id");
  }
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  PendingTransition pending;
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity.custom_fields");
  db::VersionedChange<Opportunity> op;
  op.load = OpportunityStore::FindForUpdate;
  op.store = OpportunityStore::Update;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.change = [&](db::Tx& tx, const Opportunity& before) -> absl::StatusOr<std::optional<Opportunity>> {
    // For the answer only: a stage change leaves the values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (before.status() != crm::v1::OPPORTUNITY_STATUS_OPEN) {
      return FailedPreconditionField("id", absl::StrCat("the opportunity is already ", StatusWord(before.status())));
    }
    absl::StatusOr<Pipeline> pipeline = PipelineOf(tx, before);
    if (!pipeline.ok()) return pipeline.status();
    const Stage* target = nullptr;
    if (request.won()) {
      target = ActiveWonStage(*pipeline);
    } else if (request.lost_stage_id().empty()) {
      target = FirstLostStage(*pipeline);
    } else {
      target = FindStage(*pipeline, request.lost_stage_id());
      if (target == nullptr || target->kind() != crm::v1::STAGE_KIND_LOST || target->retired()) {
        return InvalidField("lost_stage_id",
                            absl::StrCat("is not an active lost stage of pipeline \"", pipeline->id(), "\""));
      }
    }
    if (target == nullptr)
      return absl::InternalError(absl::StrCat("pipeline ", pipeline->id(), " lacks a close stage"));
    Opportunity after = before;
    after.set_stage_id(target->id());
    after.set_status(request.won() ? crm::v1::OPPORTUNITY_STATUS_WON : crm::v1::OPPORTUNITY_STATUS_LOST);
    after.set_probability(target->probability());
    after.set_lost_reason(request.won() ? "" : request.lost_reason());
    *after.mutable_close_time() = TimeToTimestamp(now);
    *after.mutable_stage_enter_time() = TimeToTimestamp(now);
    *after.mutable_update_time() = TimeToTimestamp(now);
    pending = PendingTransition{*std::move(pipeline), before.stage_id(), after.stage_id()};
    return std::optional<Opportunity>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Opportunity& before, const Opportunity& after) -> absl::Status {
    if (absl::Status s = RecordPending(tx, pending, before, after, now, call.actor); !s.ok()) return s;
    return rt_.outbox->AppendChange(tx, request.won() ? "opportunity.won" : "opportunity.lost", kOpportunityEntity,
                                    after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor,
                                    call.correlation_id, now);
  };
  absl::StatusOr<Opportunity> changed =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kOpportunityEntity, op);
  if (changed.ok()) values.Present(changed->mutable_custom_fields());
  return changed;
}

absl::StatusOr<Opportunity> OpportunityLogic::Reopen(const server::CallContext& call,
                                                     const crm::v1::ReopenOpportunityRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  if (!request.stage_id().empty()) v.RequiredId(request.stage_id(), "stage_id");
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  PendingTransition pending;
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, "opportunity.custom_fields");
  db::VersionedChange<Opportunity> op;
  op.load = OpportunityStore::FindForUpdate;
  op.store = OpportunityStore::Update;
  op.not_found = [&] { return NotFound("id", request.id()); };
  op.change = [&](db::Tx& tx, const Opportunity& before) -> absl::StatusOr<std::optional<Opportunity>> {
    // For the answer only: a stage change leaves the values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (before.status() == crm::v1::OPPORTUNITY_STATUS_OPEN) {
      return FailedPreconditionField("id", "the opportunity is open; only won or lost opportunities can be reopened");
    }
    absl::StatusOr<Pipeline> pipeline = PipelineOf(tx, before);
    if (!pipeline.ok()) return pipeline.status();
    const Stage* target = nullptr;
    if (!request.stage_id().empty()) {
      absl::StatusOr<const Stage*> chosen = OpenStageOf(*pipeline, request.stage_id(), "stage_id");
      if (!chosen.ok()) return chosen.status();
      target = *chosen;
    } else {
      // The stage it was in before closing: where the latest history entry (the close) came from.
      absl::StatusOr<std::optional<crm::v1::StageChange>> last =
          OpportunityStore::LastStageChange(tx.session(), before.id());
      if (!last.ok()) return last.status();
      const Stage* previous = last->has_value() ? FindStage(*pipeline, (*last)->from_stage_id()) : nullptr;
      if (previous == nullptr || previous->kind() != crm::v1::STAGE_KIND_OPEN) previous = FirstOpenStage(*pipeline);
      if (previous == nullptr)
        return absl::InternalError(absl::StrCat("pipeline ", pipeline->id(), " has no open stage"));
      if (previous->retired()) {
        return FailedPreconditionField("stage_id",
                                       absl::StrCat("the stage it was in before closing (\"", previous->name(),
                                                    "\") is retired; name an open stage"));
      }
      target = previous;
    }
    Opportunity after = before;
    after.set_stage_id(target->id());
    after.set_status(crm::v1::OPPORTUNITY_STATUS_OPEN);
    after.set_probability(target->probability());
    after.clear_lost_reason();
    after.clear_close_time();
    *after.mutable_stage_enter_time() = TimeToTimestamp(now);
    *after.mutable_update_time() = TimeToTimestamp(now);
    pending = PendingTransition{*std::move(pipeline), before.stage_id(), after.stage_id()};
    return std::optional<Opportunity>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const Opportunity& before, const Opportunity& after) -> absl::Status {
    if (absl::Status s = RecordPending(tx, pending, before, after, now, call.actor); !s.ok()) return s;
    return rt_.outbox->AppendChange(tx, "opportunity.reopened", kOpportunityEntity, after.id(),
                                    crm::v1::CHANGE_KIND_UPDATED, DiffMessages(&before, after, BookkeepingFields()),
                                    after.owner(), call.actor, call.correlation_id, now);
  };
  absl::StatusOr<Opportunity> changed =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kOpportunityEntity, op);
  if (changed.ok()) values.Present(changed->mutable_custom_fields());
  return changed;
}

absl::StatusOr<crm::v1::ListStageChangesResponse> OpportunityLogic::ListStageChanges(
    const server::CallContext& call, const crm::v1::ListStageChangesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().RequiredId(request.opportunity_id(), "opportunity_id").status(); !s.ok()) return s;
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kStageChangesScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  int64_t after_sequence = 0;
  if (!page->first()) {
    absl::StatusOr<int64_t> sequence = page->IntAt(0);
    if (!sequence.ok()) return sequence.status();
    after_sequence = *sequence;
  }

  absl::StatusOr<std::vector<crm::v1::StageChange>> rows = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<crm::v1::StageChange>> {
        absl::StatusOr<std::optional<Opportunity>> opportunity = OpportunityStore::Find(sql, request.opportunity_id());
        if (!opportunity.ok()) return opportunity.status();
        if (!opportunity->has_value()) return NotFound("opportunity_id", request.opportunity_id());
        return OpportunityStore::ListStageChanges(sql, request.opportunity_id(), after_sequence, page->fetch_limit());
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListStageChangesResponse response;
  response.set_next_page_token(page->Finish(
      &*rows, [](const crm::v1::StageChange& last) { return KeysetPage::Cursor{std::to_string(last.sequence())}; }));
  for (crm::v1::StageChange& c : *rows) *response.add_changes() = std::move(c);
  return response;
}

}  // namespace crm::pipeline
