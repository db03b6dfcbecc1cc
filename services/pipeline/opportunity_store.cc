#include "services/pipeline/opportunity_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between an opportunities row and crm.v1.Opportunity.
template <>
struct type_conversion<crm::v1::Opportunity> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Opportunity& o) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    using crm::db::IsNull;
    o.Clear();
    o.set_id(GetString(v, "id"));
    o.set_account_id(GetString(v, "account_id"));
    o.set_name(GetString(v, "name"));
    if (!IsNull(v, "amount_currency")) {
      *o.mutable_amount() = crm::MoneyFromMicros(GetString(v, "amount_currency"), GetInt64(v, "amount_micros"));
    }
    o.set_pipeline_id(GetString(v, "pipeline_id"));
    o.set_stage_id(GetString(v, "stage_id"));
    o.set_probability(static_cast<int32_t>(GetInt64(v, "probability")));
    if (!IsNull(v, "expected_close_day")) {
      *o.mutable_expected_close_date() = crm::DateFromDayNumber(GetInt64(v, "expected_close_day"));
    }
    o.set_owner(GetString(v, "owner"));
    o.set_source_campaign_id(GetString(v, "source_campaign_id"));
    o.set_source_channel(static_cast<crm::v1::LeadChannel>(GetInt64(v, "source_channel")));
    o.set_lead_id(GetString(v, "lead_id"));
    o.set_status(static_cast<crm::v1::OpportunityStatus>(GetInt64(v, "status")));
    o.set_lost_reason(GetString(v, "lost_reason"));
    if (!IsNull(v, "close_time")) *o.mutable_close_time() = crm::MicrosToTimestamp(GetInt64(v, "close_time"));
    *o.mutable_stage_enter_time() = crm::MicrosToTimestamp(GetInt64(v, "stage_enter_time"));
    *o.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *o.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    o.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
    if (!IsNull(v, "custom_fields")) {
      crm::customfields::DecodeValues(GetString(v, "custom_fields"), o.mutable_custom_fields());
    }
  }

  // The amount and close date must be valid (the logic validates before storing).
  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Opportunity& o, Values& v, indicator& ind) {
    const bool has_amount = o.has_amount();
    const bool has_close = o.has_expected_close_date();
    const crm::v1::Date& close = o.expected_close_date();
    long long close_day = 0;
    if (has_close && crm::IsValidDate(close)) close_day = *crm::DayNumberFromDate(close, "");
    v.set("id", o.id());
    v.set("account_id", o.account_id());
    v.set("name", o.name());
    v.set("amount_currency", o.amount().currency_code(), has_amount ? i_ok : i_null);
    v.set("amount_micros",
          static_cast<long long>(o.amount().units() * crm::kMicrosPerUnit + o.amount().nanos() / 1000));
    v.set("pipeline_id", o.pipeline_id());
    v.set("stage_id", o.stage_id());
    v.set("probability", static_cast<long long>(o.probability()));
    v.set("expected_close_day", close_day, has_close ? i_ok : i_null);
    v.set("owner", o.owner());
    v.set("source_campaign_id", o.source_campaign_id());
    v.set("source_channel", static_cast<long long>(o.source_channel()));
    v.set("lead_id", o.lead_id());
    v.set("status", static_cast<long long>(o.status()));
    v.set("lost_reason", o.lost_reason());
    v.set("close_time", static_cast<long long>(crm::TimestampToMicros(o.close_time())),
          o.has_close_time() ? i_ok : i_null);
    v.set("stage_enter_time", static_cast<long long>(crm::TimestampToMicros(o.stage_enter_time())));
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(o.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(o.update_time())));
    v.set("custom_fields", crm::customfields::EncodeValues(o.custom_fields()),
          o.custom_fields().empty() ? i_null : i_ok);
    ind = i_ok;
  }
};

