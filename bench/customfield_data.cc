#include "bench/customfield_data.h"

#include <soci/soci.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/bench_database.h"
#include "bench/bench_report.h"
#include "bench/bulk_insert.h"
#include "bench/random_draws.h"
#include "common/core/date_util.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"
#include "crm/v1/account.pb.h"

namespace crm::bench {
namespace {

// Bumped whenever the generated data changes shape, so an older database is not reused.
constexpr int64_t kGeneratorVersion = 1;
// The row of bench_data_sets this benchmark records.
constexpr char kDataSetName[] = "customfield";

constexpr char kEntity[] = "account";
constexpr int64_t kMicrosPerSecond = 1000000;
// Account i was created at kFirstCreateMicros + i * kCreateStepMicros: distinct milliseconds,
// so the time-ordered ids ascend with i (1,000,000 accounts span 347 days).
constexpr int64_t kFirstCreateMicros = 1704067200LL * kMicrosPerSecond;  // 2024-01-01T00:00:00Z
constexpr int64_t kCreateStepMicros = 30 * kMicrosPerSecond;
constexpr int kRenewalFirstYear = 2025;
constexpr int kRenewalDays = 4 * 365;
constexpr int kOwners = 300;

constexpr char kSelectIds[] = "SELECT id FROM accounts ORDER BY id";
constexpr char kSelectStoredValues[] = "SELECT custom_fields FROM accounts WHERE id = ?";

const std::vector<Weighted> kSegments = {
    {"smb", 46}, {"mid_market", 28}, {"enterprise", 12}, {"public_sector", 8}, {"partner", 6},
};
const std::vector<Weighted> kRegions = {
    {"Western Europe", 30}, {"Northern Europe", 18}, {"North America", 20},
    {"Asia Pacific", 14},   {"Latin America", 9},    {"Middle East & Africa", 9},
};
const std::vector<Weighted> kIndustries = {
    {"Manufacturing", 16}, {"Wholesale", 13}, {"Retail", 12},    {"Software", 10}, {"Healthcare", 9},
    {"Logistics", 9},      {"Construction", 8}, {"Energy", 6}, {"Public sector", 5}, {"Media", 4},
};
const std::vector<const char*> kCompanySuffixes = {" GmbH", " Ltd", " Inc", " SA", " AB", " BV", " Srl"};

// A bijection of 64-bit integers (SplitMix64's finaliser): distinct inputs give distinct codes,
// in an order unrelated to the accounts' order.
uint64_t Scramble(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

int64_t CreateMicros(int64_t i) { return kFirstCreateMicros + i * kCreateStepMicros; }

}  // namespace

const std::vector<std::string>& SegmentOptions() {
  static const auto* options = [] {
    auto* names = new std::vector<std::string>;
    for (const Weighted& w : kSegments) names->push_back(w.name);
    return names;
  }();
  return *options;
}

std::vector<crm::v1::CustomField> CustomFieldDefinitions() {
  std::vector<crm::v1::CustomField> fields;
  auto add = [&](const char* key, const char* label, crm::v1::CustomFieldType type) -> crm::v1::CustomField& {
    crm::v1::CustomField& f = fields.emplace_back();
    f.set_entity(crm::v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
    f.set_key(key);
    f.set_label(label);
    f.set_type(type);
    f.set_filterable(true);
    return f;
  };
  crm::v1::CustomField& segment = add(kSegmentKey, "Segment", crm::v1::CUSTOM_FIELD_TYPE_SINGLE_CHOICE);
  for (const std::string& option : SegmentOptions()) segment.add_options(option);
  crm::v1::CustomField& code = add(kCustomerCodeKey, "Customer code", crm::v1::CUSTOM_FIELD_TYPE_TEXT);
  code.mutable_validation()->set_pattern("CU-[0-9A-F]{16}");
  code.mutable_validation()->set_max_length(19);
  crm::v1::CustomField& seats = add(kSeatsKey, "Seats", crm::v1::CUSTOM_FIELD_TYPE_NUMBER);
  seats.mutable_validation()->set_min(1);
  add(kRenewalKey, "Renewal date", crm::v1::CUSTOM_FIELD_TYPE_DATE);
  add(kBudgetKey, "Annual budget", crm::v1::CUSTOM_FIELD_TYPE_MONEY);
  return fields;
}

std::string CustomFieldData::CustomerCode(int64_t i) const {
  return absl::StrFormat("CU-%016X", Scramble(static_cast<uint64_t>(i) + seed * 0x9e3779b97f4a7c15ULL));
}

customfields::ValueMap CustomFieldData::ValuesOf(int64_t i) const {
  const DrawnValues& v = values[i];
  customfields::ValueMap map;
  if (v.segment >= 0) map[kSegmentKey].set_choice_value(SegmentOptions()[v.segment]);
  map[kCustomerCodeKey].set_text_value(CustomerCode(i));
  if (v.seats > 0) map[kSeatsKey].set_number_value(v.seats);
  if (v.has_renewal) *map[kRenewalKey].mutable_date_value() = DateFromDayNumber(v.renewal_day);
  if (v.budget_units > 0) {
    crm::v1::Money* money = map[kBudgetKey].mutable_money_value();
    money->set_currency_code(v.budget_usd ? "USD" : "EUR");
    money->set_units(v.budget_units);
  }
  return map;
}

CustomFieldData DrawCustomFieldData(const CustomFieldDataOptions& options) {
  CustomFieldData data;
  data.seed = options.seed;
  data.values.resize(options.accounts);
  Random random(options.seed);
  Chooser segments(WeightsOf(kSegments));
  crm::v1::Date first_renewal;
  first_renewal.set_year(kRenewalFirstYear);
  first_renewal.set_month(1);
  first_renewal.set_day(1);
  const int64_t first_renewal_day = DayNumberFromDate(first_renewal, "").value_or(0);
  for (DrawnValues& v : data.values) {
    if (random.Chance(0.92)) v.segment = static_cast<int8_t>(segments.Pick(random));
    if (random.Chance(0.70)) {
      v.seats = static_cast<int32_t>(std::clamp(std::round(random.LogNormal(std::log(20.0), 1.3)), 1.0, 200000.0));
    }
    if (random.Chance(0.60)) {
      v.has_renewal = true;
      v.renewal_day = static_cast<int32_t>(first_renewal_day + random.Below(kRenewalDays));
    }
    if (random.Chance(0.45)) {
      // Budgets are planned in round hundreds.
      v.budget_units = std::max<int64_t>(100, std::llround(random.LogNormal(std::log(25000.0), 1.0) / 100) * 100);
      v.budget_usd = random.Chance(0.12);
    }
  }
  return data;
}

namespace {

DataSetRecord CustomFieldDataSet(const CustomFieldDataOptions& options) {
  DataSetRecord record;
  record.generator_version = kGeneratorVersion;
  record.seed = options.seed;
  record.accounts = options.accounts;
  return record;
}

}  // namespace

absl::StatusOr<bool> HasCustomFieldDataSet(db::Database& db, const CustomFieldDataOptions& options) {
  return HoldsDataSet(db, kDataSetName, CustomFieldDataSet(options));
}

absl::StatusOr<CustomFieldLoadReport> LoadCustomFieldData(db::Database& db, const CustomFieldDataOptions& options,
                                                          CustomFieldData& data) {
  const absl::Time started = absl::Now();
  CustomFieldLoadReport report;
  absl::Status status = RequireNoAccounts(db);
  if (!status.ok()) return status;
  const int per_statement = options.rows_per_statement;
  const int64_t per_transaction = std::max<int64_t>(options.rows_per_transaction, per_statement);
  auto progress = [](const CustomFieldTableLoad& t) {
    std::fprintf(stderr, "customfield_data: %-20s %10lld rows in %6.1f s (%.0f rows/s)\n", t.table.c_str(),
                 static_cast<long long>(t.rows), t.seconds, t.seconds > 0 ? t.rows / t.seconds : 0.0);
  };

  data.ids.clear();
  data.ids.reserve(data.values.size());
  for (int64_t i = 0; i < data.accounts(); ++i) data.ids.push_back(NewIdAt("acc", FromMicros(CreateMicros(i))));

  // Accounts, each with its values whole in custom_fields, as AccountStore writes them.
  absl::Time t0 = absl::Now();
  Random random(options.seed ^ 0x5eedULL);
  Chooser regions(WeightsOf(kRegions)), industries(WeightsOf(kIndustries));
  BulkInsert account_insert(db.backend(), "accounts", AccountColumns(), per_statement);
  absl::Duration encoding;
  status = WriteInTransactions(db, account_insert, data.accounts(), per_transaction, [&](int64_t i) {
    const absl::Time encode_start = absl::Now();
    const customfields::ValueMap values = data.ValuesOf(i);
    std::string encoded = customfields::EncodeValues(values);
    encoding += absl::Now() - encode_start;
    account_insert.Row()
        .Text(data.ids[i])
        .Text(absl::StrCat("Customer ", i + 1, kCompanySuffixes[i % kCompanySuffixes.size()]))
        .Int(crm::v1::ACCOUNT_KIND_COMPANY)
        .Text(kIndustries[industries.Pick(random)].name)
        .Text(kRegions[regions.Pick(random)].name)
        .Int(1 + random.Below(5))
        .NullableText(std::nullopt)
        .Int(0)
        .Int(0)
        .Text(absl::StrFormat("owner-%03d", 1 + random.Below(kOwners)))
        .Int(0)
        .Int(crm::v1::ACCOUNT_TIER_UNSPECIFIED)
        .Text("")
        .Text("")
        .Int(0)
        .NullableText(std::nullopt)
        .Int(CreateMicros(i))
        .Int(CreateMicros(i))
        .NullableInt(std::nullopt)
        .Int(1)
        .NullableText(values.empty() ? std::nullopt : std::optional<std::string>(std::move(encoded)));
  });
  if (!status.ok()) return status;
  report.encode_seconds = absl::ToDoubleSeconds(encoding);
  report.tables.push_back({"accounts", data.accounts(), SecondsSince(t0)});
  progress(report.tables.back());

  // The value index: one row per value, as CustomValueIndex::Replace writes them, in primary-key
  // order (entity id, then key) so that the clustered index only grows at its end.
  t0 = absl::Now();
  BulkInsert value_insert(db.backend(), "custom_field_values",
                          {{"entity_type", BulkInsert::kText},
                           {"entity_id", BulkInsert::kText},
                           {"field_key", BulkInsert::kText},
                           {"text_value", BulkInsert::kText},
                           {"number_value", BulkInsert::kInt}},
                          per_statement);
  int64_t value_rows = 0;
  bool fractional = false;
  status = WriteInTransactions(db, value_insert, data.accounts(), per_transaction, [&](int64_t i) {
    const customfields::ValueMap values = data.ValuesOf(i);
    std::map<std::string, const crm::v1::CustomValue*> sorted;
    for (const auto& [key, value] : values) sorted[key] = &value;
    for (const auto& [key, value] : sorted) {
      for (const customfields::IndexKey& index_key : customfields::IndexKeysOf(*value)) {
        fractional = fractional || index_key.number != std::floor(index_key.number);
        value_insert.Row()
            .Text(kEntity)
            .Text(data.ids[i])
            .Text(key)
            .Text(index_key.text)
            .Int(static_cast<int64_t>(index_key.number));
        ++value_rows;
      }
    }
  });
  if (!status.ok()) return status;
  if (fractional) return absl::InternalError("an index number is not whole; the loader writes integers");
  report.tables.push_back({"custom_field_values", value_rows, SecondsSince(t0)});
  progress(report.tables.back());

  if (status = RecordDataSet(db, kDataSetName, CustomFieldDataSet(options)); !status.ok()) return status;
  report.seconds = SecondsSince(started);
  return report;
}

absl::Status ReadBackIds(db::Database& db, CustomFieldData& data) {
  data.ids.clear();
  data.ids.reserve(data.values.size());
  absl::Status status = db.Read([&](soci::session& sql) {
    return db::ScanRows(sql, db::SqlQuery(kSelectIds), "read the account ids", [&](const db::ScannedRow& row) {
      data.ids.emplace_back(row.Text(0));
      return true;
    });
  });
  if (!status.ok()) return status;
  if (data.ids.size() != data.values.size()) {
    return absl::FailedPreconditionError(absl::StrCat("the database holds ", data.ids.size(),
                                                      " accounts, the data set ", data.values.size(),
                                                      "; run with --regenerate"));
  }
  // Evenly spread samples: their stored values must be what the draw gives the same position.
  const int64_t step = std::max<int64_t>(1, data.accounts() / 200);
  for (int64_t i = 0; i < data.accounts(); i += step) {
    std::string stored;
    db::SqlQuery q("");
    q.Append(kSelectStoredValues, data.ids[i]);
    status = db.Read([&](soci::session& sql) {
      return db::ScanRows(sql, q, "read stored values", [&](const db::ScannedRow& row) {
        stored = std::string(row.Text(0));
        return false;
      });
    });
    if (!status.ok()) return status;
    if (stored != customfields::EncodeValues(data.ValuesOf(i))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "account ", data.ids[i], " (position ", i, ") does not hold the values drawn for it; run with --regenerate"));
    }
  }
  return absl::OkStatus();
}

}  // namespace crm::bench
