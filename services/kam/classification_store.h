// SQL of reclassification: runs, the classifications table, tier changes, overrides, qualitative
// inputs and the accounts' tier column. Every statement is named once in classification_store.cc.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/bulk_insert.h"
#include "common/db/database.h"
#include "crm/v1/keyaccount.pb.h"
#include "services/kam/classification.h"

namespace soci {
class session;
class statement;
}

namespace crm::kam {

// kam_runs.status
enum class RunStatus : int { kRunning = 1, kDone = 2, kFailed = 3 };

struct RunRecord {
  std::string id;
  int32_t model_version = 0;
  absl::Time as_of;
  bool dry_run = false;
  std::string actor;
  RunStatus status = RunStatus::kRunning;
  absl::Time start_time;
  std::optional<absl::Time> finish_time;
  int64_t accounts = 0;
  int64_t tier_changes = 0;
  int64_t overridden = 0;
  std::string error;
};

class RunStore {
 public:
  static absl::Status Insert(db::Tx& tx, const RunRecord& run);
  // Status, finish time, counts and error of `run`.
  static absl::Status Finish(db::Tx& tx, const RunRecord& run);
  // The newest run still marked running, if any.
  static absl::StatusOr<std::optional<RunRecord>> FindRunning(soci::session& sql);
  // The newest finished run that was not a dry run, if any.
  static absl::StatusOr<std::optional<RunRecord>> LastApplied(soci::session& sql);
};

// One kam_classifications row; scores in millionths (see kam_schema.cc).
struct ClassificationRow {
  std::string account_id;
  std::string run_id;
  int32_t model_version = 0;
  absl::Time as_of;
  crm::v1::AbcClass abc = crm::v1::ABC_CLASS_UNSPECIFIED;
  int recency_score = 0, frequency_score = 0, monetary_score = 0;
  crm::v1::RfmSegment segment = crm::v1::RFM_SEGMENT_UNSPECIFIED;
  crm::v1::LifecycleStage lifecycle = crm::v1::LIFECYCLE_STAGE_UNSPECIFIED;
  int64_t composite_micro = 0;
  crm::v1::AccountTier computed_tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  crm::v1::AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  std::string currency;
  int64_t revenue_micros = 0;
  int64_t churn_risk_micro = 0;
  std::array<int64_t, kDimensionCount> dims{};  // indexed by Dimension
};

// Millionths of `value`, rounded to nearest.
int64_t ToMicro(double value);
double FromMicro(int64_t micro);

struct ClassificationQuery {
  crm::v1::AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  crm::v1::AbcClass abc = crm::v1::ABC_CLASS_UNSPECIFIED;
  crm::v1::RfmSegment segment = crm::v1::RFM_SEGMENT_UNSPECIFIED;
  crm::v1::LifecycleStage lifecycle = crm::v1::LIFECYCLE_STAGE_UNSPECIFIED;
  std::string owner;
  bool by_score = true;  // composite descending, then account id descending; else account id ascending
  std::optional<int64_t> after_score;
  std::string after_account;
  int limit = 50;
};

class ClassificationStore {
 public:
  // Replaces every row by those `add_rows` passes to `add` (one call per row; the row may be
  // reused by the caller after the call).
  static absl::Status ReplaceAll(db::Tx& tx,
                                 absl::FunctionRef<void(absl::FunctionRef<void(const ClassificationRow&)> add)> add_rows);
  static absl::StatusOr<std::optional<ClassificationRow>> Find(soci::session& sql, const std::string& account_id);
  static absl::StatusOr<std::vector<ClassificationRow>> List(soci::session& sql, const ClassificationQuery& query);
  // The stored rows of these accounts (any order; missing ones are left out).
  static absl::StatusOr<std::vector<ClassificationRow>> FindMany(soci::session& sql,
                                                                 const std::vector<std::string>& account_ids);
  static absl::StatusOr<int64_t> Count(soci::session& sql);
  // The account's tier after an override was set or cleared (no row: nothing to do).
  static absl::Status SetTier(db::Tx& tx, const std::string& account_id, crm::v1::AccountTier tier);
};

struct TierChangeQuery {
  std::string account_id;
  std::optional<absl::Time> since, until;  // change_time in [since, until)
  crm::v1::AccountTier new_tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
  std::optional<int64_t> after_time;  // keyset: (change_time, id) before this, newest first
  std::string after_id;
  int limit = 50;
};

class TierChangeStore {
 public:
  static absl::Status InsertAll(db::Tx& tx, const std::vector<crm::v1::TierChange>& changes);
  static absl::StatusOr<std::vector<crm::v1::TierChange>> List(soci::session& sql, const TierChangeQuery& query);
};

class OverrideStore {
 public:
  static absl::StatusOr<std::vector<crm::v1::TierOverride>> All(soci::session& sql);
  static absl::StatusOr<std::optional<crm::v1::TierOverride>> Find(soci::session& sql, const std::string& account_id);
  // Replaces the account's override.
  static absl::Status Put(db::Tx& tx, const crm::v1::TierOverride& tier_override);
  static absl::Status Delete(db::Tx& tx, const std::string& account_id);
};

class QualitativeStore {
 public:
  static absl::StatusOr<std::optional<crm::v1::QualitativeInputs>> Find(soci::session& sql,
                                                                        const std::string& account_id);
  static absl::Status Put(db::Tx& tx, const crm::v1::QualitativeInputs& inputs);
};

// The account columns reclassification reads and writes.
struct AccountTierRow {
  std::string id;
  std::string owner;
  crm::v1::AccountTier tier = crm::v1::ACCOUNT_TIER_UNSPECIFIED;
};

class AccountTierStore {
 public:
  // The live account, locked for update inside a write; nullopt when missing or deleted.
  static absl::StatusOr<std::optional<AccountTierRow>> FindForUpdate(db::Tx& tx, const std::string& account_id);
  // Sets each account's tier (and moves its revision and update time, so its etag changes).
  static absl::Status SetTiers(db::Tx& tx, const std::vector<std::pair<std::string, crm::v1::AccountTier>>& tiers,
                               absl::Time now);
};

}  // namespace crm::kam
