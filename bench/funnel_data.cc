#include "bench/bench_report.h"
#include "bench/funnel_data.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/random_draws.h"
#include "bench/bulk_insert.h"
#include "common/core/date_util.h"
#include "common/core/etag.h"
#include "common/core/ids.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/db/sql_error.h"
#include "crm/v1/account.pb.h"
#include "services/pipeline/campaign_store.h"
#include "services/pipeline/pipelines_store.h"

namespace crm::bench {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr uint8_t kNoStage = 0xFF;
constexpr char kBaseCurrency[] = "EUR";

constexpr char kCountOpportunities[] = "SELECT COUNT(*) FROM opportunities";
constexpr char kSelectAccountFacts[] = "SELECT id, region, industry FROM accounts";
constexpr char kSelectOpportunityFacts[] =
    "SELECT id, account_id, owner, source_channel, stage_id, status, create_time FROM opportunities"
    " WHERE id > :after AND pipeline_id = :pipeline ORDER BY id LIMIT 50000";
constexpr char kSelectEnteredStages[] =
    "SELECT sequence, opportunity_id, to_stage_id FROM stage_changes"
    " WHERE sequence > :after AND pipeline_id = :pipeline ORDER BY sequence LIMIT 100000";


const std::vector<Weighted> kRegions = {
    {"North America", 30}, {"Western Europe", 25}, {"Asia Pacific", 17},
    {"Northern Europe", 12}, {"Latin America", 8}, {"Middle East & Africa", 8},
};
const std::vector<Weighted> kIndustries = {
    {"Software", 18},      {"Manufacturing", 12}, {"Financial services", 11}, {"Healthcare", 10},
    {"Retail", 9},         {"Logistics", 8},      {"Energy", 7},              {"Telecommunications", 7},
    {"Education", 6},      {"Public sector", 5},  {"Media", 4},               {"Construction", 3},
};
// Amounts in the base currency or in a currency the sales settings give a rate for.
const std::vector<Weighted> kCurrencies = {{"EUR", 65}, {"USD", 25}, {"GBP", 10}};
const std::vector<std::pair<const char*, const char*>> kRates = {{"GBP", "1.17"}, {"USD", "0.92"}};
const std::vector<const char*> kLostReasons = {"Price", "Lost to a competitor", "No budget", "No decision",
                                               "Timing"};
const std::vector<const char*> kProducts = {"Platform licence", "Support renewal", "Expansion", "Pilot",
                                            "Professional services"};
const std::vector<const char*> kCompanySuffixes = {" GmbH", " Ltd", " Inc", " SA", " AB", " BV"};
// Typical amount (in units) per size band SIZE_BAND_MICRO..ENTERPRISE, as a factor.
const double kSizeBandWeights[] = {20, 30, 25, 15, 10};
const double kSizeBandAmountFactor[] = {0.3, 0.6, 1.0, 2.0, 4.0};
// Lead channels LEAD_CHANNEL_WEB (1) .. LEAD_CHANNEL_OTHER (9).
const double kChannelWeights[] = {30, 15, 10, 10, 12, 8, 6, 7, 2};
const crm::v1::LeadChannel kCampaignChannels[] = {
    crm::v1::LEAD_CHANNEL_WEB,    crm::v1::LEAD_CHANNEL_EMAIL,       crm::v1::LEAD_CHANNEL_EVENT,
    crm::v1::LEAD_CHANNEL_SOCIAL, crm::v1::LEAD_CHANNEL_ADVERTISING, crm::v1::LEAD_CHANNEL_PARTNER,
};
// Mean days a deal spends per visit to the n-th open stage.
const double kMeanDaysInOpenStage[] = {8, 12, 16, 20, 24};
constexpr double kMeanDaysClosedBeforeReopen = 25;




std::vector<std::string> NamesOf(const std::vector<Weighted>& values) {
  std::vector<std::string> names;
  for (const Weighted& v : values) names.push_back(v.name);
  return names;
}

// The stages of the pipeline the generator moves deals through, as indices into its stages.
struct StageModel {
  std::vector<uint8_t> open;  // active open stages in funnel order
  uint8_t won = kNoStage;
  uint8_t lost = kNoStage;  // the first lost stage (CloseOpportunity's default)
};

absl::StatusOr<StageModel> ModelOf(const crm::v1::Pipeline& pipeline) {
  if (pipeline.stages_size() > 32) return absl::FailedPreconditionError("the default pipeline has over 32 stages");
  StageModel model;
  for (int i = 0; i < pipeline.stages_size(); ++i) {
    const crm::v1::Stage& stage = pipeline.stages(i);
    if (stage.retired()) continue;
    if (stage.kind() == crm::v1::STAGE_KIND_OPEN) model.open.push_back(static_cast<uint8_t>(i));
    if (stage.kind() == crm::v1::STAGE_KIND_WON && model.won == kNoStage) model.won = static_cast<uint8_t>(i);
    if (stage.kind() == crm::v1::STAGE_KIND_LOST && model.lost == kNoStage) model.lost = static_cast<uint8_t>(i);
  }
  if (model.open.size() < 2 || model.won == kNoStage || model.lost == kNoStage) {
    return absl::FailedPreconditionError("the default pipeline needs two open stages, a won and a lost stage");
  }
  return model;
}

struct HistoryRow {
  uint8_t from = kNoStage;
  uint8_t to = kNoStage;
  int64_t micros = 0;
};

struct AccountRow {
  std::string name;
  int64_t size_band = 0;
  int64_t lifecycle_stage = 0;
  int64_t tier = 0;
  int64_t create_micros = 0;
};

struct CampaignInfo {
  std::string id;
  int64_t start_day = 0;
  uint8_t channel = 0;
};

// One opportunity as generated: the row and its history.
struct OpportunityRow {
  OpportunityFacts facts;
  std::string id;
  std::string name;
  std::optional<std::string> currency;
  int64_t amount_micros = 0;
  int64_t probability = 0;
  std::optional<int64_t> expected_close_day;
  std::string campaign_id;
  std::string lost_reason;
  std::optional<int64_t> close_micros;
  int64_t revision = 1;
  std::vector<HistoryRow> history;
};

// A history row waiting for its turn: stage_changes are written in time order, as a live
// system appends them, so that sequences interleave across opportunities.
struct PendingChange {
  int64_t micros;
  uint32_t opportunity;
  uint8_t from;
  uint8_t to;
};

class Generator {
 public:
  Generator(const FunnelDataOptions& options, StageModel model, DataSet* data)
      : options_(options),
        model_(std::move(model)),
        data_(data),
        random_(options.seed),
        regions_(WeightsOf(kRegions)),
        industries_(WeightsOf(kIndustries)),
        currencies_(WeightsOf(kCurrencies)),
        size_bands_(std::vector<double>(std::begin(kSizeBandWeights), std::end(kSizeBandWeights))),
        channels_(std::vector<double>(std::begin(kChannelWeights), std::end(kChannelWeights))),
        owners_(OwnerWeights(options.owners)) {
    end_micros_ = ToMicros(options.end);
    start_micros_ = end_micros_ - options.days * kMicrosPerDay;
  }

