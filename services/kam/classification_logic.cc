#include "services/kam/classification_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/audit/audit_log.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "crm/v1/account.pb.h"
#include "services/kam/classification_store.h"
#include "services/kam/model_logic.h"
#include "services/kam/scoring_model.h"

namespace crm::kam {
namespace {

using ClassificationProto = crm::v1::AccountClassification;
using crm::v1::AccountTier;

constexpr char kListClassificationsScope[] = "kam.classifications";
constexpr char kListTierChangesScope[] = "kam.tier_changes";
constexpr size_t kMaxReasonLength = 2000;

bool KnownTier(AccountTier tier) { return tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED && crm::v1::AccountTier_IsValid(tier); }

// The contract's classification of a stored row, each dimension with its weight under `model`.
ClassificationProto ToProto(const ClassificationRow& row, const crm::v1::ScoringModel& model) {
  const ScoringModel engine = ToEngineModel(model);
  ClassificationProto c;
  c.set_account_id(row.account_id);
  c.set_model_version(row.model_version);
  *c.mutable_as_of() = TimeToTimestamp(row.as_of);
  c.set_abc_class(row.abc);
  c.set_recency_score(row.recency_score);
  c.set_frequency_score(row.frequency_score);
  c.set_monetary_score(row.monetary_score);
  c.set_rfm_segment(row.segment);
  c.set_lifecycle_stage(row.lifecycle);
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dimension = static_cast<Dimension>(d);
    crm::v1::DimensionScore* score = c.add_dimensions();
    score->set_dimension(std::string(ContractDimensionName(dimension)));
    score->set_value(FromMicro(row.dims[d]));
    score->set_weight(engine.weights.Get(dimension));
    score->set_contribution(100 * score->weight() * score->value());
  }
  c.set_composite_score(FromMicro(row.composite_micro));
  c.set_computed_tier(row.computed_tier);
  c.set_tier(row.tier);
  *c.mutable_window_revenue() = MoneyFromMicros(row.currency, row.revenue_micros);
  return c;
}

// Rows to contract messages, loading each model version once.
absl::StatusOr<std::vector<ClassificationProto>> ToProtos(soci::session& sql, const std::vector<ClassificationRow>& rows) {
  absl::flat_hash_map<int32_t, crm::v1::ScoringModel> models;
  std::vector<ClassificationProto> out;
  for (const ClassificationRow& row : rows) {
    auto it = models.find(row.model_version);
    if (it == models.end()) {
      absl::StatusOr<crm::v1::ScoringModel> model = LoadScoringModel(sql, row.model_version, "model_version");
      if (!model.ok()) return model.status();
      it = models.emplace(row.model_version, *std::move(model)).first;
    }
    out.push_back(ToProto(row, it->second));
  }
  return out;
}

// The override is a record of its own (no event): it may leave the tier, and so the account, as
// it was.
absl::Status AuditOverride(db::Tx& tx, const std::string& account_id, crm::v1::ChangeKind change, absl::Time now) {
  std::vector<std::string> fields;
  if (change != crm::v1::CHANGE_KIND_DELETED) fields = {"tier", "reason", "expire_time"};
  return audit::RecordChange(tx, "tier_override", account_id, change, std::move(fields), now);
}

// Sets the account's tier by hand (an override set or cleared): the account, its classification
// row, the tier-change record and the event, in the caller's transaction.
absl::Status ApplyManualTier(const server::Runtime& rt, const server::CallContext& call, db::Tx& tx,
                             const AccountTierRow& account, AccountTier tier, const std::string& reason, absl::Time now) {
  if (absl::Status s = ClassificationStore::SetTier(tx, account.id, tier); !s.ok()) return s;
  if (account.tier == tier) return absl::OkStatus();
  absl::StatusOr<std::optional<ClassificationRow>> row = ClassificationStore::Find(tx.session(), account.id);
  if (!row.ok()) return row.status();
  crm::v1::TierChange change;
  change.set_id(NewIdAt("tch", now));
  change.set_account_id(account.id);
  change.set_old_tier(account.tier);
  change.set_new_tier(tier);
  change.set_source(crm::v1::TIER_CHANGE_SOURCE_OVERRIDE);
  change.set_reason(reason.substr(0, kMaxReasonLength));
  change.set_model_version(row->has_value() ? (*row)->model_version : 0);
  change.set_actor(call.actor);
  *change.mutable_change_time() = TimeToTimestamp(now);
  if (absl::Status s = TierChangeStore::InsertAll(tx, {change}); !s.ok()) return s;
  if (absl::Status s = AccountTierStore::SetTiers(tx, {{account.id, tier}}, now); !s.ok()) return s;
  crm::v1::Account before, after;
  before.set_tier(account.tier);
  after.set_tier(tier);
  return rt.outbox->AppendChange(tx, "account.updated", "account", account.id, crm::v1::CHANGE_KIND_UPDATED,
                                 DiffMessages(&before, after), account.owner, call.actor, call.correlation_id, now);
}

}  // namespace

