#include "services/servicedesk/sla_store.h"

#include <soci/soci.h>

#include <limits>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/time_util.h"
#include "common/db/dialect.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "google/protobuf/util/json_util.h"
#include "services/servicedesk/sla_logic.h"
#include "services/servicedesk/sla_resolution.h"

namespace crm::servicedesk {
namespace {

// The `rules` column: the repeated parts of a row as protobuf JSON, enums as numbers (stable
// across renames, like every other enum column).
std::string EncodeRules(const google::protobuf::Message& rules) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_enums_as_ints = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(rules, &json, options).ok()) {
    throw std::runtime_error("cannot encode rules");
  }
  return json;
}

// Throws (turned into a status by db::Guard): a row that does not parse is corrupt.
void DecodeRules(const std::string& json, google::protobuf::Message* rules) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json, rules, options).ok()) {
    throw std::runtime_error("stored rules do not parse");
  }
}

}  // namespace
}  // namespace crm::servicedesk

namespace soci {

// The one mapping between a business_calendars row and crm.v1.BusinessCalendar.
template <>
struct type_conversion<crm::v1::BusinessCalendar> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::BusinessCalendar& c) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    c.Clear();
    crm::servicedesk::DecodeRules(GetString(v, "rules"), &c);
    c.set_id(GetString(v, "id"));
    c.set_name(GetString(v, "name"));
    c.set_time_zone(GetString(v, "time_zone"));
    *c.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *c.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    c.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::BusinessCalendar& c, Values& v, indicator& ind) {
    crm::v1::BusinessCalendar rules;
    *rules.mutable_hours() = c.hours();
    *rules.mutable_holidays() = c.holidays();
    v.set("id", c.id());
    v.set("name", c.name());
    v.set("time_zone", c.time_zone());
    v.set("rules", crm::servicedesk::EncodeRules(rules));
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(c.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(c.update_time())));
    ind = i_ok;
  }
};

// The one mapping between an sla_policies row and crm.v1.SlaPolicy (delete_time is the store's
// business: the message has no field for it).
template <>
struct type_conversion<crm::v1::SlaPolicy> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::SlaPolicy& p) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    p.Clear();
    crm::servicedesk::DecodeRules(GetString(v, "rules"), &p);
    p.set_id(GetString(v, "id"));
    p.set_name(GetString(v, "name"));
    p.set_precedence(static_cast<int32_t>(GetInt64(v, "precedence")));
    p.set_calendar_id(GetString(v, "calendar_id"));
    p.set_warning_percent(static_cast<int32_t>(GetInt64(v, "warning_percent")));
    *p.mutable_create_time() = crm::MicrosToTimestamp(GetInt64(v, "create_time"));
    *p.mutable_update_time() = crm::MicrosToTimestamp(GetInt64(v, "update_time"));
    p.set_etag(crm::FormatEtag(GetInt64(v, "revision")));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::SlaPolicy& p, Values& v, indicator& ind) {
    crm::v1::SlaPolicy rules;
    *rules.mutable_tiers() = p.tiers();
    *rules.mutable_categories() = p.categories();
    *rules.mutable_targets() = p.targets();
    *rules.mutable_escalation() = p.escalation();
    v.set("id", p.id());
    v.set("name", p.name());
    v.set("precedence", static_cast<long long>(p.precedence()));
    v.set("calendar_id", p.calendar_id());
    v.set("warning_percent", static_cast<long long>(p.warning_percent()));
    v.set("rules", crm::servicedesk::EncodeRules(rules));
    v.set("create_time", static_cast<long long>(crm::TimestampToMicros(p.create_time())));
    v.set("update_time", static_cast<long long>(crm::TimestampToMicros(p.update_time())));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

constexpr char kSelectCalendar[] =
    "SELECT id, name, time_zone, rules, create_time, update_time, revision FROM business_calendars";
const std::string kSelectCalendarById = absl::StrCat(kSelectCalendar, " WHERE id = :id");
constexpr char kInsertCalendar[] =
    "INSERT INTO business_calendars (id, name, time_zone, rules, create_time, update_time, revision)"
    " VALUES (:id, :name, :time_zone, :rules, :create_time, :update_time, 1)";
constexpr char kUpdateCalendar[] =
    "UPDATE business_calendars SET name = :name, time_zone = :time_zone, rules = :rules,"
    " update_time = :update_time, revision = revision + 1 WHERE id = :id AND revision = :expected_revision";

constexpr char kSelectPolicy[] =
    "SELECT id, name, precedence, calendar_id, warning_percent, rules, create_time, update_time, revision"
    " FROM sla_policies";
const std::string kSelectPolicyById = absl::StrCat(kSelectPolicy, " WHERE id = :id");
const std::string kSelectLivePolicyById = absl::StrCat(kSelectPolicy, " WHERE id = :id AND delete_time IS NULL");
constexpr char kInsertPolicy[] =
    "INSERT INTO sla_policies (id, name, precedence, calendar_id, warning_percent, rules, create_time,"
    " update_time, delete_time, revision) VALUES (:id, :name, :precedence, :calendar_id, :warning_percent,"
    " :rules, :create_time, :update_time, NULL, 1)";
constexpr char kUpdatePolicy[] =
    "UPDATE sla_policies SET name = :name, precedence = :precedence, calendar_id = :calendar_id,"
    " warning_percent = :warning_percent, rules = :rules, update_time = :update_time,"
    " revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision AND delete_time IS NULL";
constexpr char kSoftDeletePolicy[] =
    "UPDATE sla_policies SET delete_time = :delete_time, update_time = :update_time, revision = revision + 1"
    " WHERE id = :id AND revision = :expected_revision AND delete_time IS NULL";

}  // namespace

