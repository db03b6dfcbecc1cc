// The gRPC edge of teams and targets: each call runs its TargetLogic method on the worker pool.
#include "common/server/unary.h"
#include "services/pipeline/pipeline_handler.h"

namespace crm::pipeline {

using server::CallContext;
using server::ServeUnary;

grpc::ServerUnaryReactor* PipelineHandler::SetTeam(Context* context, const crm::v1::SetTeamRequest* request,
                                                   crm::v1::Team* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return targets_.SetTeam(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListTeams(Context* context, const crm::v1::ListTeamsRequest* request,
                                                     crm::v1::ListTeamsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return targets_.ListTeams(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::SetTarget(Context* context, const crm::v1::SetTargetRequest* request,
                                                     crm::v1::Target* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return targets_.SetTarget(call, *request); });
}

grpc::ServerUnaryReactor* PipelineHandler::ListTargets(Context* context, const crm::v1::ListTargetsRequest* request,
                                                       crm::v1::ListTargetsResponse* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return targets_.ListTargets(call, *request); });
}

}  // namespace crm::pipeline
