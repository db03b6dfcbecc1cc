#include "services/servicedesk/ticket_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/customfields/custom_field_store.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace crm::servicedesk {
namespace {

// A ticket_pauses row with its ticket.
struct PauseRow {
  std::string ticket_id;
  TicketPause pause;
};

}  // namespace
}  // namespace crm::servicedesk

namespace soci {

namespace {

// A nullable microsecond column into a Timestamp field, left unset (no presence) when NULL.
template <typename Message>
void ReadOptionalTime(const values& v, const char* column, Message& message,
                      google::protobuf::Timestamp* (Message::*mutable_field)()) {
  if (!crm::db::IsNull(v, column)) *(message.*mutable_field)() = crm::MicrosToTimestamp(crm::db::GetInt64(v, column));
}

template <typename Values>
void WriteOptionalTime(Values& v, const char* column, const google::protobuf::Timestamp& ts, bool present) {
  v.set(column, static_cast<long long>(crm::TimestampToMicros(ts)), present ? i_ok : i_null);
}

}  // namespace

// The one mapping between a tickets row and TicketRecord.
template <>
struct type_conversion<crm::servicedesk::TicketRecord> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::servicedesk::TicketRecord& r) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    using crm::db::IsNull;
    crm::v1::Ticket& t = r.ticket;
    t.Clear();
    t.set_id(GetString(v, "id"));
    t.set_account_id(GetString(v, "account_id"));
    t.set_contact_id(GetString(v, "contact_id"));
    t.set_channel(static_cast<crm::v1::TicketChannel>(GetInt64(v, "channel")));
    t.set_category(GetString(v, "category"));
    t.set_priority(static_cast<crm::v1::TicketPriority>(GetInt64(v, "priority")));
    t.set_subject(GetString(v, "subject"));
    t.set_description(GetString(v, "description"));
    t.set_status(static_cast<crm::v1::TicketStatus>(GetInt64(v, "status")));
    t.set_assignee(GetString(v, "assignee"));
    t.set_assignee_group(GetString(v, "assignee_group"));
    t.set_escalation_level(static_cast<int32_t>(GetInt64(v, "escalation_level")));
    t.set_account_tier(static_cast<crm::v1::AccountTier>(GetInt64(v, "account_tier")));
    t.set_sla_policy_id(GetString(v, "sla_policy_id"));
    t.set_calendar_id(GetString(v, "calendar_id"));
    r.warning_percent = static_cast<int>(GetInt64(v, "warning_percent"));

    crm::v1::SlaTimer* first = t.mutable_first_response();
    first->set_target_minutes(GetInt64(v, "first_response_minutes"));
    ReadOptionalTime(v, "first_response_due", *first, &crm::v1::SlaTimer::mutable_due_time);
    ReadOptionalTime(v, "first_response_warning", *first, &crm::v1::SlaTimer::mutable_warning_time);
    ReadOptionalTime(v, "first_response_time", *first, &crm::v1::SlaTimer::mutable_met_time);
    first->set_breached(GetInt64(v, "first_response_breached") != 0);
    crm::v1::SlaTimer* resolution = t.mutable_resolution();
    resolution->set_target_minutes(GetInt64(v, "resolution_minutes"));
    ReadOptionalTime(v, "resolution_due", *resolution, &crm::v1::SlaTimer::mutable_due_time);
    ReadOptionalTime(v, "resolution_warning", *resolution, &crm::v1::SlaTimer::mutable_warning_time);
    ReadOptionalTime(v, "resolve_time", *resolution, &crm::v1::SlaTimer::mutable_met_time);
    resolution->set_breached(GetInt64(v, "resolution_breached") != 0);
    r.next_escalation_time.reset();
    if (!IsNull(v, "next_escalation_time")) r.next_escalation_time = crm::FromMicros(GetInt64(v, "next_escalation_time"));

    t.set_reporter(GetString(v, "reporter"));
    *t.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *t.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    ReadOptionalTime(v, "first_response_time", t, &crm::v1::Ticket::mutable_first_response_time);
    ReadOptionalTime(v, "resolve_time", t, &crm::v1::Ticket::mutable_resolve_time);
    ReadOptionalTime(v, "close_time", t, &crm::v1::Ticket::mutable_close_time);
    t.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
    if (!IsNull(v, "custom_fields")) {
      crm::customfields::DecodeValues(GetString(v, "custom_fields"), t.mutable_custom_fields());
    }
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::servicedesk::TicketRecord& r, Values& v, indicator& ind) {
    const crm::v1::Ticket& t = r.ticket;
    v.set("id", t.id());
    v.set("account_id", t.account_id());
    v.set("contact_id", t.contact_id());
    v.set("channel", static_cast<long long>(t.channel()));
    v.set("category", t.category());
    v.set("priority", static_cast<long long>(t.priority()));
    v.set("subject", t.subject());
    v.set("description", t.description());
    v.set("status", static_cast<long long>(t.status()));
    v.set("assignee", t.assignee());
    v.set("assignee_group", t.assignee_group());
    v.set("escalation_level", static_cast<long long>(t.escalation_level()));
    v.set("account_tier", static_cast<long long>(t.account_tier()));
    v.set("sla_policy_id", t.sla_policy_id());
    v.set("calendar_id", t.calendar_id());
    v.set("warning_percent", static_cast<long long>(r.warning_percent));
    v.set("first_response_minutes", static_cast<long long>(t.first_response().target_minutes()));
    v.set("resolution_minutes", static_cast<long long>(t.resolution().target_minutes()));
    WriteOptionalTime(v, "first_response_due", t.first_response().due_time(), t.first_response().has_due_time());
    WriteOptionalTime(v, "first_response_warning", t.first_response().warning_time(),
                      t.first_response().has_warning_time());
    WriteOptionalTime(v, "resolution_due", t.resolution().due_time(), t.resolution().has_due_time());
    WriteOptionalTime(v, "resolution_warning", t.resolution().warning_time(), t.resolution().has_warning_time());
    v.set("first_response_breached", static_cast<long long>(t.first_response().breached() ? 1 : 0));
    v.set("resolution_breached", static_cast<long long>(t.resolution().breached() ? 1 : 0));
    v.set("next_escalation_time",
          static_cast<long long>(r.next_escalation_time ? crm::ToMicros(*r.next_escalation_time) : 0),
          r.next_escalation_time ? i_ok : i_null);
    v.set("reporter", t.reporter());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(t.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(t.update_time())));
    WriteOptionalTime(v, "first_response_time", t.first_response_time(), t.has_first_response_time());
    WriteOptionalTime(v, "resolve_time", t.resolve_time(), t.has_resolve_time());
    WriteOptionalTime(v, "close_time", t.close_time(), t.has_close_time());
    v.set("custom_fields", crm::customfields::EncodeValues(t.custom_fields()),
          t.custom_fields().empty() ? i_null : i_ok);
    ind = i_ok;
  }
};