// The one mapping between a stage_changes row and crm.v1.StageChange.
template <>
struct type_conversion<crm::v1::StageChange> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::StageChange& c) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    c.Clear();
    c.set_sequence(GetInt64(v, "sequence"));
    c.set_opportunity_id(GetString(v, "opportunity_id"));
    c.set_pipeline_id(GetString(v, "pipeline_id"));
    c.set_from_stage_id(GetString(v, "from_stage_id"));
    c.set_to_stage_id(GetString(v, "to_stage_id"));
    c.set_from_stage_name(GetString(v, "from_stage_name"));
    c.set_to_stage_name(GetString(v, "to_stage_name"));
    *c.mutable_change_time() = crm::MicrosToTimestamp(GetInt64(v, "change_time"));
    c.set_changed_by(GetString(v, "changed_by"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::StageChange& c, Values& v, indicator& ind) {
    v.set("opportunity_id", c.opportunity_id());
    v.set("pipeline_id", c.pipeline_id());
    v.set("from_stage_id", c.from_stage_id());
    v.set("to_stage_id", c.to_stage_id());
    v.set("from_stage_name", c.from_stage_name());
    v.set("to_stage_name", c.to_stage_name());
    v.set("change_time", static_cast<long long>(crm::TimestampToMicros(c.change_time())));
    v.set("changed_by", c.changed_by());
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

// Opportunities in the custom field value index.
absl::string_view IndexEntity() { return customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY); }

constexpr char kOpportunityColumns[] =
    "id, account_id, name, amount_currency, amount_micros, pipeline_id, stage_id, probability,"
    " expected_close_day, owner, source_campaign_id, source_channel, lead_id, status, lost_reason,"
    " close_time, stage_enter_time, create_time, update_time, revision, custom_fields";
const std::string kSelectOpportunity = absl::StrCat("SELECT ", kOpportunityColumns, " FROM opportunities");
const std::string kSelectOpportunityById = kSelectOpportunity + " WHERE id = :id";
constexpr char kInsertOpportunity[] =
    "INSERT INTO opportunities (id, account_id, name, amount_currency, amount_micros, pipeline_id,"
    " stage_id, probability, expected_close_day, owner, source_campaign_id, source_channel, lead_id,"
    " status, lost_reason, close_time, stage_enter_time, create_time, update_time, custom_fields, revision)"
    " VALUES (:id, :account_id, :name, :amount_currency, :amount_micros, :pipeline_id, :stage_id,"
    " :probability, :expected_close_day, :owner, :source_campaign_id, :source_channel, :lead_id,"
    " :status, :lost_reason, :close_time, :stage_enter_time, :create_time, :update_time, :custom_fields, 1)";
// account_id, pipeline_id, lead_id and create_time never change after the insert.
constexpr char kUpdateOpportunity[] =
    "UPDATE opportunities SET name = :name, amount_currency = :amount_currency,"
    " amount_micros = :amount_micros, stage_id = :stage_id, probability = :probability,"
    " expected_close_day = :expected_close_day, owner = :owner,"
    " source_campaign_id = :source_campaign_id, source_channel = :source_channel, status = :status,"
    " lost_reason = :lost_reason, close_time = :close_time, stage_enter_time = :stage_enter_time,"
    " update_time = :update_time, custom_fields = :custom_fields, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision";
constexpr char kSelectAmountCurrencies[] =
    "SELECT DISTINCT amount_currency FROM opportunities WHERE amount_currency IS NOT NULL";

constexpr char kStageChangeColumns[] =
    "sequence, opportunity_id, pipeline_id, from_stage_id, to_stage_id, from_stage_name, to_stage_name,"
    " change_time, changed_by";
const std::string kSelectStageChange = absl::StrCat("SELECT ", kStageChangeColumns, " FROM stage_changes");
constexpr char kInsertStageChange[] =
    "INSERT INTO stage_changes (opportunity_id, pipeline_id, from_stage_id, to_stage_id, from_stage_name,"
    " to_stage_name, change_time, changed_by) VALUES (:opportunity_id, :pipeline_id, :from_stage_id,"
    " :to_stage_id, :from_stage_name, :to_stage_name, :change_time, :changed_by)";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Opportunity>> OpportunityStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Opportunity>(sql, kSelectOpportunityById, id, "read opportunity");
}

absl::StatusOr<std::optional<crm::v1::Opportunity>> OpportunityStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Opportunity>(tx.session(), kSelectOpportunityById + tx.dialect().ForUpdate(), id,
                                            "read opportunity");
}

absl::Status OpportunityStore::Insert(db::Tx& tx, const crm::v1::Opportunity& opportunity) {
  absl::Status status = db::Guard("insert opportunity", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertOpportunity, opportunity);
    return absl::OkStatus();
  });
  if (!status.ok() || opportunity.custom_fields().empty()) return status;
  return customfields::CustomValueIndex::Replace(tx, IndexEntity(), opportunity.id(), opportunity.custom_fields());
}

