// The rules of tier policies, manager coverage and contact cadence. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

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
