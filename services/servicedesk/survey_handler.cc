// ServiceDeskService survey methods: the gRPC edge only; the rules live in SurveyLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "common/server/unary.h"

namespace crm::servicedesk {

using server::CallContext;
using server::ServeRead;
using server::ServeUnary;

grpc::ServerUnaryReactor* ServiceDeskHandler::SubmitSurvey(Context* context,
                                                           const crm::v1::SubmitSurveyRequest* request,
                                                           crm::v1::SatisfactionSurvey* response) {
  return ServeUnary(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return surveys_.Submit(call, *request); });
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSurvey(Context* context, const crm::v1::GetSurveyRequest* request,
                                                        crm::v1::SatisfactionSurvey* response) {
  return ServeRead(context, *rt_.workers, response,
                    [this, request](const CallContext& call) { return surveys_.Get(call, *request); });
}

}  // namespace crm::servicedesk