template <>
struct type_conversion<crm::servicedesk::PauseRow> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::servicedesk::PauseRow& p) {
    p.ticket_id = crm::db::GetString(v, "ticket_id");
    p.pause.kind = static_cast<crm::servicedesk::PauseKind>(crm::db::GetInt64(v, "kind"));
    p.pause.from = crm::FromMicros(crm::db::GetInt64(v, "start_time"));
    p.pause.to = crm::db::IsNull(v, "end_time") ? absl::InfiniteFuture()
                                                 : crm::FromMicros(crm::db::GetInt64(v, "end_time"));
  }

  static void to_base(const crm::servicedesk::PauseRow&, values&, indicator& ind) { ind = i_ok; }
};

template <>
struct type_conversion<crm::servicedesk::HistoryEntry> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::servicedesk::HistoryEntry& h) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    h.seq = GetInt64(v, "seq");
    crm::v1::TicketChange& c = h.change;
    c.Clear();
    c.set_ticket_id(GetString(v, "ticket_id"));
    c.set_kind(static_cast<crm::v1::TicketChangeKind>(GetInt64(v, "kind")));
    c.set_from_value(GetString(v, "from_value"));
    c.set_to_value(GetString(v, "to_value"));
    c.set_reason(GetString(v, "reason"));
    c.set_actor(GetString(v, "actor"));
    *c.mutable_time() = crm::MicrosToTimestamp(GetInt64(v, "change_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::servicedesk::HistoryEntry& h, Values& v, indicator& ind) {
    const crm::v1::TicketChange& c = h.change;
    v.set("ticket_id", c.ticket_id());
    v.set("kind", static_cast<long long>(c.kind()));
    v.set("from_value", c.from_value());
    v.set("to_value", c.to_value());
    v.set("reason", c.reason());
    v.set("actor", c.actor());
    v.set("change_time", static_cast<long long>(crm::TimestampToMicros(c.time())));
    ind = i_ok;
  }
};