  Random& random() { return random_; }
  int64_t start_micros() const { return start_micros_; }
  int64_t end_micros() const { return end_micros_; }

  // Accounts were created over the two years before the first opportunity.
  std::vector<AccountRow> MakeAccounts() {
    std::vector<int64_t> times(options_.accounts);
    for (int64_t& t : times) t = start_micros_ - 730 * kMicrosPerDay + random_.Below(730 * kMicrosPerDay);
    std::sort(times.begin(), times.end());
    std::vector<AccountRow> rows(options_.accounts);
    data_->accounts.resize(options_.accounts);
    account_owner_.resize(options_.accounts);
    account_band_.resize(options_.accounts);
    for (int i = 0; i < options_.accounts; ++i) {
      AccountFacts& facts = data_->accounts[i];
      facts.id = NewIdAt("acc", FromMicros(times[i]));
      facts.region = static_cast<uint32_t>(regions_.Pick(random_));
      facts.industry = static_cast<uint32_t>(industries_.Pick(random_));
      account_owner_[i] = static_cast<uint32_t>(owners_.Pick(random_));
      AccountRow& row = rows[i];
      row.size_band = static_cast<int64_t>(size_bands_.Pick(random_)) + 1;
      account_band_[i] = static_cast<uint8_t>(row.size_band);
      row.name = absl::StrCat("Account ", i + 1, kCompanySuffixes[random_.Below(kCompanySuffixes.size())]);
      row.lifecycle_stage = 1 + random_.Below(5);
      row.tier = 1 + random_.Below(4);
      row.create_micros = times[i];
    }
    return rows;
  }

