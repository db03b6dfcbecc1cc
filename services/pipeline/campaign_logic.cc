#include "services/pipeline/campaign_logic.h"

#include <soci/soci.h>

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
#include "common/db/entity_ops.h"
#include "services/pipeline/campaign_store.h"
#include "services/pipeline/lead_store.h"
#include "services/pipeline/pipelines_logic.h"

namespace crm::pipeline {
namespace {

using crm::v1::Campaign;

constexpr char kIdPrefix[] = "cmp";
constexpr char kCreateScope[] = "campaigns.create";
constexpr char kListScope[] = "campaigns.list";
// Where an amount without a rate came from, as named in FAILED_PRECONDITION.
constexpr char kWonAmountField[] = "opportunity.amount";
constexpr char kCostField[] = "campaign.cost";

const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields =
      new absl::flat_hash_set<std::string>{"name", "channel", "cost", "start_date", "end_date", "owner"};
  return *fields;
}

absl::Status NotFound(const std::string& field, const std::string& id) {
  return NoSuchEntity(field, kCampaignEntity, id);
}

void NormaliseCampaign(Campaign& campaign) {
  campaign.set_name(std::string(absl::StripAsciiWhitespace(campaign.name())));
}

}  // namespace

absl::Status ValidateCampaign(const Campaign& c, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredText(c.name(), f("name"), kMaxNameLength);
  v.Enum(c.channel(), crm::v1::LeadChannel_IsValid, f("channel"), true);
  if (c.has_cost()) {
    for (const FieldViolation& violation : MoneyViolations(c.cost(), f("cost"), false)) {
      v.Check(false, violation.field, violation.description);
    }
  }
  v.OptionalDate(c.start_date(), c.has_start_date(), f("start_date"));
  v.OptionalDate(c.end_date(), c.has_end_date(), f("end_date"));
  // Compared only when both are real dates, so each problem is reported once.
  if (c.has_start_date() && c.has_end_date() && IsValidDate(c.start_date()) && IsValidDate(c.end_date())) {
    v.Check(*DayNumberFromDate(c.start_date(), f("start_date")) <= *DayNumberFromDate(c.end_date(), f("end_date")),
            f("end_date"), "must not be before start_date");
  }
  v.OptionalText(c.owner(), f("owner"), kMaxShortTextLength);
  return v.status();
}

absl::StatusOr<Campaign> CampaignLogic::Create(const server::CallContext& call,
                                               const crm::v1::CreateCampaignRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_campaign(), "campaign", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();

  Campaign campaign = request.campaign();
  if (campaign.owner().empty()) campaign.set_owner(call.actor);
  if (absl::Status valid = ValidateCampaign(campaign, "campaign"); !valid.ok()) return valid;
  NormaliseCampaign(campaign);
  // Output-only fields are ignored on create.
  campaign.clear_create_time();
  campaign.clear_update_time();
  campaign.clear_etag();
  const absl::Time now = rt_.clock->Now();
  campaign.set_id(NewIdAt(kIdPrefix, now));
  *campaign.mutable_create_time() = TimeToTimestamp(now);
  *campaign.mutable_update_time() = TimeToTimestamp(now);

  return db::CreateOnce<Campaign>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request, CampaignStore::Find,
      [&](db::Tx& tx) -> absl::StatusOr<Campaign> {
        if (absl::Status s = CampaignStore::Insert(tx, campaign); !s.ok()) return s;
        Campaign created = campaign;
        created.set_etag(FormatEtag(1));
        absl::Status event = rt_.outbox->AppendChange(
            tx, "campaign.created", kCampaignEntity, created.id(), crm::v1::CHANGE_KIND_CREATED,
            DiffMessages(nullptr, created, BookkeepingFields()), created.owner(), call.actor, request.request_id(), now);
        if (!event.ok()) return event;
        return created;
      });
}

absl::StatusOr<Campaign> CampaignLogic::Get(const server::CallContext& call,
                                            const crm::v1::GetCampaignRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  return db::ReadEntity<Campaign>(*rt_.db, call.deadline, CampaignStore::Find, request.id(), kCampaignEntity);
}