absl::StatusOr<ClassificationProto> ClassificationLogic::Get(const server::CallContext& call,
                                                               const crm::v1::GetClassificationRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.account_id(), "account_id").status(); !s.ok()) return s;
  return db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<ClassificationProto> {
    absl::StatusOr<std::optional<ClassificationRow>> row = ClassificationStore::Find(sql, request.account_id());
    if (!row.ok()) return row.status();
    if (!row->has_value()) {
      return NotFoundField("account_id", absl::StrCat("account \"", request.account_id(),
                                                      "\" has not been classified; run Reclassify"));
    }
    absl::StatusOr<std::vector<ClassificationProto>> out = ToProtos(sql, {**row});
    if (!out.ok()) return out.status();
    return std::move(out->front());
  });
}

absl::StatusOr<crm::v1::ListClassificationsResponse> ClassificationLogic::List(
    const server::CallContext& call, const crm::v1::ListClassificationsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Enum(request.tier(), crm::v1::AccountTier_IsValid, "tier", false);
  v.Enum(request.abc_class(), crm::v1::AbcClass_IsValid, "abc_class", false);
  v.Enum(request.rfm_segment(), crm::v1::RfmSegment_IsValid, "rfm_segment", false);
  v.Enum(request.lifecycle_stage(), crm::v1::LifecycleStage_IsValid, "lifecycle_stage", false);
  v.OptionalText(request.owner(), "owner", 200);
  const bool by_score = request.order_by().empty() || request.order_by() == "composite_score desc";
  v.Check(by_score || request.order_by() == "account_id", "order_by",
          "must be \"composite_score desc\" (the default) or \"account_id\"");
  if (!v.ok()) return v.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListClassificationsScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  ClassificationQuery query;
  query.tier = request.tier();
  query.abc = request.abc_class();
  query.segment = request.rfm_segment();
  query.lifecycle = request.lifecycle_stage();
  query.owner = request.owner();
  query.by_score = by_score;
  query.limit = page->fetch_limit();
  if (!page->first()) {
    if (by_score) {
      absl::StatusOr<int64_t> score = page->IntAt(0);
      if (!score.ok()) return score.status();
      query.after_score = *score;
    }
    query.after_account = page->cursor()[1];
  }
  absl::StatusOr<std::vector<ClassificationRow>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ClassificationStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListClassificationsResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const ClassificationRow& r) {
    return KeysetPage::Cursor{absl::StrCat(r.composite_micro), r.account_id};
  }));
  absl::StatusOr<std::vector<ClassificationProto>> out =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ToProtos(sql, *rows); });
  if (!out.ok()) return out.status();
  for (ClassificationProto& c : *out) *response.add_classifications() = std::move(c);
  return response;
}