  uint32_t AccountOwner(size_t account) const { return account_owner_[account]; }

  // Campaigns start over the whole period, each in one channel; sorted by start.
  std::vector<crm::v1::Campaign> MakeCampaigns() {
    std::vector<int64_t> starts(options_.campaigns);
    for (int64_t& day : starts) {
      day = DayNumberOf(FromMicros(start_micros_)) - 60 + random_.Below(options_.days + 30);
    }
    std::sort(starts.begin(), starts.end());
    std::vector<crm::v1::Campaign> campaigns;
    for (int i = 0; i < options_.campaigns; ++i) {
      crm::v1::Campaign c;
      const absl::Time created = StartOfDay(starts[i] - 14);
      c.set_id(NewIdAt("cmp", created));
      c.set_channel(kCampaignChannels[random_.Below(std::size(kCampaignChannels))]);
      c.set_name(absl::StrCat("Campaign ", i + 1, " (", crm::v1::LeadChannel_Name(c.channel()), ")"));
      *c.mutable_cost() = MoneyFromMicros(kBaseCurrency, (5000 + 1000 * random_.Below(96)) * kMicrosPerUnit);
      *c.mutable_start_date() = DateFromDayNumber(starts[i]);
      *c.mutable_end_date() = DateFromDayNumber(starts[i] + 30 + random_.Below(60));
      c.set_owner(data_->owners[owners_.Pick(random_)]);
      *c.mutable_create_time() = TimeToTimestamp(created);
      *c.mutable_update_time() = TimeToTimestamp(created);
      campaigns.push_back(c);
      campaigns_.push_back({c.id(), starts[i], static_cast<uint8_t>(c.channel())});
    }
    return campaigns;
  }

  // Creation times of every opportunity, in order.
  std::vector<int64_t> CreationTimes() {
    std::vector<int64_t> times(options_.opportunities);
    const int64_t span = end_micros_ - start_micros_ - 60 * kMicrosPerSecond;
    for (int64_t& t : times) t = start_micros_ + random_.Below(span);
    std::sort(times.begin(), times.end());
    return times;
  }

  OpportunityRow MakeOpportunity(uint32_t index, int64_t create_micros) {
    OpportunityRow o;
    OpportunityFacts& f = o.facts;
    f.create_micros = create_micros;
    // Older accounts carry more deals.
    f.account = static_cast<uint32_t>(
        std::min<double>(options_.accounts - 1, std::floor(options_.accounts * std::pow(random_.Uniform(), 1.6))));
    f.owner = random_.Chance(0.85) ? account_owner_[f.account] : static_cast<uint32_t>(owners_.Pick(random_));
    o.id = NewIdAt("opp", FromMicros(create_micros));
    o.name = absl::StrCat("Deal ", index + 1, ": ", kProducts[random_.Below(kProducts.size())]);
    if (random_.Chance(0.96)) {
      o.currency = kCurrencies[currencies_.Pick(random_)].name;
      const double units = random_.LogNormal(std::log(15000.0), 1.0) * kSizeBandAmountFactor[account_band_[f.account] - 1];
      const int64_t rounded = std::clamp<int64_t>(std::llround(units / 100) * 100, 500, 5000000);
      o.amount_micros = rounded * kMicrosPerUnit;
    }
    const int64_t create_day = DayNumberOf(FromMicros(create_micros));
    if (random_.Chance(0.9)) o.expected_close_day = create_day + 14 + random_.Below(166);
    const double source = random_.Uniform();
    if (source < 0.25 && !campaigns_.empty()) {
      // A campaign that started shortly before.
      auto after = std::upper_bound(campaigns_.begin(), campaigns_.end(), create_day,
                                    [](int64_t day, const CampaignInfo& c) { return day < c.start_day; });
      const int64_t j = static_cast<int64_t>(after - campaigns_.begin()) - 1 - random_.Below(4);
      if (j >= 0) {
        o.campaign_id = campaigns_[j].id;
        f.channel = campaigns_[j].channel;
      } else {
        f.channel = static_cast<uint8_t>(channels_.Pick(random_) + 1);
      }
    } else if (source < 0.7) {
      f.channel = static_cast<uint8_t>(channels_.Pick(random_) + 1);
    }
    MakeHistory(o);
    return o;
  }

