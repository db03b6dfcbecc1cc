// AdminService's rules: users with roles, and access tokens whose secrets are shown once.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/admin.pb.h"

namespace crm::admin {

class AdminLogic {
 public:
  explicit AdminLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::User> SetUser(const server::CallContext& call, const crm::v1::SetUserRequest& request) const;
  absl::StatusOr<crm::v1::User> GetUser(const server::CallContext& call, const crm::v1::GetUserRequest& request) const;
  absl::StatusOr<crm::v1::ListUsersResponse> ListUsers(const server::CallContext& call,
                                                       const crm::v1::ListUsersRequest& request) const;
  absl::StatusOr<crm::v1::CreateAccessTokenResponse> CreateAccessToken(
      const server::CallContext& call, const crm::v1::CreateAccessTokenRequest& request) const;
  absl::StatusOr<crm::v1::AccessToken> RevokeAccessToken(const server::CallContext& call,
                                                         const crm::v1::RevokeAccessTokenRequest& request) const;
  absl::StatusOr<crm::v1::ListAccessTokensResponse> ListAccessTokens(
      const server::CallContext& call, const crm::v1::ListAccessTokensRequest& request) const;
  absl::StatusOr<crm::v1::ListAuditRecordsResponse> ListAuditRecords(
      const server::CallContext& call, const crm::v1::ListAuditRecordsRequest& request) const;
  absl::StatusOr<crm::v1::User> WhoAmI(const server::CallContext& call) const;

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::admin