absl::StatusOr<bool> OpportunityStore::Update(db::Tx& tx, const crm::v1::Opportunity& stored,
                                              const crm::v1::Opportunity& opportunity, int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateOpportunity, opportunity, expected_revision, "update opportunity");
  if (!updated.ok() || !*updated) return updated;
  absl::Status indexed = customfields::CustomValueIndex::ReplaceIfChanged(
      tx, IndexEntity(), opportunity.id(), stored.custom_fields(), opportunity.custom_fields());
  if (!indexed.ok()) return indexed;
  return true;
}

absl::StatusOr<std::vector<crm::v1::Opportunity>> OpportunityStore::List(soci::session& sql,
                                                                         const OpportunityListQuery& query) {
  // An equality on a custom value drives the list from its index entries, which come in id order.
  std::vector<customfields::IndexCondition> custom_conditions = query.custom_conditions;
  const std::optional<customfields::ValueDrivenList> driven =
      customfields::ValueDrivenList::Take(IndexEntity(), "opportunities", "id", custom_conditions);
  db::SqlQuery q =
      driven ? driven->Select(db::Dialect::Of(sql), kOpportunityColumns) : db::SqlQuery(kSelectOpportunity);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.pipeline_id.empty()) q.Where("pipeline_id = ?", query.pipeline_id);
  if (!query.stage_id.empty()) q.Where("stage_id = ?", query.stage_id);
  if (query.status != crm::v1::OPPORTUNITY_STATUS_UNSPECIFIED) {
    q.Where("status = ?", static_cast<long long>(query.status));
  }
  if (query.owners) q.WhereIn("owner", *query.owners);
  if (query.close_from_day.has_value())
    q.Where("expected_close_day >= ?", static_cast<long long>(*query.close_from_day));
  if (query.close_to_day.has_value()) q.Where("expected_close_day <= ?", static_cast<long long>(*query.close_to_day));
  customfields::CustomValueIndex::AddConditions(q, IndexEntity(), "id", custom_conditions);
  customfields::ValueDrivenList::AddIdOrder(q, driven, "id", query.after_id, false);
  q.Append(" LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<crm::v1::Opportunity>(sql, q, "list opportunities");
}

absl::StatusOr<std::vector<std::string>> OpportunityStore::AmountCurrencies(soci::session& sql) {
  std::vector<std::string> currencies;
  absl::Status status = db::Guard("read opportunity currencies", [&]() -> absl::Status {
    soci::rowset<std::string> rows = (sql.prepare << kSelectAmountCurrencies);
    for (const std::string& currency : rows) currencies.push_back(currency);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return currencies;
}

absl::StatusOr<crm::v1::StageChange> OpportunityStore::InsertStageChange(db::Tx& tx, crm::v1::StageChange change) {
  long long sequence = 0;
  absl::Status status = db::Guard("insert stage change", [&]() -> absl::Status {
    soci::session& sql = tx.session();
    // Bound as const: SOCI would otherwise map the row back into `change` after the insert.
    const crm::v1::StageChange& row = change;
    db::ExecuteRow(sql, kInsertStageChange, row);
    if (!sql.get_last_insert_id("stage_changes", sequence)) {
      return absl::InternalError("the database did not report the new stage change's sequence");
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  change.set_sequence(sequence);
  return change;
}

absl::StatusOr<std::vector<crm::v1::StageChange>> OpportunityStore::ListStageChanges(soci::session& sql,
                                                                                     const std::string& opportunity_id,
                                                                                     int64_t after_sequence,
                                                                                     int limit) {
  db::SqlQuery q(kSelectStageChange);
  q.Where("opportunity_id = ?", opportunity_id);
  q.Where("sequence > ?", static_cast<long long>(after_sequence));
  q.Append(" ORDER BY sequence LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<crm::v1::StageChange>(sql, q, "list stage changes");
}

absl::StatusOr<std::optional<crm::v1::StageChange>> OpportunityStore::LastStageChange(
    soci::session& sql, const std::string& opportunity_id) {
  db::SqlQuery q(kSelectStageChange);
  q.Where("opportunity_id = ?", opportunity_id);
  q.Append(" ORDER BY sequence DESC LIMIT 1");
  absl::StatusOr<std::vector<crm::v1::StageChange>> rows =
      db::QueryAll<crm::v1::StageChange>(sql, q, "read stage change");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<crm::v1::StageChange>();
  return std::optional<crm::v1::StageChange>(std::move(rows->front()));
}

}  // namespace crm::pipeline