 private:
  static std::vector<double> OwnerWeights(int owners) {
    std::vector<double> weights;
    for (int k = 0; k < owners; ++k) weights.push_back(1.0 / (1.0 + k / 15.0));
    return weights;
  }

  // Position of a stage among the open stages.
  int OpenRank(uint8_t stage) const {
    for (size_t k = 0; k < model_.open.size(); ++k) {
      if (model_.open[k] == stage) return static_cast<int>(k);
    }
    return 0;
  }

  double MeanDaysIn(uint8_t stage) const {
    const int rank = OpenRank(stage);
    return rank < static_cast<int>(std::size(kMeanDaysInOpenStage)) ? kMeanDaysInOpenStage[rank] : 20;
  }

  // The open stage a move from open rank `k` goes to: mostly the next, some skip one, a few go
  // back; from the last open stage (a long history with no close yet) back it goes.
  int MoveFrom(int k) {
    const int last = static_cast<int>(model_.open.size()) - 1;
    const int back = k - 1 - (k > 1 && random_.Chance(0.3) ? 1 : 0);
    if (k < last) {
      const double r = random_.Uniform();
      if (r < 0.85) return k + 1;
      if (r < 0.95 && k + 2 <= last) return k + 2;
      return k > 0 ? back : k + 1;
    }
    return back;
  }

  // The history of `o` (which has its creation time), and the row fields that follow from it.
  void MakeHistory(OpportunityRow& o) {
    OpportunityFacts& f = o.facts;
    const int64_t age = end_micros_ - f.create_micros;
    const double age_fraction = static_cast<double>(age) / static_cast<double>(end_micros_ - start_micros_);
    // Around the mean: -2 .. +2 rows with weights 1, 2, 4, 2, 1.
    static const Chooser spread({1, 2, 4, 2, 1});
    int rows = std::max(1, static_cast<int>(std::lround(options_.changes_per_opportunity)) - 2 +
                               static_cast<int>(spread.Pick(random_)));
    // No more than one change per six hours of the deal's life.
    rows = static_cast<int>(std::min<int64_t>(rows, 1 + age / (6 * kMicrosPerHour)));
    const bool closed = rows >= 2 && random_.Chance(0.2 + 0.6 * age_fraction);
    const bool reopened = rows >= (closed ? 4 : 3) && random_.Chance(0.06);
    const int moves = rows - 1 - (closed ? 1 : 0) - (reopened ? 2 : 0);
    const int reopen_after = reopened ? static_cast<int>(random_.Below(moves + 1)) : -1;

    // Stages first, with the mean length of the stay before each row.
    std::vector<double> mean_days;
    int rank = random_.Chance(0.9) ? 0 : 1;
    o.history.push_back({kNoStage, model_.open[rank], 0});
    for (int m = 0; m <= moves; ++m) {
      const uint8_t current = model_.open[rank];
      if (m == reopen_after) {
        const uint8_t close_to = random_.Chance(0.3) ? model_.won : model_.lost;
        o.history.push_back({current, close_to, 0});
        mean_days.push_back(MeanDaysIn(current));
        // ReopenOpportunity's default: back to the stage it was closed from.
        o.history.push_back({close_to, current, 0});
        mean_days.push_back(kMeanDaysClosedBeforeReopen);
      }
      if (m == moves) break;
      rank = MoveFrom(rank);
      o.history.push_back({current, model_.open[rank], 0});
      mean_days.push_back(MeanDaysIn(current));
    }
    if (closed) {
      const double win = 0.15 + 0.7 * rank / static_cast<double>(model_.open.size() - 1);
      const uint8_t current = model_.open[rank];
      o.history.push_back({current, random_.Chance(win) ? model_.won : model_.lost, 0});
      mean_days.push_back(MeanDaysIn(current));
    }

    // Then times: each stay drawn around its mean, squeezed into the deal's life when too long.
    std::vector<int64_t> gaps;
    double total = 0;
    for (double mean : mean_days) {
      const int64_t gap = std::max<int64_t>(kMicrosPerHour, static_cast<int64_t>(random_.Exponential(mean) * kMicrosPerDay));
      gaps.push_back(gap);
      total += static_cast<double>(gap);
    }
    const int64_t room = age - 60 * kMicrosPerSecond;
    if (total > static_cast<double>(room)) {
      const double scale = static_cast<double>(room) / total * (0.6 + 0.4 * random_.Uniform());
      for (int64_t& gap : gaps) gap = std::max<int64_t>(kMicrosPerSecond, static_cast<int64_t>(gap * scale));
    }
    int64_t t = f.create_micros;
    o.history[0].micros = t;
    for (size_t i = 0; i < gaps.size(); ++i) o.history[i + 1].micros = t += gaps[i];

    // The row as the server would have left it after these changes.
    for (const HistoryRow& row : o.history) f.entered_mask |= 1u << row.to;
    const HistoryRow& last = o.history.back();
    f.stage = last.to;
    const crm::v1::Stage& stage = data_->pipeline.stages(last.to);
    o.probability = stage.probability();
    if (last.to == model_.won) {
      f.status = crm::v1::OPPORTUNITY_STATUS_WON;
      o.close_micros = last.micros;
    } else if (last.to == model_.lost) {
      f.status = crm::v1::OPPORTUNITY_STATUS_LOST;
      o.close_micros = last.micros;
      o.lost_reason = kLostReasons[random_.Below(kLostReasons.size())];
    } else {
      f.status = crm::v1::OPPORTUNITY_STATUS_OPEN;
    }
    o.revision = static_cast<int64_t>(o.history.size());
  }

