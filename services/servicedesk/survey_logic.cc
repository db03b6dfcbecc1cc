#include "services/servicedesk/survey_logic.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/servicedesk/survey_store.h"
#include "services/servicedesk/ticket_store.h"

namespace crm::servicedesk {
namespace {

using crm::v1::SatisfactionSurvey;

constexpr int kMinScore = 1;
constexpr int kMaxScore = 5;
constexpr size_t kMaxCommentLength = 4000;

bool IsResolved(crm::v1::TicketStatus status) {
  return status == crm::v1::TICKET_STATUS_RESOLVED || status == crm::v1::TICKET_STATUS_CLOSED;
}

}  // namespace

absl::StatusOr<SatisfactionSurvey> SurveyLogic::Submit(const server::CallContext& call,
                                                       const crm::v1::SubmitSurveyRequest& request) {
  const SatisfactionSurvey& in = request.survey();
  Validator v;
  v.Check(request.has_survey(), "survey", "is required");
  if (request.has_survey()) {
    v.RequiredId(in.ticket_id(), "survey.ticket_id");
    v.Check(in.score() >= kMinScore && in.score() <= kMaxScore, "survey.score",
            absl::StrCat("must be between ", kMinScore, " and ", kMaxScore));
    v.OptionalLongText(in.comment(), "survey.comment", kMaxCommentLength);
  }
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  SatisfactionSurvey survey;
  survey.set_ticket_id(in.ticket_id());
  survey.set_score(in.score());
  survey.set_comment(Trimmed(in.comment()));
  *survey.mutable_create_time() = TimeToTimestamp(now);

  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        // The ticket's row stays locked until commit, so it cannot be reopened meanwhile.
        absl::StatusOr<std::optional<TicketRecord>> ticket = TicketStore::FindForUpdate(tx, survey.ticket_id());
        if (!ticket.ok()) return ticket.status();
        if (!ticket->has_value()) return NoSuchEntity("survey.ticket_id", "ticket", survey.ticket_id());
        const crm::v1::TicketStatus status = (*ticket)->ticket.status();
        if (!IsResolved(status)) {
          return FailedPreconditionField("survey.ticket_id",
                                         absl::StrCat("the ticket is ", crm::v1::TicketStatus_Name(status),
                                                      "; a survey can be submitted once it is resolved"));
        }
        if (absl::Status s = SurveyStore::Insert(tx, survey); !s.ok()) return s;
        // The event concerns the agent the ticket is assigned to: it is their rating.
        return rt_.outbox->AppendChange(tx, "survey.submitted", kSurveyEntity, survey.ticket_id(),
                                        crm::v1::CHANGE_KIND_CREATED, DiffMessages(nullptr, survey),
                                        (*ticket)->ticket.assignee(), call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return survey;
}

absl::StatusOr<SatisfactionSurvey> SurveyLogic::Get(const server::CallContext& call,
                                                    const crm::v1::GetSurveyRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.ticket_id(), "ticket_id").status(); !s.ok()) return s;
  absl::StatusOr<std::optional<SatisfactionSurvey>> found = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) { return SurveyStore::Find(sql, request.ticket_id()); });
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return NotFoundField("ticket_id", absl::StrCat("ticket \"", request.ticket_id(), "\" has no survey"));
  }
  return **std::move(found);
}

}  // namespace crm::servicedesk
