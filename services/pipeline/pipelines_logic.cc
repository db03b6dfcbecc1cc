#include "services/pipeline/pipelines_logic.h"

#include <soci/soci.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "common/db/sql_error.h"
#include "services/pipeline/opportunity_store.h"
#include "services/pipeline/pipelines_store.h"

namespace crm::pipeline {
namespace {

using crm::v1::Pipeline;
using crm::v1::SalesSettings;
using crm::v1::Stage;

constexpr char kPipelineIdPrefix[] = "pip";
constexpr char kStageIdPrefix[] = "stg";
constexpr char kCreateScope[] = "pipelines.create";
constexpr char kListScope[] = "pipelines.list";
// The settings are one row; its id in events.
constexpr char kSettingsId[] = "1";
constexpr int kMaxStages = 50;
constexpr size_t kMaxStageNameLength = 100;
constexpr int kMaxExpectedDays = 3650;

const absl::flat_hash_set<std::string>& UpdatablePipelineFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"name", "stages", "is_default"};
  return *fields;
}

const absl::flat_hash_set<std::string>& UpdatableSettingsFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"base_currency", "rates", "large_deal_threshold"};
  return *fields;
}

// What DiffMessages skips for the settings: the etag changes on every write.
const absl::flat_hash_set<std::string>& SettingsBookkeeping() {
  static const auto* fields = new absl::flat_hash_set<std::string>{"etag"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NoSuchEntity(field, kPipelineEntity, id);
}

std::string StageField(int index, const char* field) { return absl::StrCat("pipeline.stages[", index, "].", field); }

const char* KindWord(crm::v1::StageKind kind) {
  switch (kind) {
    case crm::v1::STAGE_KIND_OPEN:
      return "open";
    case crm::v1::STAGE_KIND_WON:
      return "won";
    case crm::v1::STAGE_KIND_LOST:
      return "lost";
    default:
      return "unspecified";
  }
}

// Checks the fields of the first `listed` stages (those the caller wrote; any after them are
// stages retired by omission) and the shape of the active stages: open stages in funnel order,
// then exactly one won stage, then at least one lost stage; active names unique
// (case-insensitively). Collects every violation.
absl::Status ValidateStages(const google::protobuf::RepeatedPtrField<Stage>& stages, int listed) {
  Validator v;
  if (listed > kMaxStages) return InvalidField("pipeline.stages", absl::StrCat("at most ", kMaxStages, " stages"));
  for (int i = 0; i < listed; ++i) {
    const Stage& s = stages[i];
    v.RequiredText(s.name(), StageField(i, "name"), kMaxStageNameLength);
    v.Check(s.probability() >= 0 && s.probability() <= 100, StageField(i, "probability"), "must be between 0 and 100");
    v.Enum(s.kind(), crm::v1::StageKind_IsValid, StageField(i, "kind"), true);
    v.Check(s.expected_days() >= 0 && s.expected_days() <= kMaxExpectedDays, StageField(i, "expected_days"),
            absl::StrCat("must be between 0 and ", kMaxExpectedDays));
    if (s.kind() == crm::v1::STAGE_KIND_WON) {
      v.Check(s.probability() == 100, StageField(i, "probability"), "must be 100 for the won stage");
    }
    if (s.kind() == crm::v1::STAGE_KIND_LOST) {
      v.Check(s.probability() == 0, StageField(i, "probability"), "must be 0 for a lost stage");
    }
  }
  int open = 0, won = 0, lost = 0;
  absl::flat_hash_map<std::string, int> names;
  for (int i = 0; i < listed; ++i) {
    const Stage& s = stages[i];
    if (s.retired()) continue;
    if (!names.emplace(absl::AsciiStrToLower(s.name()), i).second) {
      v.Check(false, StageField(i, "name"), "another active stage of this pipeline has this name");
    }
    switch (s.kind()) {
      case crm::v1::STAGE_KIND_OPEN:
        v.Check(won == 0 && lost == 0, StageField(i, "kind"), "open stages come before the won and lost stages");
        ++open;
        break;
      case crm::v1::STAGE_KIND_WON:
        v.Check(lost == 0, StageField(i, "kind"), "the won stage comes before the lost stages");
        v.Check(won == 0, StageField(i, "kind"), "a pipeline has exactly one won stage");
        ++won;
        break;
      case crm::v1::STAGE_KIND_LOST:
        ++lost;
        break;
      default:
        break;
    }
  }
  v.Check(open > 0, "pipeline.stages", "needs at least one open stage");
  v.Check(won > 0, "pipeline.stages", "needs exactly one won stage");
  v.Check(lost > 0, "pipeline.stages", "needs at least one lost stage");
  return v.status();
}

void NormaliseStage(Stage& stage) { stage.set_name(std::string(absl::StripAsciiWhitespace(stage.name()))); }

// The stages after an update that lists `listed`: listed stages with an id keep it (their kind
// cannot change; 0 keeps it), stages without one are new, stored stages left out are retired and
// follow the listed ones in their previous order.
absl::StatusOr<google::protobuf::RepeatedPtrField<Stage>> MergeStages(
    const Pipeline& before, const google::protobuf::RepeatedPtrField<Stage>& listed, absl::Time now) {
  absl::flat_hash_map<std::string, const Stage*> stored;
  for (const Stage& s : before.stages()) stored.emplace(s.id(), &s);
  google::protobuf::RepeatedPtrField<Stage> result;
  absl::flat_hash_set<std::string> seen;
  Validator v;
  for (int i = 0; i < listed.size(); ++i) {
    Stage stage = listed[i];
    NormaliseStage(stage);
    if (!stage.id().empty()) {
      auto it = stored.find(stage.id());
      if (it == stored.end()) {
        v.Check(false, StageField(i, "id"), "is not a stage of this pipeline; leave it empty to add a stage");
      } else if (!seen.insert(stage.id()).second) {
        v.Check(false, StageField(i, "id"), "is listed twice");
      } else if (stage.kind() == crm::v1::STAGE_KIND_UNSPECIFIED) {
        stage.set_kind(it->second->kind());
      } else if (stage.kind() != it->second->kind()) {
        v.Check(false, StageField(i, "kind"),
                absl::StrCat("a stage's kind cannot change (it is ", KindWord(it->second->kind()),
                             "); add a new stage and retire this one"));
      }
    } else {
      v.Check(!stage.retired(), StageField(i, "retired"), "a new stage cannot be retired");
      stage.set_id(NewIdAt(kStageIdPrefix, now));
    }
    *result.Add() = std::move(stage);
  }
  if (!v.ok()) return v.status();
  for (const Stage& s : before.stages()) {
    if (seen.contains(s.id())) continue;
    Stage retired = s;
    retired.set_retired(true);
    *result.Add() = std::move(retired);
  }
  if (absl::Status s = ValidateStages(result, listed.size()); !s.ok()) return s;
  return result;
}

// Makes `keep_id` the only default: the pipeline that was default until now loses the flag
// (a change of that pipeline: new revision, event). Runs before `keep_id` is written with its
// flag, as the unique key admits one default at a time.
absl::Status ClearOtherDefault(const server::Runtime& rt, const server::CallContext& call, db::Tx& tx,
                               const std::string& keep_id, absl::Time now) {
  absl::StatusOr<std::optional<Pipeline>> current = PipelinesStore::FindDefault(tx.session());
  if (!current.ok()) return current.status();
  if (!current->has_value() || (*current)->id() == keep_id) return absl::OkStatus();
  Pipeline before = **current;
  Pipeline after = before;
  after.set_is_default(false);
  *after.mutable_update_time() = TimeToTimestamp(now);
  absl::StatusOr<bool> written = PipelinesStore::Update(tx, after, db::RevisionOf(before));
  if (!written.ok()) return written.status();
  if (!*written) return db::RetryTransaction("the default pipeline changed meanwhile");
  after.set_etag(FormatEtag(db::RevisionOf(before) + 1));
  return rt.outbox->AppendChange(tx, "pipeline.updated", kPipelineEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                 DiffMessages(&before, after, BookkeepingFields()), "", call.actor, call.correlation_id,
                                 now);
}

// Settings as given → canonical form: rates in currency order with canonical decimal text.
// Collects every violation; field names start with "settings.".
absl::Status ValidateAndNormaliseSettings(SalesSettings& s) {
  Validator v;
  v.Check(IsCurrencyCode(s.base_currency()), "settings.base_currency", "must be a three-letter ISO 4217 code");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < s.rates_size(); ++i) {
    crm::v1::ExchangeRate& rate = *s.mutable_rates(i);
    const std::string code_field = absl::StrCat("settings.rates[", i, "].currency_code");
    if (!IsCurrencyCode(rate.currency_code())) {
      v.Check(false, code_field, "must be a three-letter ISO 4217 code");
    } else if (rate.currency_code() == s.base_currency()) {
      v.Check(false, code_field, "is the base currency, whose rate is always 1");
    } else if (!seen.insert(rate.currency_code()).second) {
      v.Check(false, code_field, "is listed twice");
    }
    absl::StatusOr<int64_t> scaled = ParseRate(rate.rate(), absl::StrCat("settings.rates[", i, "].rate"));
    if (!scaled.ok()) {
      for (const FieldViolation& violation : FieldViolationsOf(scaled.status())) {
        v.Check(false, violation.field, violation.description);
      }
    } else {
      rate.set_rate(FormatRate(*scaled));
    }
  }
  if (s.has_large_deal_threshold()) {
    for (const FieldViolation& violation :
         MoneyViolations(s.large_deal_threshold(), "settings.large_deal_threshold", false)) {
      v.Check(false, violation.field, violation.description);
    }
    if (IsCurrencyCode(s.large_deal_threshold().currency_code())) {
      v.Check(s.large_deal_threshold().currency_code() == s.base_currency(),
              "settings.large_deal_threshold.currency_code", "must be the base currency");
    }
  }
  if (!v.ok()) return v.status();
  std::sort(s.mutable_rates()->begin(), s.mutable_rates()->end(),
            [](const crm::v1::ExchangeRate& a, const crm::v1::ExchangeRate& b) {
              return a.currency_code() < b.currency_code();
            });
  return absl::OkStatus();
}