absl::StatusOr<Campaign> CampaignLogic::Update(const server::CallContext& call,
                                               const crm::v1::UpdateCampaignRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_campaign(), "campaign", "is required");
  if (request.has_campaign()) request_checks.RequiredId(request.campaign().id(), "campaign.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.campaign(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  const absl::Time now = rt_.clock->Now();
  db::VersionedChange<Campaign> op;
  op.load = CampaignStore::FindForUpdate;
  op.not_found = [&] { return NotFound("campaign.id", request.campaign().id()); };
  op.change = [&](db::Tx&, const Campaign& before) -> absl::StatusOr<std::optional<Campaign>> {
    Campaign after = before;
    ApplyPaths(request.campaign(), *paths, &after);
    if (after.owner().empty()) return InvalidField("campaign.owner", "cannot be cleared; every campaign has an owner");
    if (absl::Status s = ValidateCampaign(after, "campaign"); !s.ok()) return s;
    NormaliseCampaign(after);
    if (DiffMessages(&before, after, BookkeepingFields()).empty()) return std::optional<Campaign>();
    *after.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<Campaign>(std::move(after));
  };
  op.store = db::StoreOf(CampaignStore::Update);
  op.after_write = [&](db::Tx& tx, const Campaign& before, const Campaign& after) {
    return rt_.outbox->AppendChange(tx, "campaign.updated", kCampaignEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                    DiffMessages(&before, after, BookkeepingFields()), after.owner(), call.actor,
                                    call.correlation_id, now);
  };
  return db::ChangeVersioned(*rt_.db, call.deadline, request.campaign().id(), request.etag(), "etag",
                             kCampaignEntity, op);
}

absl::StatusOr<crm::v1::ListCampaignsResponse> CampaignLogic::List(const server::CallContext& call,
                                                                   const crm::v1::ListCampaignsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().Enum(request.channel(), crm::v1::LeadChannel_IsValid, "channel", false).status();
      !s.ok()) {
    return s;
  }

  CampaignListQuery query;
  query.channel = request.channel();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<Campaign>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return CampaignStore::List(sql, query); });
  if (!rows.ok()) return rows.status();
  crm::v1::ListCampaignsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const Campaign& last) { return KeysetPage::Cursor{last.id()}; }));
  for (Campaign& c : *rows) *response.add_campaigns() = std::move(c);
  return response;
}

namespace {

// What performance is computed from, read in one snapshot.
struct PerformanceInputs {
  Campaign campaign;
  CampaignLeadTotals leads;
  CampaignOpportunityTotals opportunities;
  CurrencyConverter converter;
};

}  // namespace

absl::StatusOr<crm::v1::CampaignPerformance> CampaignLogic::Performance(
    const server::CallContext& call, const crm::v1::GetCampaignPerformanceRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  absl::StatusOr<PerformanceInputs> inputs = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<PerformanceInputs> {
        PerformanceInputs in;
        absl::StatusOr<std::optional<Campaign>> campaign = CampaignStore::Find(sql, request.id());
        if (!campaign.ok()) return campaign.status();
        if (!campaign->has_value()) return NotFound("id", request.id());
        in.campaign = **std::move(campaign);
        absl::StatusOr<CampaignLeadTotals> leads = LeadStore::TotalsForCampaign(sql, request.id());
        if (!leads.ok()) return leads.status();
        in.leads = *leads;
        absl::StatusOr<CampaignOpportunityTotals> opportunities = CampaignStore::OpportunityTotals(sql, request.id());
        if (!opportunities.ok()) return opportunities.status();
        in.opportunities = *std::move(opportunities);
        absl::StatusOr<SalesConfig> config = LoadSalesConfig(sql);
        if (!config.ok()) return config.status();
        in.converter = std::move(config->converter);
        return in;
      });
  if (!inputs.ok()) return inputs.status();
  const CurrencyConverter& converter = inputs->converter;

  // Each currency's exact sum is converted once; the base-currency sum is checked for range.
  __int128 won_micros = 0;
  for (const Amount& sum : inputs->opportunities.won_by_currency) {
    absl::StatusOr<int64_t> base = converter.ToBaseMicros(sum, kWonAmountField);
    if (!base.ok()) return base.status();
    won_micros += *base;
  }
  if (!FitsMoney(won_micros)) {
    return absl::OutOfRangeError("the campaign's won revenue exceeds the range of a money amount");
  }
  int64_t cost_micros = 0;
  if (inputs->campaign.has_cost()) {
    absl::StatusOr<int64_t> cost = converter.ToBaseMicros(inputs->campaign.cost(), kCostField);
    if (!cost.ok()) return cost.status();
    cost_micros = *cost;
  }

  crm::v1::CampaignPerformance performance;
  performance.set_campaign_id(inputs->campaign.id());
  performance.set_leads(inputs->leads.leads);
  performance.set_conversions(inputs->leads.conversions);
  performance.set_opportunities(inputs->opportunities.opportunities);
  performance.set_won_opportunities(inputs->opportunities.won);
  *performance.mutable_won_revenue() = MoneyFromMicros(converter.base_currency(), static_cast<int64_t>(won_micros));
  *performance.mutable_cost() = MoneyFromMicros(converter.base_currency(), cost_micros);
  if (cost_micros != 0) {
    performance.set_roi(static_cast<double>(won_micros - cost_micros) / static_cast<double>(cost_micros));
  }
  return performance;
}

}  // namespace crm::pipeline
