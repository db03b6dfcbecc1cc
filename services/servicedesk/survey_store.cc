#include "services/servicedesk/survey_store.h"

#include <soci/soci.h>

#include "common/core/errors.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a satisfaction_surveys row and crm.v1.SatisfactionSurvey.
template <>
struct type_conversion<crm::v1::SatisfactionSurvey> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::SatisfactionSurvey& s) {
    s.Clear();
    s.set_ticket_id(crm::db::GetString(v, "ticket_id"));
    s.set_score(static_cast<int32_t>(crm::db::GetInt64(v, "score")));
    s.set_comment(crm::db::GetString(v, "comment"));
    *s.mutable_create_time() = crm::MicrosToTimestamp(crm::db::GetInt64(v, "create_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::SatisfactionSurvey& s, Values& v, indicator& ind) {
    v.set("ticket_id", s.ticket_id());
    v.set("score", static_cast<long long>(s.score()));
    v.set("comment", s.comment());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(s.create_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

constexpr char kSelectSurveyByTicket[] =
    "SELECT ticket_id, score, comment, create_time FROM satisfaction_surveys WHERE ticket_id = :ticket_id";
constexpr char kInsertSurvey[] =
    "INSERT INTO satisfaction_surveys (ticket_id, score, comment, create_time)"
    " VALUES (:ticket_id, :score, :comment, :create_time)";

}  // namespace

absl::StatusOr<std::optional<crm::v1::SatisfactionSurvey>> SurveyStore::Find(soci::session& sql,
                                                                             const std::string& ticket_id) {
  return db::QueryOne<crm::v1::SatisfactionSurvey>(sql, kSelectSurveyByTicket, ticket_id, "read survey");
}

absl::Status SurveyStore::Insert(db::Tx& tx, const crm::v1::SatisfactionSurvey& survey) {
  absl::Status status = db::Guard("insert survey", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertSurvey, survey);
    return absl::OkStatus();
  });
  if (absl::IsAlreadyExists(status)) {
    return AlreadyExistsField("survey.ticket_id", "the ticket has a survey already; there is one per ticket");
  }
  return status;
}

}  // namespace crm::servicedesk
