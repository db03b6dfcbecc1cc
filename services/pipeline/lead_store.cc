#include "services/pipeline/lead_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/duplicates/duplicate_store.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a leads row and crm.v1.Lead.
template <>
struct type_conversion<crm::v1::Lead> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Lead& l) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    using crm::db::IsNull;
    l.Clear();
    l.set_id(GetString(v, "id"));
    l.set_full_name(GetString(v, "full_name"));
    l.set_company_name(GetString(v, "company_name"));
    l.set_title(GetString(v, "title"));
    l.set_email(GetString(v, "email"));
    l.set_phone(GetString(v, "phone"));
    l.set_industry(GetString(v, "industry"));
    l.set_region(GetString(v, "region"));
    const auto channel = static_cast<crm::v1::LeadChannel>(GetInt64(v, "source_channel"));
    std::string campaign_id = GetString(v, "source_campaign_id");
    if (channel != crm::v1::LEAD_CHANNEL_UNSPECIFIED || !campaign_id.empty()) {
      l.mutable_source()->set_channel(channel);
      l.mutable_source()->set_campaign_id(std::move(campaign_id));
    }
    l.set_score(static_cast<int32_t>(GetInt64(v, "score")));
    l.set_status(static_cast<crm::v1::LeadStatus>(GetInt64(v, "status")));
    l.set_owner(GetString(v, "owner"));
    l.set_notes(GetString(v, "notes"));
    l.set_disqualify_reason(GetString(v, "disqualify_reason"));
    l.set_converted_account_id(GetString(v, "converted_account_id"));
    l.set_converted_contact_id(GetString(v, "converted_contact_id"));
    l.set_converted_opportunity_id(GetString(v, "converted_opportunity_id"));
    if (!IsNull(v, "convert_time")) *l.mutable_convert_time() = crm::MicrosToTimestamp(GetInt64(v, "convert_time"));
    *l.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *l.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    l.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
    if (!IsNull(v, "custom_fields")) {
      crm::customfields::DecodeValues(GetString(v, "custom_fields"), l.mutable_custom_fields());
    }
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Lead& l, Values& v, indicator& ind) {
    const auto optional_id = [&v](const char* column, const std::string& id) {
      v.set(column, id, id.empty() ? i_null : i_ok);
    };
    v.set("id", l.id());
    v.set("full_name", l.full_name());
    v.set("company_name", l.company_name());
    v.set("title", l.title());
    v.set("email", l.email());
    v.set("phone", l.phone());
    v.set("industry", l.industry());
    v.set("region", l.region());
    v.set("source_channel", static_cast<long long>(l.source().channel()));
    optional_id("source_campaign_id", l.source().campaign_id());
    v.set("score", static_cast<long long>(l.score()));
    v.set("status", static_cast<long long>(l.status()));
    v.set("owner", l.owner());
    v.set("notes", l.notes());
    v.set("disqualify_reason", l.disqualify_reason());
    optional_id("converted_account_id", l.converted_account_id());
    optional_id("converted_contact_id", l.converted_contact_id());
    optional_id("converted_opportunity_id", l.converted_opportunity_id());
    v.set("convert_time", static_cast<long long>(crm::TimestampToMicros(l.convert_time())),
          l.has_convert_time() ? i_ok : i_null);
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(l.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(l.update_time())));
    v.set("custom_fields", crm::customfields::EncodeValues(l.custom_fields()),
          l.custom_fields().empty() ? i_null : i_ok);
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

// Leads in the custom field value index.
absl::string_view IndexEntity() { return customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_LEAD); }

constexpr char kLeadColumns[] =
    "id, full_name, company_name, title, email, phone, industry, region, source_channel,"
    " source_campaign_id, score, status, owner, notes, disqualify_reason, converted_account_id,"
    " converted_contact_id, converted_opportunity_id, convert_time, create_time, update_time, revision,"
    " custom_fields";
const std::string kSelectLead = absl::StrCat("SELECT ", kLeadColumns, " FROM leads");
const std::string kSelectLeadById = kSelectLead + " WHERE id = :id";
constexpr char kInsertLead[] =
    "INSERT INTO leads (id, full_name, company_name, title, email, phone, industry, region,"
    " source_channel, source_campaign_id, score, status, owner, notes, disqualify_reason,"
    " converted_account_id, converted_contact_id, converted_opportunity_id, convert_time,"
    " create_time, update_time, custom_fields, revision) VALUES (:id, :full_name, :company_name, :title,"
    " :email, :phone, :industry, :region, :source_channel, :source_campaign_id, :score, :status, :owner,"
    " :notes, :disqualify_reason, :converted_account_id, :converted_contact_id,"
    " :converted_opportunity_id, :convert_time, :create_time, :update_time, :custom_fields, 1)";
// create_time never changes after the insert.
constexpr char kUpdateLead[] =
    "UPDATE leads SET full_name = :full_name, company_name = :company_name, title = :title,"
    " email = :email, phone = :phone, industry = :industry, region = :region,"
    " source_channel = :source_channel, source_campaign_id = :source_campaign_id, score = :score,"
    " status = :status, owner = :owner, notes = :notes, disqualify_reason = :disqualify_reason,"
    " converted_account_id = :converted_account_id, converted_contact_id = :converted_contact_id,"
    " converted_opportunity_id = :converted_opportunity_id, convert_time = :convert_time,"
    " update_time = :update_time, custom_fields = :custom_fields, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision";
