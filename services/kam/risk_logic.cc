#include "services/kam/risk_logic.h"

#include <soci/soci.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/core/errors.h"
#include "common/core/keyset_page.h"
#include "common/core/money.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/kam/facts_store.h"
#include "services/kam/model_logic.h"
#include "services/kam/risk.h"
#include "services/kam/risk_store.h"
#include "services/kam/scoring_model.h"
#include "services/pipeline/pipelines_logic.h"

namespace crm::kam {
namespace {

constexpr char kAccountEntity[] = "account";
constexpr char kListAtRiskScope[] = "kam.accounts_at_risk";
constexpr double kDaysPerYear = 365;

void FillRisk(const std::string& account_id, double score, const std::vector<RiskFactorScore>& factors,
              absl::Time as_of, crm::v1::ChurnRisk& out) {
  out.set_account_id(account_id);
  out.set_score(score);
  for (const RiskFactorScore& f : factors) {
    crm::v1::RiskFactor* factor = out.add_factors();
    factor->set_factor(f.factor);
    factor->set_points(f.points);
    factor->set_detail(f.detail);
  }
  *out.mutable_as_of() = TimeToTimestamp(as_of);
}

// One account's facts as of `as_of` under `model`; NOT_FOUND naming account_id when it is
// unknown or deleted.
absl::StatusOr<AccountData> ReadAccount(soci::session& sql, const crm::v1::ScoringModel& model, absl::Time as_of,
                                        const std::string& account_id) {
  absl::StatusOr<std::optional<AccountData>> data = FactsStore::ReadOne(sql, FactsWindowFor(model, as_of), account_id);
  if (!data.ok()) return data.status();
  if (!data->has_value()) return NoSuchEntity("account_id", kAccountEntity, account_id);
  return **std::move(data);
}

}  // namespace

absl::StatusOr<crm::v1::ChurnRisk> RiskLogic::GetChurnRisk(const server::CallContext& call,
                                                          const crm::v1::GetChurnRiskRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.account_id(), "account_id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  absl::StatusOr<AccountData> data = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<AccountData> {
    absl::StatusOr<crm::v1::ScoringModel> model = LoadScoringModel(sql, 0, "model_version");
    if (!model.ok()) return model.status();
    return ReadAccount(sql, *model, now, request.account_id());
  });
  if (!data.ok()) return data.status();
  const ChurnAssessment assessment = AssessChurnRisk(*data, now);
  crm::v1::ChurnRisk risk;
  FillRisk(request.account_id(), assessment.score, assessment.factors, now, risk);
  return risk;
}

