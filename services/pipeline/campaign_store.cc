#include "services/pipeline/campaign_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a campaigns row and crm.v1.Campaign.
template <>
struct type_conversion<crm::v1::Campaign> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Campaign& c) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    using crm::db::IsNull;
    c.Clear();
    c.set_id(GetString(v, "id"));
    c.set_name(GetString(v, "name"));
    c.set_channel(static_cast<crm::v1::LeadChannel>(GetInt64(v, "channel")));
    if (!IsNull(v, "cost_currency")) {
      *c.mutable_cost() = crm::MoneyFromMicros(GetString(v, "cost_currency"), GetInt64(v, "cost_micros"));
    }
    if (!IsNull(v, "start_day")) *c.mutable_start_date() = crm::DateFromDayNumber(GetInt64(v, "start_day"));
    if (!IsNull(v, "end_day")) *c.mutable_end_date() = crm::DateFromDayNumber(GetInt64(v, "end_day"));
    c.set_owner(GetString(v, "owner"));
    *c.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *c.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    c.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  // The campaign has been validated (CampaignLogic): the cost converts to micros exactly and the
  // dates are real dates.
  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Campaign& c, Values& v, indicator& ind) {
    const bool has_cost = c.has_cost();
    const absl::StatusOr<crm::Amount> cost = crm::AmountFromMoney(c.cost(), "cost");
    const auto day = [](const crm::v1::Date& date) {
      return static_cast<long long>(crm::DayNumberFromDate(date, "date").value_or(0));
    };
    v.set("id", c.id());
    v.set("name", c.name());
    v.set("channel", static_cast<long long>(c.channel()));
    v.set("cost_currency", c.cost().currency_code(), has_cost ? i_ok : i_null);
    v.set("cost_micros", static_cast<long long>(has_cost && cost.ok() ? cost->micros : 0));
    v.set("start_day", day(c.start_date()), c.has_start_date() ? i_ok : i_null);
    v.set("end_day", day(c.end_date()), c.has_end_date() ? i_ok : i_null);
    v.set("owner", c.owner());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(c.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(c.update_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

constexpr char kCampaignColumns[] =
    "id, name, channel, cost_currency, cost_micros, start_day, end_day, owner, create_time,"
    " update_time, revision";
const std::string kSelectCampaign = absl::StrCat("SELECT ", kCampaignColumns, " FROM campaigns");
const std::string kSelectCampaignById = kSelectCampaign + " WHERE id = :id";
constexpr char kInsertCampaign[] =
    "INSERT INTO campaigns (id, name, channel, cost_currency, cost_micros, start_day, end_day, owner,"
    " create_time, update_time, revision) VALUES (:id, :name, :channel, :cost_currency, :cost_micros,"
    " :start_day, :end_day, :owner, :create_time, :update_time, 1)";
// create_time never changes after the insert.
constexpr char kUpdateCampaign[] =
    "UPDATE campaigns SET name = :name, channel = :channel, cost_currency = :cost_currency,"
    " cost_micros = :cost_micros, start_day = :start_day, end_day = :end_day, owner = :owner,"
    " update_time = :update_time, revision = revision + 1 WHERE id = :id AND revision = :expected_revision";

// Campaign performance reads the opportunity area's table (opportunity_schema.cc): only its
// source_campaign_id, status and amount columns, and only through these two aggregates, both
// served by the index opportunities_by_campaign (campaign_schema.cc) without touching the rows.
constexpr char kCampaignOpportunityCounts[] =
    "SELECT COUNT(*), COUNT(CASE WHEN status = :won THEN 1 END) FROM opportunities"
    " WHERE source_campaign_id = :campaign_id";
// A won opportunity without an amount (amount_currency NULL) adds nothing. CAST keeps the sum a
// 64-bit integer on MariaDB (SUM of BIGINT is DECIMAL there); on SQLite it is an integer already
// and CAST ... AS SIGNED leaves it one.
constexpr char kCampaignWonByCurrency[] =
    "SELECT amount_currency, CAST(SUM(amount_micros) AS SIGNED) FROM opportunities"
    " WHERE source_campaign_id = :campaign_id AND status = :won AND amount_currency IS NOT NULL"
    " GROUP BY amount_currency ORDER BY amount_currency";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Campaign>> CampaignStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Campaign>(sql, kSelectCampaignById, id, "read campaign");
}

absl::StatusOr<std::optional<crm::v1::Campaign>> CampaignStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Campaign>(tx.session(), kSelectCampaignById + tx.dialect().ForUpdate(), id,
                                         "read campaign");
}

absl::Status CampaignStore::Insert(db::Tx& tx, const crm::v1::Campaign& campaign) {
  return db::Guard("insert campaign", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertCampaign, campaign);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> CampaignStore::Update(db::Tx& tx, const crm::v1::Campaign& campaign, int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdateCampaign, campaign, expected_revision, "update campaign");
}

absl::StatusOr<std::vector<crm::v1::Campaign>> CampaignStore::List(soci::session& sql,
                                                                   const CampaignListQuery& query) {
  db::SqlQuery q(kSelectCampaign);
  if (query.channel != crm::v1::LEAD_CHANNEL_UNSPECIFIED) q.Where("channel = ?", static_cast<long long>(query.channel));
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));

  return db::QueryAll<crm::v1::Campaign>(sql, q, "list campaigns");
}

absl::StatusOr<CampaignOpportunityTotals> CampaignStore::OpportunityTotals(soci::session& sql,
                                                                           const std::string& campaign_id) {
  CampaignOpportunityTotals totals;
  long long won_status = crm::v1::OPPORTUNITY_STATUS_WON;
  absl::Status status = db::Guard("sum campaign opportunities", [&]() -> absl::Status {
    long long count = 0, won = 0;
    sql << kCampaignOpportunityCounts, soci::use(won_status, "won"), soci::use(campaign_id, "campaign_id"),
        soci::into(count), soci::into(won);
    totals.opportunities = count;
    totals.won = won;

    std::string currency;
    long long micros = 0;
    soci::statement statement = (sql.prepare << kCampaignWonByCurrency, soci::use(campaign_id, "campaign_id"),
                                 soci::use(won_status, "won"), soci::into(currency), soci::into(micros));
    statement.execute(false);
    while (statement.fetch()) totals.won_by_currency.push_back(Amount{currency, micros});
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

}  // namespace crm::pipeline