template <>
struct type_conversion<crm::v1::TicketComment> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::TicketComment& c) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    c.Clear();
    c.set_id(GetString(v, "id"));
    c.set_ticket_id(GetString(v, "ticket_id"));
    c.set_visibility(static_cast<crm::v1::CommentVisibility>(GetInt64(v, "visibility")));
    c.set_author_kind(static_cast<crm::v1::CommentAuthorKind>(GetInt64(v, "author_kind")));
    c.set_author(GetString(v, "author"));
    c.set_body(GetString(v, "body"));
    *c.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::TicketComment& c, Values& v, indicator& ind) {
    v.set("id", c.id());
    v.set("ticket_id", c.ticket_id());
    v.set("visibility", static_cast<long long>(c.visibility()));
    v.set("author_kind", static_cast<long long>(c.author_kind()));
    v.set("author", c.author());
    v.set("body", c.body());
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(c.create_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

// Tickets in the custom field value index.
absl::string_view IndexEntity() { return customfields::EntityName(crm::v1::CUSTOM_FIELD_ENTITY_TICKET); }

constexpr char kTicketColumns[] =
    "id, account_id, contact_id, channel, category, priority, subject, description, status, assignee,"
    " assignee_group, escalation_level, account_tier, sla_policy_id, calendar_id, warning_percent,"
    " first_response_minutes, resolution_minutes, first_response_due, first_response_warning, resolution_due,"
    " resolution_warning, first_response_breached, resolution_breached, next_escalation_time, reporter,"
    " create_time, update_time, first_response_time, resolve_time, close_time, revision, custom_fields";
const std::string kSelectTicket = absl::StrCat("SELECT ", kTicketColumns, " FROM tickets");
const std::string kSelectTicketById = kSelectTicket + " WHERE id = :id";
constexpr char kInsertTicket[] =
    "INSERT INTO tickets (id, account_id, contact_id, channel, category, priority, subject, description, status,"
    " assignee, assignee_group, escalation_level, account_tier, sla_policy_id, calendar_id, warning_percent,"
    " first_response_minutes, resolution_minutes, first_response_due, first_response_warning, resolution_due,"
    " resolution_warning, first_response_breached, resolution_breached, next_escalation_time, reporter,"
    " create_time, update_time, first_response_time, resolve_time, close_time, custom_fields, revision) VALUES"
    " (:id, :account_id, :contact_id, :channel, :category, :priority, :subject, :description, :status,"
    " :assignee, :assignee_group, :escalation_level, :account_tier, :sla_policy_id, :calendar_id,"
    " :warning_percent, :first_response_minutes, :resolution_minutes, :first_response_due,"
    " :first_response_warning, :resolution_due, :resolution_warning, :first_response_breached,"
    " :resolution_breached, :next_escalation_time, :reporter, :create_time, :update_time, :first_response_time,"
    " :resolve_time, :close_time, :custom_fields, 1)";
// account_id, reporter and create_time never change after the insert.
constexpr char kUpdateTicket[] =
    "UPDATE tickets SET contact_id = :contact_id, channel = :channel, category = :category,"
    " priority = :priority, subject = :subject, description = :description, status = :status,"
    " assignee = :assignee, assignee_group = :assignee_group, escalation_level = :escalation_level,"
    " account_tier = :account_tier, sla_policy_id = :sla_policy_id, calendar_id = :calendar_id,"
    " warning_percent = :warning_percent, first_response_minutes = :first_response_minutes,"
    " resolution_minutes = :resolution_minutes, first_response_due = :first_response_due,"
    " first_response_warning = :first_response_warning, resolution_due = :resolution_due,"
    " resolution_warning = :resolution_warning, first_response_breached = :first_response_breached,"
    " resolution_breached = :resolution_breached, next_escalation_time = :next_escalation_time,"
    " update_time = :update_time, first_response_time = :first_response_time, resolve_time = :resolve_time,"
    " close_time = :close_time, custom_fields = :custom_fields, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision";

constexpr char kSelectPauses[] = "SELECT ticket_id, start_time, kind, end_time FROM ticket_pauses";
constexpr char kContinuePause[] =
    "UPDATE ticket_pauses SET end_time = NULL"
    " WHERE ticket_id = :ticket_id AND kind = :kind AND end_time = :start_time";
constexpr char kInsertPause[] =
    "INSERT INTO ticket_pauses (ticket_id, start_time, kind, end_time)"
    " VALUES (:ticket_id, :start_time, :kind, NULL)";
constexpr char kEndPause[] =
    "UPDATE ticket_pauses SET end_time = :end_time"
    " WHERE ticket_id = :ticket_id AND kind = :kind AND end_time IS NULL";

constexpr char kInsertHistory[] =
    "INSERT INTO ticket_history (ticket_id, kind, from_value, to_value, reason, actor, change_time)"
    " VALUES (:ticket_id, :kind, :from_value, :to_value, :reason, :actor, :change_time)";
constexpr char kSelectHistory[] =
    "SELECT seq, ticket_id, kind, from_value, to_value, reason, actor, change_time FROM ticket_history";

constexpr char kSelectComment[] =
    "SELECT id, ticket_id, visibility, author_kind, author, body, create_time FROM ticket_comments";
const std::string kSelectCommentById = absl::StrCat(kSelectComment, " WHERE id = :id");
constexpr char kInsertComment[] =
    "INSERT INTO ticket_comments (id, ticket_id, visibility, author_kind, author, body, create_time)"
    " VALUES (:id, :ticket_id, :visibility, :author_kind, :author, :body, :create_time)";

}  // namespace

bool IsOpenTicketStatus(crm::v1::TicketStatus status) {
  return status == crm::v1::TICKET_STATUS_NEW || status == crm::v1::TICKET_STATUS_OPEN ||
         status == crm::v1::TICKET_STATUS_PENDING;
}

void WhereTicketOpen(db::SqlQuery& q, absl::string_view table) {
  const std::string prefix = table.empty() ? "" : absl::StrCat(table, ".");
  q.Where(absl::StrCat(prefix, "status IN (?, ?, ?)"), static_cast<long long>(crm::v1::TICKET_STATUS_NEW),
          static_cast<long long>(crm::v1::TICKET_STATUS_OPEN), static_cast<long long>(crm::v1::TICKET_STATUS_PENDING));
}

std::string TicketBreachedPredicate(absl::string_view table) {
  const std::string p = table.empty() ? "" : absl::StrCat(table, ".");
  return absl::StrCat("(", p, "first_response_breached = 1 OR ", p, "resolution_breached = 1 OR (", p,
                      "first_response_due IS NOT NULL AND ", p, "first_response_due < ?) OR (", p,
                      "resolution_due IS NOT NULL AND ", p, "resolution_due < ?))");
}

absl::StatusOr<std::optional<TicketRecord>> TicketStore::Find(soci::session& sql, const std::string& id) {
  return db::QueryOne<TicketRecord>(sql, kSelectTicketById, id, "read ticket");
}

absl::StatusOr<std::optional<TicketRecord>> TicketStore::FindForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<TicketRecord>(tx.session(), kSelectTicketById + tx.dialect().ForUpdate(), id, "read ticket");
}