absl::StatusOr<crm::v1::ListAccountsAtRiskResponse> RiskLogic::ListAccountsAtRisk(
    const server::CallContext& call, const crm::v1::ListAccountsAtRiskRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  Validator v;
  v.Check(std::isfinite(request.min_score()) && request.min_score() >= 0 && request.min_score() <= 100, "min_score",
          "must be between 0 and 100 (0 = the default 50)");
  v.Enum(request.tier(), crm::v1::AccountTier_IsValid, "tier", false);
  v.OptionalText(request.owner(), "owner", kMaxShortTextLength);
  if (!v.ok()) return v.status();

  AtRiskQuery query;
  query.min_risk_micro = ChurnRiskMicros(request.min_score() > 0 ? request.min_score() : kDefaultMinChurnRisk);
  query.tier = request.tier();
  query.owner = request.owner();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListAtRiskScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  if (!page->first()) {
    absl::StatusOr<int64_t> after = page->IntAt(0);
    if (!after.ok()) return after.status();
    query.after_risk_micro = *after;
    query.after_account_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();

  struct Entry {
    AtRiskRow row;
    std::vector<RiskFactorScore> factors;
  };
  std::string next_page_token;
  absl::StatusOr<std::vector<Entry>> entries =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Entry>> {
        absl::StatusOr<std::vector<AtRiskRow>> rows = RiskStore::ListAtRisk(sql, query);
        if (!rows.ok()) return rows.status();
        next_page_token = page->Finish(&*rows, [](const AtRiskRow& last) {
          return KeysetPage::Cursor{std::to_string(last.churn_risk_micro), last.account_id};
        });
        std::map<int32_t, crm::v1::ScoringModel> models;  // every row of one run shares one version
        std::vector<Entry> out;
        out.reserve(rows->size());
        for (AtRiskRow& row : *rows) {
          auto model = models.find(row.model_version);
          if (model == models.end()) {
            absl::StatusOr<crm::v1::ScoringModel> loaded = LoadScoringModel(sql, row.model_version, "model_version");
            if (!loaded.ok()) return loaded.status();
            model = models.emplace(row.model_version, *std::move(loaded)).first;
          }
          const absl::Time as_of = FromMicros(row.as_of_micros);
          absl::StatusOr<AccountData> data = ReadAccount(sql, model->second, as_of, row.account_id);
          if (!data.ok()) return data.status();
          out.push_back(Entry{std::move(row), AssessChurnRisk(*data, as_of).factors});
        }
        return out;
      });
  if (!entries.ok()) return entries.status();

  crm::v1::ListAccountsAtRiskResponse response;
  for (const Entry& e : *entries) {
    FillRisk(e.row.account_id, static_cast<double>(e.row.churn_risk_micro) / 1e6, e.factors,
             FromMicros(e.row.as_of_micros), *response.add_risks());
  }
  response.set_next_page_token(std::move(next_page_token));
  return response;
}

absl::StatusOr<crm::v1::LifetimeValue> RiskLogic::GetLifetimeValue(const server::CallContext& call,
                                                                  const crm::v1::GetLifetimeValueRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.account_id(), "account_id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  struct Inputs {
    AccountData data;
    crm::v1::ScoringModel model;
    std::string currency;
  };
  absl::StatusOr<Inputs> inputs = db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<Inputs> {
    absl::StatusOr<crm::v1::ScoringModel> model = LoadScoringModel(sql, 0, "model_version");
    if (!model.ok()) return model.status();
    absl::StatusOr<pipeline::SalesConfig> config = pipeline::LoadSalesConfig(sql);
    if (!config.ok()) return config.status();
    absl::StatusOr<AccountData> data = ReadAccount(sql, *model, now, request.account_id());
    if (!data.ok()) return data.status();
    return Inputs{*std::move(data), *std::move(model), config->base_currency()};
  });
  if (!inputs.ok()) return inputs.status();

  const AccountData& data = inputs->data;
  const crm::v1::ScoringModel& model = inputs->model;
  int64_t average_order_micros = 0;
  if (data.lifetime_orders > 0) {
    average_order_micros = static_cast<int64_t>(ScaleRounded(data.lifetime_revenue_micros, 1, data.lifetime_orders));
  }
  const double purchases_per_year =
      model.window_days() > 0
          ? static_cast<double>(data.facts.orders_in_window) * kDaysPerYear / static_cast<double>(model.window_days())
          : 0;
  const double lifetime_years = model.lifetime_value().default_lifetime_years();
  const double margin = model.lifetime_value().margin();
  const double value = static_cast<double>(average_order_micros) * purchases_per_year * lifetime_years * margin;
  const double rounded = std::round(value);
  if (!(std::abs(rounded) <= static_cast<double>(kMaxMoneyMicros))) {
    return absl::OutOfRangeError("the lifetime value estimate leaves the money range");
  }

  crm::v1::LifetimeValue out;
  out.set_account_id(request.account_id());
  *out.mutable_value() = MoneyFromMicros(inputs->currency, static_cast<int64_t>(rounded));
  *out.mutable_average_order_value() = MoneyFromMicros(inputs->currency, average_order_micros);
  out.set_purchases_per_year(purchases_per_year);
  out.set_expected_lifetime_years(lifetime_years);
  out.set_margin(margin);
  return out;
}

}  // namespace crm::kam