absl::StatusOr<SalesConfig> ConfigFromSettings(const SalesSettings& settings) {
  absl::flat_hash_map<std::string, int64_t> rates;
  for (const crm::v1::ExchangeRate& rate : settings.rates()) {
    absl::StatusOr<int64_t> scaled = ParseRate(rate.rate(), "rate");
    if (!scaled.ok())
      return absl::InternalError(
          absl::StrCat("stored exchange rate of ", rate.currency_code(), " is malformed: \"", rate.rate(), "\""));
    rates.emplace(rate.currency_code(), *scaled);
  }
  SalesConfig config;
  config.converter = CurrencyConverter(settings.base_currency(), std::move(rates));
  if (settings.has_large_deal_threshold()) {
    const crm::v1::Money& t = settings.large_deal_threshold();
    config.large_deal_threshold_micros = t.units() * kMicrosPerUnit + t.nanos() / 1000;
  }
  return config;
}

}  // namespace

absl::StatusOr<SalesConfig> LoadSalesConfig(soci::session& sql) {
  absl::StatusOr<SalesSettings> settings = SalesSettingsStore::Load(sql);
  if (!settings.ok()) return settings.status();
  return ConfigFromSettings(*settings);
}

absl::StatusOr<std::optional<Pipeline>> FindPipeline(soci::session& sql, const std::string& id) {
  return PipelinesStore::Find(sql, id);
}

