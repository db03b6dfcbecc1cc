#include "services/accounts/activity_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between an activities row and crm.v1.Activity.
template <>
struct type_conversion<crm::v1::Activity> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Activity& a) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    using crm::db::IsNull;
    a.Clear();
    a.set_id(GetString(v, "id"));
    a.set_account_id(GetString(v, "account_id"));
    a.set_contact_id(GetString(v, "contact_id"));
    a.set_kind(static_cast<crm::v1::ActivityKind>(GetInt64(v, "kind")));
    a.set_subject(GetString(v, "subject"));
    a.set_notes(GetString(v, "notes"));
    *a.mutable_due_time() = crm::MicrosToTimestamp(GetInt64(v, "due_time"));
    if (!IsNull(v, "reminder_time")) *a.mutable_reminder_time() = crm::MicrosToTimestamp(GetInt64(v, "reminder_time"));
    a.set_assignee(GetString(v, "assignee"));
    a.set_status(static_cast<crm::v1::ActivityStatus>(GetInt64(v, "status")));
    if (!IsNull(v, "reminder_sent_time")) {
      *a.mutable_reminder_sent_time() = crm::MicrosToTimestamp(GetInt64(v, "reminder_sent_time"));
    }
    if (!IsNull(v, "complete_time")) *a.mutable_complete_time() = crm::MicrosToTimestamp(GetInt64(v, "complete_time"));
    a.set_outcome(GetString(v, "outcome"));
    *a.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *a.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    a.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Activity& a, Values& v, indicator& ind) {
    const auto micros = [](const google::protobuf::Timestamp& ts) {
      return static_cast<long long>(crm::TimestampToMicros(ts));
    };
    v.set("id", a.id());
    v.set("account_id", a.account_id());
    v.set("contact_id", a.contact_id(), a.contact_id().empty() ? i_null : i_ok);
    v.set("kind", static_cast<long long>(a.kind()));
    v.set("subject", a.subject());
    v.set("notes", a.notes());
    v.set("due_time", micros(a.due_time()));
    v.set("reminder_time", micros(a.reminder_time()), a.has_reminder_time() ? i_ok : i_null);
    v.set("assignee", a.assignee());
    v.set("status", static_cast<long long>(a.status()));
    v.set("reminder_sent_time", micros(a.reminder_sent_time()), a.has_reminder_sent_time() ? i_ok : i_null);
    v.set("complete_time", micros(a.complete_time()), a.has_complete_time() ? i_ok : i_null);
    v.set("outcome", a.outcome());
    v.set("create_time", micros(a.create_time()));
    v.set("update_time", micros(a.update_time()));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::accounts {
namespace {

constexpr char kActivityColumns[] =
    "id, account_id, contact_id, kind, subject, notes, due_time, reminder_time, assignee, status,"
    " reminder_sent_time, complete_time, outcome, create_time, update_time, revision";
const std::string kSelectActivity = absl::StrCat("SELECT ", kActivityColumns, " FROM activities");
const std::string kSelectActivityById = kSelectActivity + " WHERE id = :id";
constexpr char kInsertActivity[] =
    "INSERT INTO activities (id, account_id, contact_id, kind, subject, notes, due_time,"
    " reminder_time, assignee, status, reminder_sent_time, complete_time, outcome, create_time,"
    " update_time, revision) VALUES (:id, :account_id, :contact_id, :kind, :subject, :notes,"
    " :due_time, :reminder_time, :assignee, :status, :reminder_sent_time, :complete_time, :outcome,"
    " :create_time, :update_time, 1)";
// account_id and create_time never change after the insert.
constexpr char kUpdateActivity[] =
    "UPDATE activities SET contact_id = :contact_id, kind = :kind, subject = :subject, notes = :notes,"
    " due_time = :due_time, reminder_time = :reminder_time, assignee = :assignee, status = :status,"
    " reminder_sent_time = :reminder_sent_time, complete_time = :complete_time, outcome = :outcome,"
    " update_time = :update_time, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision";
// Served by the index activities_due_reminders (status, reminder_sent_time, reminder_time, id).
constexpr char kSelectDueReminders[] =
    "SELECT id FROM activities WHERE status = :planned AND reminder_sent_time IS NULL"
    " AND reminder_time <= :now ORDER BY reminder_time, id LIMIT :lim";
// Every condition of kSelectDueReminders is checked again here, atomically with the write: the
// row may have been claimed by another process, completed, cancelled or rescheduled since it was
// selected. The revision bump also makes MySQL count the row as changed (its affected-rows
// counts changed rows only).
constexpr char kClaimReminder[] =
    "UPDATE activities SET reminder_sent_time = :sent, revision = revision + 1"
    " WHERE id = :id AND reminder_sent_time IS NULL AND status = :planned AND reminder_time <= :now";

}  // namespace

absl::StatusOr<std::optional<crm::v1::Activity>> ActivityStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::Activity>(sql, kSelectActivityById, id, "read activity");
}

absl::StatusOr<std::optional<crm::v1::Activity>> ActivityStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::Activity>(tx.session(), kSelectActivityById + tx.dialect().ForUpdate(), id,
                                         "read activity");
}

