// The gRPC edge of AdminService.
#pragma once

#include "common/server/runtime.h"
#include "crm/v1/admin.grpc.pb.h"
#include "services/admin/admin_logic.h"

namespace crm::admin {

class AdminHandler final : public crm::v1::AdminService::CallbackService {
 public:
  explicit AdminHandler(const server::Runtime& runtime) : rt_(runtime), logic_(runtime) {}

  grpc::ServerUnaryReactor* SetUser(grpc::CallbackServerContext* context, const crm::v1::SetUserRequest* request,
                                    crm::v1::User* response) override;
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context, const crm::v1::GetUserRequest* request,
                                    crm::v1::User* response) override;
  grpc::ServerUnaryReactor* ListUsers(grpc::CallbackServerContext* context, const crm::v1::ListUsersRequest* request,
                                      crm::v1::ListUsersResponse* response) override;
  grpc::ServerUnaryReactor* CreateAccessToken(grpc::CallbackServerContext* context,
                                              const crm::v1::CreateAccessTokenRequest* request,
                                              crm::v1::CreateAccessTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeAccessToken(grpc::CallbackServerContext* context,
                                              const crm::v1::RevokeAccessTokenRequest* request,
                                              crm::v1::AccessToken* response) override;
  grpc::ServerUnaryReactor* ListAccessTokens(grpc::CallbackServerContext* context,
                                             const crm::v1::ListAccessTokensRequest* request,
                                             crm::v1::ListAccessTokensResponse* response) override;
  grpc::ServerUnaryReactor* ListAuditRecords(grpc::CallbackServerContext* context,
                                             const crm::v1::ListAuditRecordsRequest* request,
                                             crm::v1::ListAuditRecordsResponse* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context, const crm::v1::WhoAmIRequest* request,
                                   crm::v1::User* response) override;

 private:
  const server::Runtime& rt_;
  AdminLogic logic_;
};

}  // namespace crm::admin