absl::StatusOr<Pipeline> FindDefaultPipeline(soci::session& sql) {
  absl::StatusOr<std::optional<Pipeline>> found = PipelinesStore::FindDefault(sql);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::FailedPreconditionError("no default pipeline is configured");
  return **std::move(found);
}

absl::StatusOr<std::optional<Pipeline>> FindPipelineOfStage(soci::session& sql, const std::string& stage_id) {
  absl::StatusOr<std::optional<std::string>> pipeline_id = PipelinesStore::PipelineIdOfStage(sql, stage_id);
  if (!pipeline_id.ok()) return pipeline_id.status();
  if (!pipeline_id->has_value()) return std::optional<Pipeline>();
  return PipelinesStore::Find(sql, **pipeline_id);
}

const Stage* FindStage(const Pipeline& pipeline, const std::string& stage_id) {
  for (const Stage& s : pipeline.stages()) {
    if (s.id() == stage_id) return &s;
  }
  return nullptr;
}

namespace {

const Stage* FirstActive(const Pipeline& pipeline, crm::v1::StageKind kind) {
  for (const Stage& s : pipeline.stages()) {
    if (s.kind() == kind && !s.retired()) return &s;
  }
  return nullptr;
}

}  // namespace

const Stage* FirstOpenStage(const Pipeline& pipeline) { return FirstActive(pipeline, crm::v1::STAGE_KIND_OPEN); }
const Stage* ActiveWonStage(const Pipeline& pipeline) { return FirstActive(pipeline, crm::v1::STAGE_KIND_WON); }
const Stage* FirstLostStage(const Pipeline& pipeline) { return FirstActive(pipeline, crm::v1::STAGE_KIND_LOST); }