constexpr char kDeleteLead[] = "DELETE FROM leads WHERE id = :id AND revision = :expected_revision";
// Served by leads_by_campaign (source_campaign_id, status, id) without touching the rows.
constexpr char kCampaignLeadTotals[] =
    "SELECT COUNT(*), COUNT(CASE WHEN status = :converted THEN 1 END) FROM leads"
    " WHERE source_campaign_id = :campaign_id";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Lead>> LeadStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Lead>(sql, kSelectLeadById, id, "read lead");
}

absl::StatusOr<std::optional<crm::v1::Lead>> LeadStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Lead>(tx.session(), kSelectLeadById + tx.dialect().ForUpdate(), id, "read lead");
}

absl::Status LeadStore::Insert(db::Tx& tx, const crm::v1::Lead& lead) {
  absl::Status status = db::Guard("insert lead", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertLead, lead);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (absl::Status s =
          duplicates::DuplicateIndex::Insert(tx, crm::v1::DUPLICATE_ENTITY_LEAD, lead.id(), duplicates::KeysOf(lead));
      !s.ok()) {
    return s;
  }
  if (lead.custom_fields().empty()) return status;
  return customfields::CustomValueIndex::Replace(tx, IndexEntity(), lead.id(), lead.custom_fields());
}

absl::StatusOr<bool> LeadStore::Update(db::Tx& tx, const crm::v1::Lead& stored, const crm::v1::Lead& lead,
                                       int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateLead, lead, expected_revision, "update lead");
  if (!updated.ok() || !*updated) return updated;
  absl::Status indexed = customfields::CustomValueIndex::ReplaceIfChanged(tx, IndexEntity(), lead.id(),
                                                                          stored.custom_fields(), lead.custom_fields());
  if (!indexed.ok()) return indexed;
  absl::Status keyed = duplicates::DuplicateIndex::ReplaceIfChanged(
      tx, crm::v1::DUPLICATE_ENTITY_LEAD, lead.id(), duplicates::KeysOf(stored), duplicates::KeysOf(lead));
  if (!keyed.ok()) return keyed;
  return true;
}

absl::StatusOr<bool> LeadStore::Delete(db::Tx& tx, const std::string& id, int64_t expected_revision) {
  bool deleted = false;
  long long expected = expected_revision;
  absl::Status status = db::Guard("delete lead", [&]() -> absl::Status {
    soci::statement statement =
        (tx.session().prepare << kDeleteLead, soci::use(id, "id"), soci::use(expected, "expected_revision"));
    statement.execute(true);
    deleted = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!deleted) return false;
  // A hard delete takes the lead's index rows with it.
  absl::Status unindexed = customfields::CustomValueIndex::Replace(tx, IndexEntity(), id, customfields::ValueMap());
  if (!unindexed.ok()) return unindexed;
  if (absl::Status s = duplicates::DuplicateIndex::Replace(tx, crm::v1::DUPLICATE_ENTITY_LEAD, id, {}); !s.ok()) {
    return s;
  }
  return true;
}

absl::StatusOr<std::vector<crm::v1::Lead>> LeadStore::List(soci::session& sql, const LeadListQuery& query) {
  // An equality on a custom value drives the list from its index entries, which come in id order.
  std::vector<customfields::IndexCondition> custom_conditions = query.custom_conditions;
  const std::optional<customfields::ValueDrivenList> driven =
      customfields::ValueDrivenList::Take(IndexEntity(), "leads", "id", custom_conditions);
  db::SqlQuery q = driven ? driven->Select(db::Dialect::Of(sql), kLeadColumns) : db::SqlQuery(kSelectLead);
  if (query.status != crm::v1::LEAD_STATUS_UNSPECIFIED) q.Where("status = ?", static_cast<long long>(query.status));
  if (query.owners) q.WhereIn("owner", *query.owners);
  if (query.channel != crm::v1::LEAD_CHANNEL_UNSPECIFIED) {
    q.Where("source_channel = ?", static_cast<long long>(query.channel));
  }
  if (!query.campaign_id.empty()) q.Where("source_campaign_id = ?", query.campaign_id);
  if (!query.text.empty()) {
    const std::string pattern = db::Dialect::ContainsPattern(query.text);
    q.Where(absl::StrCat("(", db::Dialect::ContainsPredicate("full_name"), " OR ",
                         db::Dialect::ContainsPredicate("company_name"), " OR ",
                         db::Dialect::ContainsPredicate("email"), ")"),
            pattern, pattern, pattern);
  }
  if (query.min_score > 0) q.Where("score >= ?", static_cast<long long>(query.min_score));
  customfields::CustomValueIndex::AddConditions(q, IndexEntity(), "id", custom_conditions);
  customfields::ValueDrivenList::AddIdOrder(q, driven, "id", query.after_id, false);
  q.Append(" LIMIT ?", static_cast<long long>(query.limit));

  return db::QueryAll<crm::v1::Lead>(sql, q, "list leads");
}

absl::StatusOr<CampaignLeadTotals> LeadStore::TotalsForCampaign(soci::session& sql, const std::string& campaign_id) {
  CampaignLeadTotals totals;
  long long leads = 0, conversions = 0;
  long long converted = crm::v1::LEAD_STATUS_CONVERTED;
  absl::Status status = db::Guard("count campaign leads", [&]() -> absl::Status {
    sql << kCampaignLeadTotals, soci::use(converted, "converted"), soci::use(campaign_id, "campaign_id"),
        soci::into(leads), soci::into(conversions);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  totals.leads = leads;
  totals.conversions = conversions;
  return totals;
}

}  // namespace crm::pipeline
