// ServiceDeskService survey methods: the gRPC edge only; the rules live in SurveyLogic.
#include "services/servicedesk/servicedesk_handler.h"

#include "services/servicedesk/not_yet_served.h"

namespace crm::servicedesk {

grpc::ServerUnaryReactor* ServiceDeskHandler::SubmitSurvey(Context* context, const crm::v1::SubmitSurveyRequest* request,
                                                   crm::v1::SatisfactionSurvey* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

grpc::ServerUnaryReactor* ServiceDeskHandler::GetSurvey(Context* context, const crm::v1::GetSurveyRequest* request,
                                                   crm::v1::SatisfactionSurvey* response) {
  return NotYetServed(context);  // PLACEHOLDER: replaced by the area's implementation
}

}  // namespace crm::servicedesk