absl::Status ActivityStore::Insert(db::Tx& tx, const crm::v1::Activity& activity) {
  return db::Guard("insert activity", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertActivity, activity);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> ActivityStore::Update(db::Tx& tx, const crm::v1::Activity& activity, int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdateActivity, activity, expected_revision, "update activity");
}

absl::StatusOr<std::vector<crm::v1::Activity>> ActivityStore::List(soci::session& sql, const ActivityListQuery& query) {
  db::SqlQuery q(kSelectActivity);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.assignee.empty()) q.Where("assignee = ?", query.assignee);
  if (query.status != crm::v1::ACTIVITY_STATUS_UNSPECIFIED) q.Where("status = ?", static_cast<long long>(query.status));
  if (query.due_after_micros.has_value()) q.Where("due_time >= ?", static_cast<long long>(*query.due_after_micros));
  if (query.due_before_micros.has_value()) q.Where("due_time < ?", static_cast<long long>(*query.due_before_micros));
  if (query.after_due_micros.has_value()) {
    const long long key = *query.after_due_micros;
    q.Where("(due_time > ? OR (due_time = ? AND id > ?))", key, key, query.after_id);
  }
  q.Append(" ORDER BY due_time, id LIMIT ?", static_cast<long long>(query.limit));

  return db::QueryAll<crm::v1::Activity>(sql, q, "list activities");
}

absl::StatusOr<std::vector<std::string>> ActivityStore::DueReminders(soci::session& sql, absl::Time now, int limit) {
  std::vector<std::string> ids;
  long long planned = crm::v1::ACTIVITY_STATUS_PLANNED;
  long long now_micros = ToMicros(now);
  long long lim = limit;
  absl::Status status = db::Guard("select due reminders", [&]() -> absl::Status {
    soci::rowset<std::string> rows = (sql.prepare << kSelectDueReminders, soci::use(planned, "planned"),
                                      soci::use(now_micros, "now"), soci::use(lim, "lim"));
    for (const std::string& id : rows) ids.push_back(id);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return ids;
}

absl::StatusOr<bool> ActivityStore::MarkReminderSent(db::Tx& tx, const std::string& id, absl::Time now) {
  bool claimed = false;
  long long sent = ToMicros(now);
  long long planned = crm::v1::ACTIVITY_STATUS_PLANNED;
  absl::Status status = db::Guard("claim reminder", [&]() -> absl::Status {
    soci::statement statement = (tx.session().prepare << kClaimReminder, soci::use(sent, "sent"), soci::use(id, "id"),
                                 soci::use(planned, "planned"), soci::use(sent, "now"));
    statement.execute(true);
    claimed = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

}  // namespace crm::accounts