absl::StatusOr<Pipeline> PipelinesLogic::Create(const server::CallContext& call,
                                                const crm::v1::CreatePipelineRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_pipeline(), "pipeline", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  const absl::Time now = rt_.clock->Now();
  Pipeline pipeline = request.pipeline();
  pipeline.set_name(std::string(absl::StripAsciiWhitespace(pipeline.name())));
  Validator v;
  v.RequiredText(pipeline.name(), "pipeline.name", kMaxNameLength);
  for (int i = 0; i < pipeline.stages_size(); ++i) {
    Stage& stage = *pipeline.mutable_stages(i);
    NormaliseStage(stage);
    v.Check(!stage.retired(), StageField(i, "retired"), "a new stage cannot be retired");
    // Output-only: every stage gets a fresh id.
    stage.set_id(NewIdAt(kStageIdPrefix, now));
  }
  absl::Status stages = ValidateStages(pipeline.stages(), pipeline.stages_size());
  for (const FieldViolation& violation : FieldViolationsOf(stages))
    v.Check(false, violation.field, violation.description);
  if (!v.ok()) return v.status();
  // Output-only fields are ignored on create.
  pipeline.clear_etag();
  pipeline.set_id(NewIdAt(kPipelineIdPrefix, now));
  *pipeline.mutable_create_time() = TimeToTimestamp(now);
  *pipeline.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Pipeline>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, PipelinesStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Pipeline> {
        if (pipeline.is_default()) {
          if (absl::Status s = ClearOtherDefault(rt_, call, tx, pipeline.id(), now); !s.ok()) return s;
        }
        if (absl::Status s = PipelinesStore::Insert(tx, pipeline); !s.ok()) return s;
        Pipeline created = pipeline;
        created.set_etag(FormatEtag(1));
        absl::Status event = rt_.outbox->AppendChange(
            tx, "pipeline.created", kPipelineEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
            DiffMessages(nullptr, created, BookkeepingFields()), "", call.actor, request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<Pipeline> PipelinesLogic::Get(const server::CallContext& call,
                                             const crm::v1::GetPipelineRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Pipeline>(*rt_.db, call.deadline, PipelinesStore::Find, request.id(), kPipelineEntity);
}

absl::StatusOr<crm::v1::ListPipelinesResponse> PipelinesLogic::List(const server::CallContext& call,
                                                                    const crm::v1::ListPipelinesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  const std::string after_id = page->first() ? "" : page->cursor()[0];
  absl::StatusOr<std::vector<Pipeline>> rows = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) {
    return PipelinesStore::List(sql, after_id, page->fetch_limit());
  });
  if (!rows.ok()) return rows.status();
  crm::v1::ListPipelinesResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const Pipeline& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Pipeline& p : *rows) *response.add_pipelines() = std::move(p);
  return response;
}

absl::StatusOr<Pipeline> PipelinesLogic::Update(const server::CallContext& call,
                                                const crm::v1::UpdatePipelineRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_pipeline(), "pipeline", "is required");
  if (request.has_pipeline()) request_checks.RequiredId(request.pipeline().id(), "pipeline.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.pipeline(), request.update_mask(), UpdatablePipelineFields());
  if (!paths.ok()) return paths.status();
  const auto touches = [&](const char* path) { return std::find(paths->begin(), paths->end(), path) != paths->end(); };

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<Pipeline> op;
  op.load = PipelinesStore::FindForUpdate;
  op.not_found = [&] { return NotFound("pipeline.id", request.pipeline().id()); };
  op.change = [&](db::Tx& tx, const Pipeline& before) -> absl::StatusOr<std::optional<Pipeline>> {
    Pipeline after = before;
    if (touches("name")) {
      after.set_name(std::string(absl::StripAsciiWhitespace(request.pipeline().name())));
      if (absl::Status s = Validator().RequiredText(after.name(), "pipeline.name", kMaxNameLength).status(); !s.ok()) {
        return s;
      }
    }
    if (touches("stages")) {
      absl::StatusOr<google::protobuf::RepeatedPtrField<Stage>> stages =
          MergeStages(before, request.pipeline().stages(), now);
      if (!stages.ok()) return stages.status();
      *after.mutable_stages() = *std::move(stages);
    }
    if (touches("is_default")) {
      if (before.is_default() && !request.pipeline().is_default()) {
        return FailedPreconditionField("pipeline.is_default",
                                       "there is always a default pipeline; make another pipeline the default instead");
      }
      after.set_is_default(request.pipeline().is_default());
    }
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Pipeline>();
    if (after.is_default() && !before.is_default()) {
      if (absl::Status s = ClearOtherDefault(rt_, call, tx, after.id(), now); !s.ok()) return s;
    }
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Pipeline>(std::move(after));
  };
  op.store = db::StoreOf(PipelinesStore::Update);
  op.after_write = [&](db::Tx& tx, const Pipeline& before, const Pipeline& after) {
    return rt_.outbox->AppendChange(tx, "pipeline.updated", kPipelineEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), "", call.actor,
                                    call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.pipeline().id(), request.etag(), "etag", kPipelineEntity,
                             op);
}

