// SQL of the tier-policy area that reads accounts through their tier's policy: accounts lacking
// the dedicated manager their tier requires, and key accounts overdue for contact. The policy
// rows themselves are read and written through accounts::TierPolicyStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/v1/keyaccount.pb.h"

namespace soci {
class session;
}

namespace crm::kam {

// Keyset position in (tier, id) order.
struct TierPosition {
  int64_t tier = 0;
  std::string account_id;
};

// A key account whose contact cadence ran out.
struct OverdueContactRow {
  crm::v1::AccountRef account;
  // MAX(interactions.occur_time); nullopt when never contacted.
  std::optional<int64_t> last_interaction_micros;
  int32_t cadence_days = 0;
  // When the cadence runs out: (last interaction, or account creation when never contacted) +
  // cadence. The list order: the earliest due is the most overdue.
  int64_t due_micros = 0;
};

// Keyset position in (due_micros, id) order.
struct DuePosition {
  int64_t due_micros = 0;
  std::string account_id;
};

struct OverdueContactQuery {
  // Only this owner's accounts ("" = everyone's).
  std::string owner;
  absl::Time now;
  std::optional<DuePosition> after;
  int limit = 50;
};

class PolicyStore {
 public:
  // Live accounts with an empty owner whose tier's policy requires a dedicated manager, in
  // (tier, id) order after `after`.
  static absl::StatusOr<std::vector<crm::v1::AccountRef>> AccountsWithoutManager(
      soci::session& sql, const std::optional<TierPosition>& after, int limit);

  // Live accounts whose tier's policy has a contact cadence, never contacted or last contacted
  // before now - cadence, most overdue first (due_micros, then id).
  static absl::StatusOr<std::vector<OverdueContactRow>> OverdueContacts(soci::session& sql,
                                                                       const OverdueContactQuery& query);
};

}  // namespace crm::kam
