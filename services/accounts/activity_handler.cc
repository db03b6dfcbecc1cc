// AccountService activity (schedule) methods: the gRPC edge only; the rules live in ActivityLogic.
#include "services/accounts/account_handler.h"

#include "common/server/unary.h"

namespace crm::accounts {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* AccountHandler::CreateActivity(Context* context,
                                                         const crm::v1::CreateActivityRequest* request,
                                                         crm::v1::Activity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.Create(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::GetActivity(Context* context, const crm::v1::GetActivityRequest* request,
                                                      crm::v1::Activity* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.Get(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::UpdateActivity(Context* context,
                                                         const crm::v1::UpdateActivityRequest* request,
                                                         crm::v1::Activity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.Update(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::CompleteActivity(Context* context,
                                                           const crm::v1::CompleteActivityRequest* request,
                                                           crm::v1::Activity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.Complete(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::CancelActivity(Context* context,
                                                         const crm::v1::CancelActivityRequest* request,
                                                         crm::v1::Activity* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.Cancel(call, *request); });
}

grpc::ServerUnaryReactor* AccountHandler::ListActivities(Context* context,
                                                         const crm::v1::ListActivitiesRequest* request,
                                                         crm::v1::ListActivitiesResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return activities_.List(call, *request); });
}

}  // namespace crm::accounts
