// The rules of satisfaction surveys of resolved tickets. No gRPC and no SQL here.
//
//  - One survey per ticket, submitted once the ticket is RESOLVED or CLOSED (before that:
//    FAILED_PRECONDITION naming survey.ticket_id); a second → ALREADY_EXISTS, enforced by the
//    table's primary key so that two racing submissions cannot both land.
//  - score 1 (very unhappy) .. 5 (very happy); the comment is optional free text.
//  - Submitting writes the event "survey.submitted" in the same transaction.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/servicedesk.pb.h"

namespace crm::servicedesk {

inline constexpr char kSurveyEntity[] = "survey";

class SurveyLogic {
 public:
  explicit SurveyLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::SatisfactionSurvey> Submit(const server::CallContext& call,
                                                     const crm::v1::SubmitSurveyRequest& request);
  // NOT_FOUND naming ticket_id when the ticket has no survey.
  absl::StatusOr<crm::v1::SatisfactionSurvey> Get(const server::CallContext& call,
                                                  const crm::v1::GetSurveyRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
