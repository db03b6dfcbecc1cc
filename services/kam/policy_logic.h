// The rules of tier policies, manager coverage and contact cadence. No gRPC and no SQL here.
//
// - One policy per tier (tier_policies, seeded by the accounts migration); List returns the four,
//   STRATEGIC first. An sla_tier of 0 is shown as the tier itself (its meaning).
// - Update by policy.tier with a field mask over dedicated_manager_required, sla_tier,
//   review_every_days and contact_every_days; an empty mask means the fields set in the patch.
//   Day counts are 0 (no cadence) up to kMaxPolicyDays. Event "tier_policy.updated".
// - ListAccountsWithoutManager: live ownerless accounts of tiers requiring a dedicated manager,
//   in (tier, id) order.
// - ListOverdueContacts: live accounts of tiers with a contact cadence, never contacted or whose
//   last interaction is more than the cadence ago. The cadence runs out at the "due instant":
//   last interaction + cadence, or, never contacted, account creation + cadence. Most overdue
//   first means the earliest due instant first, then account id; days_overdue is the number of
//   whole days since the due instant (0 for a never-contacted account still within its cadence
//   since creation: it is listed, because nobody has contacted it yet, but not yet late). The
//   order does not depend on the current time, so paging stays stable while the clock moves.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

inline constexpr char kTierPolicyEntity[] = "tier_policy";
// Upper bound of a policy's day counts (a hundred years); keeps date arithmetic in range.
inline constexpr int kMaxPolicyDays = 36500;

class PolicyLogic {
 public:
  explicit PolicyLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::ListTierPoliciesResponse> List(const server::CallContext& call, const crm::v1::ListTierPoliciesRequest& request);
  absl::StatusOr<crm::v1::TierPolicy> Update(const server::CallContext& call, const crm::v1::UpdateTierPolicyRequest& request);
  absl::StatusOr<crm::v1::ListAccountsWithoutManagerResponse> ListAccountsWithoutManager(const server::CallContext& call, const crm::v1::ListAccountsWithoutManagerRequest& request);
  absl::StatusOr<crm::v1::ListOverdueContactsResponse> ListOverdueContacts(const server::CallContext& call, const crm::v1::ListOverdueContactsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