  const FunnelDataOptions& options_;
  const StageModel model_;
  DataSet* data_;
  Random random_;
  Chooser regions_, industries_, currencies_, size_bands_, channels_, owners_;
  int64_t start_micros_ = 0;
  int64_t end_micros_ = 0;
  std::vector<uint32_t> account_owner_;
  std::vector<uint8_t> account_band_;
  std::vector<CampaignInfo> campaigns_;
};

}  // namespace

int64_t LoadReport::rows() const {
  int64_t total = 0;
  for (const TableLoad& t : tables) total += t.rows;
  return total;
}

absl::StatusOr<LoadReport> GenerateAndLoad(db::Database& db, const FunnelDataOptions& options, DataSet* data) {
  if (options.opportunities < 1 || options.accounts < 1 || options.owners < 1 || options.days < 1 ||
      options.campaigns < 0 || options.changes_per_opportunity < 1 || options.changes_per_opportunity > 20) {
    return absl::InvalidArgumentError(
        "opportunities, accounts, owners and days must be positive; changes per opportunity between 1 and 20");
  }
  const absl::Time started = absl::Now();
  LoadReport report;
  *data = DataSet();

  long long existing = 0;
  absl::Status status = db.Read([&](soci::session& sql) -> absl::Status {
    absl::StatusOr<std::optional<crm::v1::Pipeline>> pipeline = pipeline::PipelinesStore::FindDefault(sql);
    if (!pipeline.ok()) return pipeline.status();
    if (!pipeline->has_value()) return absl::FailedPreconditionError("the database has no default pipeline");
    data->pipeline = **pipeline;
    return db::Guard("count opportunities", [&]() -> absl::Status {
      sql << kCountOpportunities, soci::into(existing);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  if (existing > 0) {
    return absl::FailedPreconditionError(absl::StrCat("the database already holds ", existing,
                                                      " opportunities; reuse it with --skip_load or start afresh "
                                                      "with --replace"));
  }
  absl::StatusOr<StageModel> model = ModelOf(data->pipeline);
  if (!model.ok()) return model.status();

  for (int k = 0; k < options.owners; ++k) data->owners.push_back(absl::StrFormat("rep-%03d", k + 1));
  data->regions = NamesOf(kRegions);
  data->industries = NamesOf(kIndustries);
  Generator gen(options, *model, data);
  const int per_statement = options.rows_per_statement;
  const int64_t per_transaction = std::max(options.rows_per_transaction, options.rows_per_statement);

  // Accounts.
  absl::Time t0 = absl::Now();
  const std::vector<AccountRow> accounts = gen.MakeAccounts();
  BulkInsert account_insert(db.backend(), "accounts", AccountColumns(), per_statement);
  status = WriteInTransactions(db, account_insert, options.accounts, per_transaction, [&](int64_t i) {
    const AccountFacts& facts = data->accounts[i];
    const AccountRow& row = accounts[i];
    account_insert.Row()
        .Text(facts.id)
        .Text(row.name)
        .Int(crm::v1::ACCOUNT_KIND_COMPANY)
        .Text(data->industries[facts.industry])
        .Text(data->regions[facts.region])
        .Int(row.size_band)
        .NullableText(std::nullopt)
        .Int(0)
        .Int(0)
        .Text(data->owners[gen.AccountOwner(i)])
        .Int(row.lifecycle_stage)
        .Int(row.tier)
        .Text("")
        .Text("")
        .Int(0)
        .NullableText(std::nullopt)
        .Int(row.create_micros)
        .Int(row.create_micros)
        .NullableInt(std::nullopt)
        .Int(1)
        .NullableText(std::nullopt);  // custom_fields: none
  });
  if (!status.ok()) return status;
  report.tables.push_back({"accounts", options.accounts, SecondsSince(t0)});

  // Campaigns and the exchange rates of the currencies amounts are in.
  t0 = absl::Now();
  const std::vector<crm::v1::Campaign> campaigns = gen.MakeCampaigns();
  status = db.Write([&](db::Tx& tx) -> absl::Status {
    for (const crm::v1::Campaign& c : campaigns) {
      if (absl::Status s = pipeline::CampaignStore::Insert(tx, c); !s.ok()) return s;
    }
    absl::StatusOr<crm::v1::SalesSettings> settings = pipeline::SalesSettingsStore::LoadForUpdate(tx);
    if (!settings.ok()) return settings.status();
    if (settings->base_currency() != kBaseCurrency) {
      return absl::FailedPreconditionError(
          absl::StrCat("the base currency is ", settings->base_currency(), ", the generator expects ", kBaseCurrency));
    }
    absl::StatusOr<std::optional<int64_t>> revision = ParseEtag(settings->etag(), "etag");
    if (!revision.ok()) return revision.status();
    settings->clear_rates();
    for (const auto& [code, rate] : kRates) {
      crm::v1::ExchangeRate* r = settings->add_rates();
      r->set_currency_code(code);
      r->set_rate(rate);
    }
    absl::StatusOr<bool> updated = pipeline::SalesSettingsStore::Update(tx, *settings, revision->value_or(1));
    if (!updated.ok()) return updated.status();
    if (!*updated) return absl::AbortedError("the sales settings changed during the load");
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  report.tables.push_back({"campaigns", options.campaigns, SecondsSince(t0)});

  // Opportunities in creation order, generated a transaction's worth at a time; their history
  // waits until every opportunity is written.
  t0 = absl::Now();
  const std::vector<int64_t> creation = gen.CreationTimes();
  const int64_t n = options.opportunities;
  data->opportunities.reserve(n);
  data->opportunity_ids.reserve(n);
  std::vector<PendingChange> changes;
  changes.reserve(static_cast<size_t>(static_cast<double>(n) * options.changes_per_opportunity * 1.02));
  BulkInsert opportunity_insert(db.backend(), "opportunities",
                                {{"id", BulkInsert::kText},
                                 {"account_id", BulkInsert::kText},
                                 {"name", BulkInsert::kText},
                                 {"amount_currency", BulkInsert::kText},
                                 {"amount_micros", BulkInsert::kInt},
                                 {"pipeline_id", BulkInsert::kText},
                                 {"stage_id", BulkInsert::kText},
                                 {"probability", BulkInsert::kInt},
                                 {"expected_close_day", BulkInsert::kInt},
                                 {"owner", BulkInsert::kText},
                                 {"source_campaign_id", BulkInsert::kText},
                                 {"source_channel", BulkInsert::kInt},
                                 {"lead_id", BulkInsert::kText},
                                 {"status", BulkInsert::kInt},
                                 {"lost_reason", BulkInsert::kText},
                                 {"close_time", BulkInsert::kInt},
                                 {"stage_enter_time", BulkInsert::kInt},
                                 {"create_time", BulkInsert::kInt},
                                 {"update_time", BulkInsert::kInt},
                                 {"revision", BulkInsert::kInt}},
                                per_statement);
  std::vector<OpportunityRow> chunk;
  for (int64_t begin = 0; begin < n; begin += per_transaction) {
    const int64_t end = std::min(n, begin + per_transaction);
    chunk.clear();
    for (int64_t i = begin; i < end; ++i) chunk.push_back(gen.MakeOpportunity(static_cast<uint32_t>(i), creation[i]));
    status = db.Write([&](db::Tx& tx) {
      return opportunity_insert.Run(tx.session(), [&] {
        for (const OpportunityRow& o : chunk) {
          const OpportunityFacts& f = o.facts;
          const int64_t last = o.history.back().micros;
          opportunity_insert.Row()
              .Text(o.id)
              .Text(data->accounts[f.account].id)
              .Text(o.name)
              .NullableText(o.currency)
              .Int(o.amount_micros)
              .Text(data->pipeline.id())
              .Text(data->pipeline.stages(f.stage).id())
              .Int(o.probability)
              .NullableInt(o.expected_close_day)
              .Text(data->owners[f.owner])
              .Text(o.campaign_id)
              .Int(f.channel)
              .Text("")
              .Int(f.status)
              .Text(o.lost_reason)
              .NullableInt(o.close_micros)
              .Int(last)
              .Int(f.create_micros)
              .Int(last)
              .Int(o.revision);
        }
      });
    });
    if (!status.ok()) return status;
    for (OpportunityRow& o : chunk) {
      const uint32_t index = static_cast<uint32_t>(data->opportunities.size());
      for (const HistoryRow& h : o.history) changes.push_back({h.micros, index, h.from, h.to});
      data->opportunities.push_back(o.facts);
      data->opportunity_ids.push_back(std::move(o.id));
    }
  }
  report.tables.push_back({"opportunities", n, SecondsSince(t0)});

  // The stage history, in time order.
  t0 = absl::Now();
  std::sort(changes.begin(), changes.end(), [](const PendingChange& a, const PendingChange& b) {
    return a.micros != b.micros ? a.micros < b.micros : a.opportunity < b.opportunity;
  });
  BulkInsert change_insert(db.backend(), "stage_changes",
                           {{"opportunity_id", BulkInsert::kText},
                            {"pipeline_id", BulkInsert::kText},
                            {"from_stage_id", BulkInsert::kText},
                            {"to_stage_id", BulkInsert::kText},
                            {"from_stage_name", BulkInsert::kText},
                            {"to_stage_name", BulkInsert::kText},
                            {"change_time", BulkInsert::kInt},
                            {"changed_by", BulkInsert::kText}},
                           per_statement);
  const crm::v1::Pipeline& pipeline = data->pipeline;
  status = WriteInTransactions(db, change_insert, static_cast<int64_t>(changes.size()), per_transaction,
                               [&](int64_t i) {
                                 const PendingChange& c = changes[i];
                                 const bool first = c.from == kNoStage;
                                 change_insert.Row()
                                     .Text(data->opportunity_ids[c.opportunity])
                                     .Text(pipeline.id())
                                     .Text(first ? "" : pipeline.stages(c.from).id())
                                     .Text(pipeline.stages(c.to).id())
                                     .Text(first ? "" : pipeline.stages(c.from).name())
                                     .Text(pipeline.stages(c.to).name())
                                     .Int(c.micros)
                                     .Text(data->owners[data->opportunities[c.opportunity].owner]);
                               });
  if (!status.ok()) return status;
  data->stage_changes = static_cast<int64_t>(changes.size());
  report.tables.push_back({"stage_changes", data->stage_changes, SecondsSince(t0)});
  report.seconds = SecondsSince(started);
  return report;
}

absl::Status ReadDataSet(db::Database& db, DataSet* data) {
  *data = DataSet();
  return db.WithSession([&](soci::session& sql) -> absl::Status {
    absl::StatusOr<std::optional<crm::v1::Pipeline>> pipeline = pipeline::PipelinesStore::FindDefault(sql);
    if (!pipeline.ok()) return pipeline.status();
    if (!pipeline->has_value()) return absl::FailedPreconditionError("the database has no default pipeline");
    data->pipeline = **pipeline;
    if (data->pipeline.stages_size() > 32) return absl::FailedPreconditionError("the default pipeline has over 32 stages");
    absl::flat_hash_map<std::string, uint8_t> stage_index;
    for (int i = 0; i < data->pipeline.stages_size(); ++i) stage_index[data->pipeline.stages(i).id()] = i;

    // Dictionaries: each distinct value gets the next index.
    absl::flat_hash_map<std::string, uint32_t> regions, industries, owners;
    auto index_of = [](absl::flat_hash_map<std::string, uint32_t>& dictionary, std::vector<std::string>& names,
                       const std::string& value) {
      auto [it, inserted] = dictionary.try_emplace(value, static_cast<uint32_t>(names.size()));
      if (inserted) names.push_back(value);
      return it->second;
    };

    return db::Guard("read the loaded data", [&]() -> absl::Status {
      absl::flat_hash_map<std::string, uint32_t> account_index;
      {
        std::string id, region, industry;
        soci::statement statement = (sql.prepare << kSelectAccountFacts, soci::into(id), soci::into(region),
                                     soci::into(industry));
        statement.execute();
        while (statement.fetch()) {
          account_index[id] = static_cast<uint32_t>(data->accounts.size());
          data->accounts.push_back({id, index_of(regions, data->regions, region),
                                    index_of(industries, data->industries, industry)});
        }
      }
      absl::flat_hash_map<std::string, uint32_t> opportunity_index;
      {
        std::string after, id, account_id, owner, stage_id;
        long long channel = 0, status = 0, create_time = 0;
        const std::string pipeline_id = data->pipeline.id();
        soci::statement statement =
            (sql.prepare << kSelectOpportunityFacts, soci::use(after), soci::use(pipeline_id), soci::into(id),
             soci::into(account_id), soci::into(owner), soci::into(channel), soci::into(stage_id),
             soci::into(status), soci::into(create_time));
        for (bool more = true; more;) {
          statement.execute();
          more = false;
          while (statement.fetch()) {
            more = true;
            auto account = account_index.find(account_id);
            auto stage = stage_index.find(stage_id);
            if (account == account_index.end() || stage == stage_index.end()) {
              return absl::DataLossError(absl::StrCat("opportunity ", id, " names an unknown account or stage"));
            }
            OpportunityFacts f;
            f.account = account->second;
            f.owner = index_of(owners, data->owners, owner);
            f.channel = static_cast<uint8_t>(channel);
            f.stage = stage->second;
            f.status = static_cast<uint8_t>(status);
            f.create_micros = create_time;
            opportunity_index[id] = static_cast<uint32_t>(data->opportunities.size());
            data->opportunities.push_back(f);
            data->opportunity_ids.push_back(id);
            after = id;
          }
        }
      }
      {
        long long after = 0, sequence = 0;
        std::string opportunity_id, to_stage_id;
        const std::string pipeline_id = data->pipeline.id();
        soci::statement statement = (sql.prepare << kSelectEnteredStages, soci::use(after), soci::use(pipeline_id),
                                     soci::into(sequence), soci::into(opportunity_id), soci::into(to_stage_id));
        for (bool more = true; more;) {
          statement.execute();
          more = false;
          while (statement.fetch()) {
            more = true;
            after = sequence;
            ++data->stage_changes;
            auto opportunity = opportunity_index.find(opportunity_id);
            auto stage = stage_index.find(to_stage_id);
            if (opportunity == opportunity_index.end() || stage == stage_index.end()) continue;
            data->opportunities[opportunity->second].entered_mask |= 1u << stage->second;
          }
        }
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::bench
