// SQL for satisfaction surveys, and the one read of the tickets table they need. Every statement
// is named once in survey_store.cc; rows map once (soci::type_conversion there).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/database.h"
#include "crm/v1/servicedesk.pb.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

class SurveyStore {
 public:
  // nullopt when the ticket has no survey.
  static absl::StatusOr<std::optional<crm::v1::SatisfactionSurvey>> Find(soci::session& sql,
                                                                         const std::string& ticket_id);
  // ALREADY_EXISTS naming survey.ticket_id when the ticket has a survey already.
  static absl::Status Insert(db::Tx& tx, const crm::v1::SatisfactionSurvey& survey);
};

}  // namespace crm::servicedesk