absl::StatusOr<SalesSettings> PipelinesLogic::GetSettings(const server::CallContext& call,
                                                          const crm::v1::GetSalesSettingsRequest&) {
  return db::ReadValue(*rt_.db, call.deadline, [](soci::session& sql) { return SalesSettingsStore::Load(sql); });
}

absl::StatusOr<SalesSettings> PipelinesLogic::UpdateSettings(const server::CallContext& call,
                                                             const crm::v1::UpdateSalesSettingsRequest& request) {
  if (absl::Status s = Validator().Check(request.has_settings(), "settings", "is required").status(); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.settings(), request.update_mask(), UpdatableSettingsFields());
  if (!paths.ok()) return paths.status();
  const auto touches = [&](const char* path) { return std::find(paths->begin(), paths->end(), path) != paths->end(); };

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<SalesSettings> op;
  op.load = [](db::Tx& tx, const std::string&) -> absl::StatusOr<std::optional<SalesSettings>> {
    absl::StatusOr<SalesSettings> settings = SalesSettingsStore::LoadForUpdate(tx);
    if (!settings.ok()) return settings.status();
    return std::optional<SalesSettings>(*std::move(settings));
  };
  op.not_found = [] { return absl::InternalError("the sales settings row is missing"); };
  op.change = [&](db::Tx& tx, const SalesSettings& before) -> absl::StatusOr<std::optional<SalesSettings>> {
    SalesSettings after = before;
    ApplyPaths(request.settings(), *paths, &after);
    // Rates are relative to the base currency: a new base with the old rates would silently
    // value every foreign amount wrongly.
    if (after.base_currency() != before.base_currency() && !touches("rates") && before.rates_size() > 0) {
      return InvalidField("settings.rates",
                          "give the rates again (relative to the new base currency) when changing it");
    }
    if (absl::Status s = ValidateAndNormaliseSettings(after); !s.ok()) return s;
    if (DiffMessages(&before, after, SettingsBookkeeping()).empty()) return std::optional<SalesSettings>();
    // While a threshold is configured, every opportunity amount must be convertible, so that
    // the large-deal alert can always be evaluated (moves never meet a missing rate).
    if (after.has_large_deal_threshold()) {
      absl::StatusOr<SalesConfig> config = ConfigFromSettings(after);
      if (!config.ok()) return config.status();
      absl::StatusOr<std::vector<std::string>> used = OpportunityStore::AmountCurrencies(tx.session());
      if (!used.ok()) return used.status();
      std::vector<std::string> missing;
      for (const std::string& currency : *used) {
        if (!config->converter.HasRate(currency)) missing.push_back(currency);
      }
      if (!missing.empty()) {
        const bool rates_changed = touches("rates") || touches("base_currency");
        return FailedPreconditionField(
            rates_changed ? "settings.rates" : "settings.large_deal_threshold",
            absl::StrCat("opportunities have amounts in ", absl::StrJoin(missing, ", "),
                         " without an exchange rate; with a large-deal threshold every such currency needs one"));
      }
    }
    return std::optional<SalesSettings>(std::move(after));
  };
  op.store = db::StoreOf(SalesSettingsStore::Update);
  op.after_write = [&](db::Tx& tx, const SalesSettings& before, const SalesSettings& after) {
    return rt_.outbox->AppendChange(tx, "settings.updated", kSettingsEntity, kSettingsId, crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, SettingsBookkeeping()), "", call.actor,
                                    call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, kSettingsId, request.etag(), "etag", kSettingsEntity, op);
}

}  // namespace crm::pipeline
