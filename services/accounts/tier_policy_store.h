// SQL for the tier service policies (table tier_policies, accounts_schema.cc migration 3): one
// row per account tier, written by key-account management and read by the service desk. Every
// statement on the table is named here once, so both services read it the same way.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/account.pb.h"
#include "crm/v1/keyaccount.pb.h"

namespace soci {
class session;
}

namespace crm::accounts {

class TierPolicyStore {
 public:
  // Every stored policy, in tier number order (STRATEGIC first).
  static absl::StatusOr<std::vector<crm::v1::TierPolicy>> List(soci::session& sql);
  // The policy of `tier`; nullopt when no row.
  static absl::StatusOr<std::optional<crm::v1::TierPolicy>> Find(soci::session& sql, crm::v1::AccountTier tier);
  // The policy of `tier`, locked for the rest of the write transaction; nullopt when no row.
  static absl::StatusOr<std::optional<crm::v1::TierPolicy>> FindForUpdate(db::Tx& tx, crm::v1::AccountTier tier);
  // Writes every column of `policy`, inserting the row when the tier has none yet.
  static absl::Status Save(db::Tx& tx, const crm::v1::TierPolicy& policy, bool exists);

  // The tier whose SLA policies apply to tickets of accounts in `tier`: the policy's sla_tier,
  // or `tier` itself when it has no policy row or its sla_tier is 0. One primary-key read.
  static absl::StatusOr<crm::v1::AccountTier> SlaTierFor(soci::session& sql, crm::v1::AccountTier tier);
};

}  // namespace crm::accounts
