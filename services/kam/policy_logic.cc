#include "services/kam/policy_logic.h"

#include "absl/status/status.h"

namespace crm::kam {

absl::StatusOr<crm::v1::ListTierPoliciesResponse> PolicyLogic::List(const server::CallContext&, const crm::v1::ListTierPoliciesRequest&) {
  return absl::UnimplementedError("ListTierPolicies is not served yet");
}

absl::StatusOr<crm::v1::TierPolicy> PolicyLogic::Update(const server::CallContext&, const crm::v1::UpdateTierPolicyRequest&) {
  return absl::UnimplementedError("UpdateTierPolicy is not served yet");
}

absl::StatusOr<crm::v1::ListAccountsWithoutManagerResponse> PolicyLogic::ListAccountsWithoutManager(const server::CallContext&, const crm::v1::ListAccountsWithoutManagerRequest&) {
  return absl::UnimplementedError("ListAccountsWithoutManager is not served yet");
}

absl::StatusOr<crm::v1::ListOverdueContactsResponse> PolicyLogic::ListOverdueContacts(const server::CallContext&, const crm::v1::ListOverdueContactsRequest&) {
  return absl::UnimplementedError("ListOverdueContacts is not served yet");
}

}  // namespace crm::kam