absl::Status TicketStore::Insert(db::Tx& tx, const TicketRecord& record) {
  absl::Status status = db::Guard("insert ticket", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertTicket, record);
    return absl::OkStatus();
  });
  const crm::v1::Ticket& t = record.ticket;
  if (!status.ok() || t.custom_fields().empty()) return status;
  return customfields::CustomValueIndex::Replace(tx, IndexEntity(), t.id(), t.custom_fields());
}

absl::StatusOr<bool> TicketStore::Update(db::Tx& tx, const TicketRecord& stored, const TicketRecord& record,
                                         int64_t expected_revision) {
  absl::StatusOr<bool> updated =
      db::ExecuteAtRevision(tx.session(), kUpdateTicket, record, expected_revision, "update ticket");
  if (!updated.ok() || !*updated) return updated;
  const crm::v1::Ticket& t = record.ticket;
  absl::Status indexed = customfields::CustomValueIndex::ReplaceIfChanged(
      tx, IndexEntity(), t.id(), stored.ticket.custom_fields(), t.custom_fields());
  if (!indexed.ok()) return indexed;
  return true;
}

absl::StatusOr<std::vector<TicketRecord>> TicketStore::List(soci::session& sql, const TicketListQuery& query) {
  // An equality on a custom value drives the list from its index entries, which come in id order.
  std::vector<customfields::IndexCondition> custom_conditions = query.custom_conditions;
  const std::optional<customfields::ValueDrivenList> driven =
      customfields::ValueDrivenList::Take(IndexEntity(), "tickets", "id", custom_conditions);
  db::SqlQuery q = driven ? driven->Select(db::Dialect::Of(sql), kTicketColumns) : db::SqlQuery(kSelectTicket);
  if (!query.statuses.empty()) {
    q.Where("status IN (?", static_cast<long long>(query.statuses.front()));
    for (size_t i = 1; i < query.statuses.size(); ++i) q.Append(", ?", static_cast<long long>(query.statuses[i]));
    q.Append(")");
  }
  if (query.priority != crm::v1::TICKET_PRIORITY_UNSPECIFIED) {
    q.Where("priority = ?", static_cast<long long>(query.priority));
  }
  if (!query.assignee.empty()) q.Where("assignee = ?", query.assignee);
  if (!query.assignee_group.empty()) q.Where("assignee_group = ?", query.assignee_group);
  if (!query.account_id.empty()) q.Where("account_id = ?", query.account_id);
  if (!query.category.empty()) q.Where("category = ?", query.category);
  if (query.escalation_level) q.Where("escalation_level = ?", static_cast<long long>(*query.escalation_level));
  if (query.breached) {
    const long long now = ToMicros(query.now);
    const std::string breached = TicketBreachedPredicate();
    q.Where(*query.breached ? breached : absl::StrCat("NOT ", breached), now, now);
  }
  customfields::CustomValueIndex::AddConditions(q, IndexEntity(), "id", custom_conditions);
  customfields::ValueDrivenList::AddIdOrder(q, driven, "id", query.before_id, true);
  q.Append(" LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<TicketRecord>(sql, q, "list tickets");
}

absl::StatusOr<std::vector<TicketPause>> TicketStore::Pauses(soci::session& sql, const std::string& ticket_id) {
  db::SqlQuery q(kSelectPauses);
  q.Where("ticket_id = ?", ticket_id);
  q.Append(" ORDER BY start_time, kind");
  absl::StatusOr<std::vector<PauseRow>> rows = db::QueryAll<PauseRow>(sql, q, "read ticket pauses");
  if (!rows.ok()) return rows.status();
  std::vector<TicketPause> pauses;
  pauses.reserve(rows->size());
  for (const PauseRow& row : *rows) pauses.push_back(row.pause);
  return pauses;
}

absl::StatusOr<std::map<std::string, std::vector<TicketPause>>> TicketStore::PausesOf(
    soci::session& sql, const std::vector<std::string>& ticket_ids) {
  std::map<std::string, std::vector<TicketPause>> by_ticket;
  if (ticket_ids.empty()) return by_ticket;
  db::SqlQuery q(kSelectPauses);
  q.WhereIn("ticket_id", ticket_ids);
  q.Append(" ORDER BY ticket_id, start_time, kind");
  absl::StatusOr<std::vector<PauseRow>> rows = db::QueryAll<PauseRow>(sql, q, "read ticket pauses");
  if (!rows.ok()) return rows.status();
  for (PauseRow& row : *rows) by_ticket[row.ticket_id].push_back(row.pause);
  return by_ticket;
}

absl::Status TicketStore::StartPause(db::Tx& tx, const std::string& ticket_id, PauseKind kind, absl::Time start) {
  long long kind_number = static_cast<long long>(kind);
  long long start_micros = ToMicros(start);
  return db::Guard("start ticket pause", [&]() -> absl::Status {
    soci::statement resume = (tx.session().prepare << kContinuePause, soci::use(ticket_id, "ticket_id"),
                              soci::use(kind_number, "kind"), soci::use(start_micros, "start_time"));
    resume.execute(true);
    if (resume.get_affected_rows() > 0) return absl::OkStatus();
    tx.session() << kInsertPause, soci::use(ticket_id, "ticket_id"), soci::use(start_micros, "start_time"),
        soci::use(kind_number, "kind");
    return absl::OkStatus();
  });
}

absl::Status TicketStore::EndPause(db::Tx& tx, const std::string& ticket_id, PauseKind kind, absl::Time end) {
  long long kind_number = static_cast<long long>(kind);
  long long end_micros = ToMicros(end);
  return db::Guard("end ticket pause", [&]() -> absl::Status {
    tx.session() << kEndPause, soci::use(end_micros, "end_time"), soci::use(ticket_id, "ticket_id"),
        soci::use(kind_number, "kind");
    return absl::OkStatus();
  });
}

absl::Status TicketStore::AppendHistory(db::Tx& tx, const crm::v1::TicketChange& change) {
  // Bound as const: SOCI reads a non-const mapped object back after the statement.
  const HistoryEntry entry{0, change};
  return db::Guard("insert ticket history", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertHistory, entry);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<HistoryEntry>> TicketStore::History(soci::session& sql, const std::string& ticket_id,
                                                              int64_t after_seq, int limit) {
  db::SqlQuery q(kSelectHistory);
  q.Where("ticket_id = ?", ticket_id);
  if (after_seq > 0) q.Where("seq > ?", static_cast<long long>(after_seq));
  q.Append(" ORDER BY seq LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<HistoryEntry>(sql, q, "read ticket history");
}

absl::Status TicketStore::InsertComment(db::Tx& tx, const crm::v1::TicketComment& comment) {
  return db::Guard("insert ticket comment", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertComment, comment);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<crm::v1::TicketComment>> TicketStore::FindComment(soci::session& sql,
                                                                             const std::string& id) {
  return db::QueryOne<crm::v1::TicketComment>(sql, kSelectCommentById, id, "read ticket comment");
}

absl::StatusOr<std::vector<crm::v1::TicketComment>> TicketStore::ListComments(soci::session& sql,
                                                                            const CommentListQuery& query) {
  db::SqlQuery q(kSelectComment);
  q.Where("ticket_id = ?", query.ticket_id);
  if (query.public_only) q.Where("visibility = ?", static_cast<long long>(crm::v1::COMMENT_VISIBILITY_PUBLIC));
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(query.limit));
  return db::QueryAll<crm::v1::TicketComment>(sql, q, "read ticket comments");
}

}  // namespace crm::servicedesk