absl::StatusOr<std::optional<crm::v1::BusinessCalendar>> CalendarStore::Find(soci::session& sql,
                                                                             const std::string& id) {
  return db::QueryOne<crm::v1::BusinessCalendar>(sql, kSelectCalendarById, id, "read calendar");
}

absl::StatusOr<std::optional<crm::v1::BusinessCalendar>> CalendarStore::FindForUpdate(db::Tx& tx,
                                                                                      const std::string& id) {
  return db::QueryOne<crm::v1::BusinessCalendar>(tx.session(), kSelectCalendarById + tx.dialect().ForUpdate(), id,
                                                 "read calendar");
}

absl::Status CalendarStore::Insert(db::Tx& tx, const crm::v1::BusinessCalendar& calendar) {
  return db::Guard("insert calendar", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertCalendar, calendar);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> CalendarStore::Update(db::Tx& tx, const crm::v1::BusinessCalendar& calendar,
                                           int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdateCalendar, calendar, expected_revision, "update calendar");
}

absl::StatusOr<std::vector<crm::v1::BusinessCalendar>> CalendarStore::List(soci::session& sql,
                                                                           const std::string& after_id, int limit) {
  db::SqlQuery q(kSelectCalendar);
  if (!after_id.empty()) q.Where("id > ?", after_id);
  q.Append(" ORDER BY id LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<crm::v1::BusinessCalendar>(sql, q, "list calendars");
}

absl::StatusOr<std::optional<crm::v1::SlaPolicy>> SlaPolicyStore::FindLive(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::SlaPolicy>(sql, kSelectLivePolicyById, id, "read SLA policy");
}

absl::StatusOr<std::optional<crm::v1::SlaPolicy>> SlaPolicyStore::FindLiveForUpdate(db::Tx& tx, const std::string& id) {
  return db::QueryOne<crm::v1::SlaPolicy>(tx.session(), kSelectLivePolicyById + tx.dialect().ForUpdate(), id,
                                          "read SLA policy");
}

absl::StatusOr<std::optional<crm::v1::SlaPolicy>> SlaPolicyStore::FindAny(soci::session& sql, const std::string& id) {
  return db::QueryOne<crm::v1::SlaPolicy>(sql, kSelectPolicyById, id, "read SLA policy");
}

absl::Status SlaPolicyStore::Insert(db::Tx& tx, const crm::v1::SlaPolicy& policy) {
  return db::Guard("insert SLA policy", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kInsertPolicy, policy);
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> SlaPolicyStore::Update(db::Tx& tx, const crm::v1::SlaPolicy& policy, int64_t expected_revision) {
  return db::ExecuteAtRevision(tx.session(), kUpdatePolicy, policy, expected_revision, "update SLA policy");
}

absl::StatusOr<bool> SlaPolicyStore::SoftDelete(db::Tx& tx, const std::string& id, absl::Time now,
                                                int64_t expected_revision) {
  bool deleted = false;
  long long now_micros = ToMicros(now);
  long long expected = expected_revision;
  absl::Status status = db::Guard("delete SLA policy", [&]() -> absl::Status {
    soci::statement statement =
        (tx.session().prepare << kSoftDeletePolicy, soci::use(now_micros, "delete_time"),
         soci::use(now_micros, "update_time"), soci::use(id, "id"), soci::use(expected, "expected_revision"));
    statement.execute(true);
    deleted = statement.get_affected_rows() == 1;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<std::vector<crm::v1::SlaPolicy>> SlaPolicyStore::ListLive(soci::session& sql,
                                                                         const std::optional<PolicyPosition>& after,
                                                                         int limit) {
  db::SqlQuery q(kSelectPolicy);
  q.Where("delete_time IS NULL");
  if (after.has_value()) {
    const long long precedence = after->precedence;
    q.Where("(precedence > ? OR (precedence = ? AND id > ?))", precedence, precedence, after->id);
  }
  q.Append(" ORDER BY precedence, id LIMIT ?", static_cast<long long>(limit));
  return db::QueryAll<crm::v1::SlaPolicy>(sql, q, "list SLA policies");
}

// sla_resolution.h

absl::StatusOr<std::optional<SlaChoice>> ChooseSlaPolicy(soci::session& sql, crm::v1::AccountTier tier,
                                                         crm::v1::TicketPriority priority, absl::string_view category) {
  // Policies are configuration (a handful), so the first match is found in precedence order here
  // rather than with one SQL predicate per rule.
  absl::StatusOr<std::vector<crm::v1::SlaPolicy>> live =
      SlaPolicyStore::ListLive(sql, std::nullopt, std::numeric_limits<int32_t>::max());
  if (!live.ok()) return live.status();
  for (crm::v1::SlaPolicy& policy : *live) {
    std::optional<crm::v1::SlaPriorityTarget> target = MatchPolicy(policy, tier, priority, category);
    if (target.has_value()) return std::optional<SlaChoice>(SlaChoice{std::move(policy), *std::move(target)});
  }
  return std::optional<SlaChoice>();
}

absl::StatusOr<crm::v1::SlaPolicy> LoadSlaPolicy(soci::session& sql, absl::string_view policy_id) {
  const std::string id(policy_id);
  absl::StatusOr<std::optional<crm::v1::SlaPolicy>> policy = SlaPolicyStore::FindAny(sql, id);
  if (!policy.ok()) return policy.status();
  if (!policy->has_value()) return NoSuchEntity("sla_policy_id", kSlaPolicyEntity, id);
  return **std::move(policy);
}

absl::StatusOr<BusinessCalendar> LoadBusinessCalendar(soci::session& sql, absl::string_view calendar_id) {
  const std::string id(calendar_id);
  absl::StatusOr<std::optional<crm::v1::BusinessCalendar>> calendar = CalendarStore::Find(sql, id);
  if (!calendar.ok()) return calendar.status();
  if (!calendar->has_value()) return NoSuchEntity("calendar_id", kCalendarEntity, id);
  return BusinessCalendar::Create(ToCalendarSpec(**calendar), "calendar");
}

}  // namespace crm::servicedesk
