#include "services/admin/admin_handler.h"

#include "common/server/unary.h"

namespace crm::admin {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* AdminHandler::SetUser(grpc::CallbackServerContext* context,
                                                const crm::v1::SetUserRequest* request, crm::v1::User* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.SetUser(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::GetUser(grpc::CallbackServerContext* context,
                                                const crm::v1::GetUserRequest* request, crm::v1::User* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.GetUser(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::ListUsers(grpc::CallbackServerContext* context,
                                                  const crm::v1::ListUsersRequest* request,
                                                  crm::v1::ListUsersResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.ListUsers(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::CreateAccessToken(grpc::CallbackServerContext* context,
                                                          const crm::v1::CreateAccessTokenRequest* request,
                                                          crm::v1::CreateAccessTokenResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.CreateAccessToken(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::RevokeAccessToken(grpc::CallbackServerContext* context,
                                                          const crm::v1::RevokeAccessTokenRequest* request,
                                                          crm::v1::AccessToken* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.RevokeAccessToken(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::ListAccessTokens(grpc::CallbackServerContext* context,
                                                         const crm::v1::ListAccessTokensRequest* request,
                                                         crm::v1::ListAccessTokensResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.ListAccessTokens(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::ListAuditRecords(grpc::CallbackServerContext* context,
                                                         const crm::v1::ListAuditRecordsRequest* request,
                                                         crm::v1::ListAuditRecordsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return logic_.ListAuditRecords(call, *request); });
}

grpc::ServerUnaryReactor* AdminHandler::WhoAmI(grpc::CallbackServerContext* context, const crm::v1::WhoAmIRequest*,
                                               crm::v1::User* response) {
  return ServeUnary(context, *rt_.workers, response, [this](const CallContext& call) { return logic_.WhoAmI(call); });
}

}  // namespace crm::admin