absl::StatusOr<crm::v1::QualitativeInputs> ClassificationLogic::SetQualitativeInputs(
    const server::CallContext& call, const crm::v1::SetQualitativeInputsRequest& request) {
  const crm::v1::QualitativeInputs& in = request.inputs();
  Validator v;
  v.Check(request.has_inputs(), "inputs", "is required");
  v.RequiredId(in.account_id(), "inputs.account_id");
  v.Check(in.industry_influence() >= 0 && in.industry_influence() <= 5, "inputs.industry_influence",
          "must be between 1 and 5 (0 = not assessed)");
  v.Check(in.cooperation_potential() >= 0 && in.cooperation_potential() <= 5, "inputs.cooperation_potential",
          "must be between 1 and 5 (0 = not assessed)");
  if (!v.ok()) return v.status();
  const absl::Time now = rt_.clock->Now();
  crm::v1::QualitativeInputs stored;
  stored.set_account_id(in.account_id());
  stored.set_industry_influence(in.industry_influence());
  stored.set_cooperation_potential(in.cooperation_potential());
  stored.set_assessed_by(call.actor);
  *stored.mutable_update_time() = TimeToTimestamp(now);
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<AccountTierRow>> account = AccountTierStore::FindForUpdate(tx, in.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) return NoSuchEntity("inputs.account_id", "account", in.account_id());
        absl::StatusOr<std::optional<crm::v1::QualitativeInputs>> before =
            QualitativeStore::Find(tx.session(), in.account_id());
        if (!before.ok()) return before.status();
        if (absl::Status s = QualitativeStore::Put(tx, stored); !s.ok()) return s;
        return rt_.outbox->AppendChange(tx, "qualitative_inputs.updated", "qualitative_inputs", in.account_id(),
                                        (*before).has_value() ? crm::v1::CHANGE_KIND_UPDATED : crm::v1::CHANGE_KIND_CREATED,
                                        DiffMessages((*before).has_value() ? &**before : nullptr, stored,
                                                     {"update_time", "assessed_by"}),
                                        (*account)->owner, call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<crm::v1::TierOverride> ClassificationLogic::SetOverride(const server::CallContext& call,
                                                                       const crm::v1::SetTierOverrideRequest& request) {
  const crm::v1::TierOverride& in = request.override();
  const absl::Time now = rt_.clock->Now();
  Validator v;
  v.Check(request.has_override(), "override", "is required");
  v.RequiredId(in.account_id(), "override.account_id");
  v.Check(KnownTier(in.tier()), "override.tier", "must be a known tier (STRATEGIC, KEY, STANDARD or POTENTIAL)");
  v.RequiredText(Trimmed(in.reason()), "override.reason", kMaxReasonLength);
  v.Check(in.has_expire_time(), "override.expire_time", "is required");
  v.OptionalTimestamp(in.expire_time(), in.has_expire_time(), "override.expire_time");
  if (in.has_expire_time()) {
    v.Check(TimestampToTime(in.expire_time()) > now, "override.expire_time", "must be in the future");
  }
  if (!v.ok()) return v.status();
  crm::v1::TierOverride stored = in;
  stored.set_reason(Trimmed(in.reason()));
  stored.set_set_by(call.actor);
  *stored.mutable_create_time() = TimeToTimestamp(now);
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<AccountTierRow>> account = AccountTierStore::FindForUpdate(tx, in.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) return NoSuchEntity("override.account_id", "account", in.account_id());
        if (absl::Status s = OverrideStore::Put(tx, stored); !s.ok()) return s;
        if (absl::Status s = AuditOverride(tx, in.account_id(), crm::v1::CHANGE_KIND_CREATED, now); !s.ok()) return s;
        return ApplyManualTier(rt_, call, tx, **account, stored.tier(),
                               absl::StrCat("override until ", absl::FormatTime(TimestampToTime(stored.expire_time())),
                                            ": ", stored.reason()),
                               now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<crm::v1::ClearTierOverrideResponse> ClassificationLogic::ClearOverride(
    const server::CallContext& call, const crm::v1::ClearTierOverrideRequest& request) {
  Validator v;
  v.RequiredId(request.account_id(), "account_id");
  v.RequiredText(Trimmed(request.reason()), "reason", kMaxReasonLength);
  if (!v.ok()) return v.status();
  const absl::Time now = rt_.clock->Now();
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<AccountTierRow>> account = AccountTierStore::FindForUpdate(tx, request.account_id());
        if (!account.ok()) return account.status();
        if (!account->has_value()) return NoSuchEntity("account_id", "account", request.account_id());
        absl::StatusOr<std::optional<crm::v1::TierOverride>> found = OverrideStore::Find(tx.session(), request.account_id());
        if (!found.ok()) return found.status();
        if (!found->has_value()) {
          return NotFoundField("account_id", absl::StrCat("account \"", request.account_id(), "\" has no tier override"));
        }
        if (absl::Status s = OverrideStore::Delete(tx, request.account_id()); !s.ok()) return s;
        if (absl::Status s = AuditOverride(tx, request.account_id(), crm::v1::CHANGE_KIND_DELETED, now); !s.ok()) {
          return s;
        }
        absl::StatusOr<std::optional<ClassificationRow>> row = ClassificationStore::Find(tx.session(), request.account_id());
        if (!row.ok()) return row.status();
        // Never classified: nothing to fall back to, the tier stays.
        const AccountTier tier = row->has_value() ? (*row)->computed_tier : (*account)->tier;
        return ApplyManualTier(rt_, call, tx, **account, tier,
                               absl::StrCat("override cleared: ", Trimmed(request.reason())), now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return crm::v1::ClearTierOverrideResponse();
}

absl::StatusOr<crm::v1::ListTierChangesResponse> ClassificationLogic::ListTierChanges(
    const server::CallContext& call, const crm::v1::ListTierChangesRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.OptionalText(request.account_id(), "account_id", 64);
  v.Enum(request.new_tier(), crm::v1::AccountTier_IsValid, "new_tier", false);
  v.OptionalDate(request.period_start(), request.has_period_start(), "period_start");
  v.OptionalDate(request.period_end(), request.has_period_end(), "period_end");
  if (!v.ok()) return v.status();
  TierChangeQuery query;
  query.account_id = request.account_id();
  query.new_tier = request.new_tier();
  if (request.has_period_start()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.period_start(), "period_start");
    if (!day.ok()) return day.status();
    query.since = absl::UnixEpoch() + absl::Hours(24) * *day;
  }
  if (request.has_period_end()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(request.period_end(), "period_end");
    if (!day.ok()) return day.status();
    query.until = absl::UnixEpoch() + absl::Hours(24) * (*day + 1);
  }
  if (query.since && query.until && *query.until <= *query.since) {
    return InvalidField("period_end", "must not be before period_start");
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListTierChangesScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    absl::StatusOr<int64_t> time = page->IntAt(0);
    if (!time.ok()) return time.status();
    query.after_time = *time;
    query.after_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<crm::v1::TierChange>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return TierChangeStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListTierChangesResponse response;
  response.set_next_page_token(page->Finish(&*rows, [](const crm::v1::TierChange& t) {
    return KeysetPage::Cursor{absl::StrCat(TimestampToMicros(t.change_time())), t.id()};
  }));
  for (crm::v1::TierChange& t : *rows) *response.add_changes() = std::move(t);
  return response;
}

}  // namespace crm::kam
