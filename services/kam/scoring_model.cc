#include "services/kam/scoring_model.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/core/validation.h"

namespace crm::kam {
namespace {

constexpr int kMaxDays = 36500;

double WeightOf(const crm::v1::ScoringWeights& w, Dimension dimension) {
  switch (dimension) {
    case Dimension::kRevenue: return w.revenue_contribution();
    case Dimension::kProfit: return w.profit();
    case Dimension::kFrequency: return w.purchase_frequency();
    case Dimension::kRecency: return w.recency();
    case Dimension::kTenure: return w.tenure();
    case Dimension::kPayment: return w.payment_behaviour();
    case Dimension::kSatisfaction: return w.satisfaction();
    case Dimension::kIndustryInfluence: return w.industry_influence();
    case Dimension::kCooperationPotential: return w.cooperation_potential();
  }
  return 0;
}

}  // namespace

absl::string_view ContractDimensionName(Dimension dimension) {
  switch (dimension) {
    case Dimension::kRevenue: return "revenue_contribution";
    case Dimension::kProfit: return "profit";
    case Dimension::kFrequency: return "purchase_frequency";
    case Dimension::kRecency: return "recency";
    case Dimension::kTenure: return "tenure";
    case Dimension::kPayment: return "payment_behaviour";
    case Dimension::kSatisfaction: return "satisfaction";
    case Dimension::kIndustryInfluence: return "industry_influence";
    case Dimension::kCooperationPotential: return "cooperation_potential";
  }
  return "unknown";
}

std::string TierLabel(crm::v1::AccountTier tier) {
  switch (tier) {
    case crm::v1::ACCOUNT_TIER_STRATEGIC: return "Strategic";
    case crm::v1::ACCOUNT_TIER_KEY: return "Key";
    case crm::v1::ACCOUNT_TIER_STANDARD: return "Standard";
    case crm::v1::ACCOUNT_TIER_POTENTIAL: return "Potential";
    default: return "none";
  }
}

crm::v1::ScoringModel DefaultScoringModel() {
  const kam::ScoringModel engine;
  crm::v1::ScoringModel m;
  m.set_version(1);
  crm::v1::ScoringWeights* w = m.mutable_weights();
  w->set_revenue_contribution(engine.weights.revenue);
  w->set_profit(engine.weights.profit);
  w->set_purchase_frequency(engine.weights.frequency);
  w->set_recency(engine.weights.recency);
  w->set_tenure(engine.weights.tenure);
  w->set_payment_behaviour(engine.weights.payment);
  w->set_satisfaction(engine.weights.satisfaction);
  w->set_industry_influence(engine.weights.industry_influence);
  w->set_cooperation_potential(engine.weights.cooperation_potential);
  m.mutable_abc()->set_a_max_share(engine.abc.a_threshold);
  m.mutable_abc()->set_b_max_share(engine.abc.b_threshold);
  m.set_window_days(365);
  m.mutable_lifecycle()->set_new_max_days(static_cast<int32_t>(engine.lifecycle.new_max_tenure / absl::Hours(24)));
  m.mutable_lifecycle()->set_growth_min_change(engine.lifecycle.growth_min_rise);
  m.mutable_lifecycle()->set_decline_min_change(engine.lifecycle.decline_min_drop);
  m.mutable_lifecycle()->set_trend_period_days(90);
  const crm::v1::AccountTier tiers[] = {crm::v1::ACCOUNT_TIER_STRATEGIC, crm::v1::ACCOUNT_TIER_KEY,
                                        crm::v1::ACCOUNT_TIER_STANDARD, crm::v1::ACCOUNT_TIER_POTENTIAL};
  for (size_t i = 0; i < engine.tiers.size() && i < 4; ++i) {
    crm::v1::TierCutoff* cutoff = m.add_tiers();
    cutoff->set_tier(tiers[i]);
    cutoff->set_min_score(engine.tiers[i].min_score);
  }
  m.mutable_lifetime_value()->set_margin(0.3);
  m.mutable_lifetime_value()->set_default_lifetime_years(5);
  m.set_reevaluate_every_days(7);
  m.set_created_by("system");
  m.set_note("defaults");
  return m;
}

absl::Status ValidateScoringModel(const crm::v1::ScoringModel& model, absl::string_view prefix) {
  Validator v;
  auto field = [&](absl::string_view path) { return absl::StrCat(prefix, ".", path); };
  double sum = 0;
  for (int d = 0; d < kDimensionCount; ++d) {
    const Dimension dimension = static_cast<Dimension>(d);
    const double weight = WeightOf(model.weights(), dimension);
    v.Check(std::isfinite(weight) && weight >= 0, field(absl::StrCat("weights.", ContractDimensionName(dimension))),
            "must be a non-negative number");
    sum += weight;
  }
  v.Check(std::abs(sum - 1.0) <= 1e-9, field("weights"), absl::StrCat("must sum to 1 (they sum to ", sum, ")"));
  const double a = model.abc().a_max_share();
  const double b = model.abc().b_max_share();
  v.Check(std::isfinite(a) && a > 0 && a < 1, field("abc.a_max_share"), "must be above 0 and below 1");
  v.Check(std::isfinite(b) && b > a && b <= 1, field("abc.b_max_share"), "must be above a_max_share and at most 1");
  v.Check(model.window_days() > 0 && model.window_days() <= kMaxDays, field("window_days"),
          absl::StrCat("must be between 1 and ", kMaxDays));
  const crm::v1::LifecycleRules& life = model.lifecycle();
  v.Check(life.new_max_days() >= 0 && life.new_max_days() <= kMaxDays, field("lifecycle.new_max_days"),
          absl::StrCat("must be between 0 and ", kMaxDays));
  v.Check(std::isfinite(life.growth_min_change()) && life.growth_min_change() >= 0,
          field("lifecycle.growth_min_change"), "must not be negative");
  v.Check(std::isfinite(life.decline_min_change()) && life.decline_min_change() > 0 && life.decline_min_change() <= 1,
          field("lifecycle.decline_min_change"), "must be above 0 and at most 1");
  v.Check(life.trend_period_days() > 0 && life.trend_period_days() <= kMaxDays, field("lifecycle.trend_period_days"),
          absl::StrCat("must be between 1 and ", kMaxDays));
  v.Check(model.tiers_size() > 0, field("tiers"), "at least one tier is required");
  std::set<int> seen;
  for (int i = 0; i < model.tiers_size(); ++i) {
    const crm::v1::TierCutoff& cutoff = model.tiers(i);
    const std::string at = field(absl::StrCat("tiers[", i, "]"));
    const bool known = cutoff.tier() != crm::v1::ACCOUNT_TIER_UNSPECIFIED && crm::v1::AccountTier_IsValid(cutoff.tier());
    v.Check(known, absl::StrCat(at, ".tier"), "must be a known tier (STRATEGIC, KEY, STANDARD or POTENTIAL)");
    v.Check(!known || seen.insert(cutoff.tier()).second, absl::StrCat(at, ".tier"), "appears twice");
    const double min_score = cutoff.min_score();
    v.Check(std::isfinite(min_score) && min_score >= 0 && min_score <= 100, absl::StrCat(at, ".min_score"),
            "must be between 0 and 100");
    if (i > 0) {
      v.Check(min_score < model.tiers(i - 1).min_score(), absl::StrCat(at, ".min_score"),
              "must be below the previous tier's (cut-offs descend with the tiers)");
    }
    if (i + 1 == model.tiers_size()) {
      v.Check(min_score == 0, absl::StrCat(at, ".min_score"), "the last tier must start at 0 so every score has a tier");
    }
  }
  const double margin = model.lifetime_value().margin();
  v.Check(std::isfinite(margin) && margin >= 0 && margin <= 1, field("lifetime_value.margin"), "must be between 0 and 1");
  const double lifetime = model.lifetime_value().default_lifetime_years();
  v.Check(std::isfinite(lifetime) && lifetime > 0 && lifetime <= 100, field("lifetime_value.default_lifetime_years"),
          "must be above 0 and at most 100");
  v.Check(model.reevaluate_every_days() >= 0 && model.reevaluate_every_days() <= kMaxDays,
          field("reevaluate_every_days"), absl::StrCat("must be between 0 (on request only) and ", kMaxDays));
  v.OptionalLongText(model.note(), field("note"), 2000);
  return v.status();
}

ScoringModel ToEngineModel(const crm::v1::ScoringModel& model) {
  ScoringModel engine;
  const crm::v1::ScoringWeights& w = model.weights();
  engine.weights.revenue = w.revenue_contribution();
  engine.weights.profit = w.profit();
  engine.weights.frequency = w.purchase_frequency();
  engine.weights.recency = w.recency();
  engine.weights.tenure = w.tenure();
  engine.weights.payment = w.payment_behaviour();
  engine.weights.satisfaction = w.satisfaction();
  engine.weights.industry_influence = w.industry_influence();
  engine.weights.cooperation_potential = w.cooperation_potential();
  engine.abc.a_threshold = model.abc().a_max_share();
  engine.abc.b_threshold = model.abc().b_max_share();
  engine.rfm_window = absl::Hours(24) * model.window_days();
  engine.scoring_window = engine.rfm_window;
  engine.lifecycle.new_max_tenure = absl::Hours(24) * model.lifecycle().new_max_days();
  engine.lifecycle.growth_min_rise = model.lifecycle().growth_min_change();
  engine.lifecycle.decline_min_drop = model.lifecycle().decline_min_change();
  engine.tiers.clear();
  for (const crm::v1::TierCutoff& cutoff : model.tiers()) {
    engine.tiers.push_back(Tier{TierLabel(cutoff.tier()), cutoff.min_score()});
  }
  return engine;
}

FactsWindow FactsWindowFor(const crm::v1::ScoringModel& model, absl::Time as_of) {
  FactsWindow window;
  window.as_of = as_of;
  window.window_days = model.window_days();
  window.trend_period_days = model.lifecycle().trend_period_days();
  window.margin = model.lifetime_value().margin();
  return window;
}

crm::v1::AccountTier TierAt(const crm::v1::ScoringModel& model, int index) {
  if (index < 0 || index >= model.tiers_size()) return crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  return model.tiers(index).tier();
}

crm::v1::AbcClass ToProto(AbcClass abc) {
  switch (abc) {
    case AbcClass::kA: return crm::v1::ABC_CLASS_A;
    case AbcClass::kB: return crm::v1::ABC_CLASS_B;
    case AbcClass::kC: return crm::v1::ABC_CLASS_C;
  }
  return crm::v1::ABC_CLASS_UNSPECIFIED;
}

crm::v1::RfmSegment ToProto(RfmSegment segment) {
  switch (segment) {
    case RfmSegment::kChampions: return crm::v1::RFM_SEGMENT_CHAMPIONS;
    case RfmSegment::kLoyal: return crm::v1::RFM_SEGMENT_LOYAL;
    case RfmSegment::kPotentialLoyalist: return crm::v1::RFM_SEGMENT_POTENTIAL_LOYALISTS;
    case RfmSegment::kNew: return crm::v1::RFM_SEGMENT_NEW;
    case RfmSegment::kPromising: return crm::v1::RFM_SEGMENT_PROMISING;
    case RfmSegment::kNeedAttention: return crm::v1::RFM_SEGMENT_NEED_ATTENTION;
    case RfmSegment::kAboutToSleep: return crm::v1::RFM_SEGMENT_ABOUT_TO_SLEEP;
    case RfmSegment::kAtRisk: return crm::v1::RFM_SEGMENT_AT_RISK;
    case RfmSegment::kCannotLose: return crm::v1::RFM_SEGMENT_CANT_LOSE;
    case RfmSegment::kHibernating: return crm::v1::RFM_SEGMENT_HIBERNATING;
  }
  return crm::v1::RFM_SEGMENT_UNSPECIFIED;
}

crm::v1::LifecycleStage ToProto(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return crm::v1::LIFECYCLE_STAGE_NEW;
    case LifecycleStage::kGrowth: return crm::v1::LIFECYCLE_STAGE_GROWTH;
    case LifecycleStage::kMature: return crm::v1::LIFECYCLE_STAGE_MATURE;
    case LifecycleStage::kDecline: return crm::v1::LIFECYCLE_STAGE_DECLINE;
  }
  return crm::v1::LIFECYCLE_STAGE_UNSPECIFIED;
}

}  // namespace crm::kam
