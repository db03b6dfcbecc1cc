// The accounts customfield_bench lists: a million accounts, each with values of five filterable
// account custom fields, written straight into the server's tables (created by its migrations)
// in the form the server itself writes: `accounts.custom_fields` through EncodeValues and one
// `custom_field_values` row per value through IndexKeysOf (common/customfields/custom_fields.h).
// Generated from a seeded RNG: the same options give the same values; only the random tails of
// the time-ordered ids differ between two generations.
//
// The fields (definitions: CustomFieldDefinitions; the benchmark creates them through
// CustomFieldService):
//   segment        single choice of 5 options, skewed (smb 46 %, mid_market 28 %, enterprise
//                  12 %, public_sector 8 %, partner 6 %), on 92 % of the accounts;
//   customer_code  text, unique, on every account ("CU-" and 16 hex digits, scrambled order);
//   seats          number, whole, log-normal (median 20), on 70 %;
//   renewal        date, uniform over 2025-2028, on 60 %;
//   budget         money in whole units (EUR, 12 % USD), log-normal (median 25,000), on 45 %.
// Every number the index holds is whole (seats, day numbers, whole-unit amounts), so the loader
// can write it exactly as an integer (BulkInsert has no double cells).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "crm/v1/customfield.pb.h"

namespace crm::bench {

inline constexpr char kSegmentKey[] = "segment";
inline constexpr char kCustomerCodeKey[] = "customer_code";
inline constexpr char kSeatsKey[] = "seats";
inline constexpr char kRenewalKey[] = "renewal";
inline constexpr char kBudgetKey[] = "budget";

// The segment options, most common first.
const std::vector<std::string>& SegmentOptions();

// The five account fields as CreateCustomField takes them: filterable, not required, no default.
std::vector<crm::v1::CustomField> CustomFieldDefinitions();

struct CustomFieldDataOptions {
  int64_t accounts = 1000000;
  uint64_t seed = 1;
  int rows_per_statement = 500;
  int rows_per_transaction = 50000;
};

// One account's values as drawn.
struct DrawnValues {
  int8_t segment = -1;       // index into SegmentOptions(); -1: no value
  int32_t seats = 0;         // 0: no value (at least 1 otherwise)
  bool has_renewal = false;
  int32_t renewal_day = 0;   // days since 1970-01-01
  int64_t budget_units = 0;  // 0: no value
  bool budget_usd = false;
};

// What the benchmark knows about the accounts: account i has id ids[i] and values values[i];
// ids ascend with i (creation times ascend, and ids are time-ordered), so id order is i order.
struct CustomFieldData {
  uint64_t seed = 0;
  std::vector<std::string> ids;
  std::vector<DrawnValues> values;

  int64_t accounts() const { return static_cast<int64_t>(values.size()); }
  std::string CustomerCode(int64_t i) const;
  // Account i's values as the API carries them.
  customfields::ValueMap ValuesOf(int64_t i) const;
};

// Draws every account's values (ids stay empty: they come from the load or the database).
CustomFieldData DrawCustomFieldData(const CustomFieldDataOptions& options);

struct CustomFieldTableLoad {
  std::string table;
  int64_t rows = 0;
  double seconds = 0;
};

struct CustomFieldLoadReport {
  std::vector<CustomFieldTableLoad> tables;
  double encode_seconds = 0;  // of the accounts' seconds: EncodeValues
  double seconds = 0;         // everything
};

// True when `db` holds a complete load made with `options` (recorded by LoadCustomFieldData as
// its last step, in bench_data_sets, bench_database.h).
absl::StatusOr<bool> HasCustomFieldDataSet(db::Database& db, const CustomFieldDataOptions& options);

// Writes `data` (drawn with `options`) into `db`, whose schema must be applied and which must
// hold no account yet, setting data.ids; records the data set at the end. Progress to stderr.
absl::StatusOr<CustomFieldLoadReport> LoadCustomFieldData(db::Database& db, const CustomFieldDataOptions& options,
                                                          CustomFieldData& data);

// For a reused database: reads the ids back in id order into data.ids, and checks that the
// stored values of a sample of accounts are what `data` drew for them.
absl::Status ReadBackIds(db::Database& db, CustomFieldData& data);

}  // namespace crm::bench
