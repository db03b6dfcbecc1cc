#include "services/servicedesk/metrics_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"
#include "services/servicedesk/ticket_store.h"

namespace soci {

namespace {

crm::servicedesk::MetricsGroupKey KeyOf(const values& v) {
  return crm::servicedesk::MetricsGroupKey{crm::db::GetInt64(v, "key_number"), crm::db::GetString(v, "key_text")};
}

}  // namespace

template <>
struct type_conversion<crm::servicedesk::MetricsCounts> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::servicedesk::MetricsCounts& c) {
    using crm::db::GetInt64;
    c.key = KeyOf(v);
    c.created = GetInt64(v, "created");
    c.resolved = GetInt64(v, "resolved");
    c.first_response_met = GetInt64(v, "first_response_met");
    c.first_response_breached = GetInt64(v, "first_response_breached");
    c.resolution_met = GetInt64(v, "resolution_met");
    c.resolution_breached = GetInt64(v, "resolution_breached");
    c.surveys = GetInt64(v, "surveys");
    c.score_sum = GetInt64(v, "score_sum");
  }
};

template <>
struct type_conversion<crm::servicedesk::TicketDurations> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::servicedesk::TicketDurations& d) {
    using crm::db::GetInt64;
    using crm::db::IsNull;
    d.key = KeyOf(v);
    const absl::Time created = crm::FromMicros(GetInt64(v, "create_time"));
    d.first_response.reset();
    d.resolution.reset();
    if (!IsNull(v, "first_response_time")) {
      d.first_response = crm::FromMicros(GetInt64(v, "first_response_time")) - created;
    }
    if (!IsNull(v, "resolve_time")) d.resolution = crm::FromMicros(GetInt64(v, "resolve_time")) - created;
  }
};

template <>
struct type_conversion<crm::servicedesk::MetricsGroupCount> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::servicedesk::MetricsGroupCount& c) {
    c.key = KeyOf(v);
    c.count = crm::db::GetInt64(v, "escalation_count");
  }
};

template <>
struct type_conversion<crm::servicedesk::BacklogRow> {
  typedef values base_type;
  static void from_base(const values& v, indicator, crm::servicedesk::BacklogRow& b) {
    using crm::db::GetInt64;
    b.priority = GetInt64(v, "priority");
    b.open = GetInt64(v, "open_count");
    b.breached = GetInt64(v, "breached_count");
  }
};

}  // namespace soci

namespace crm::servicedesk {
namespace {

// Proto numbers (ticket_schema.cc stores enums as numbers).
constexpr long long kChangeEscalated = crm::v1::TICKET_CHANGE_KIND_ESCALATED;

// Each `?` takes `now` (microseconds).
constexpr char kCountsColumns[] =
    ", COUNT(*) AS created,"
    " COUNT(t.resolve_time) AS resolved,"
    " COUNT(CASE WHEN t.first_response_minutes > 0 AND t.first_response_time IS NOT NULL"
    "   AND t.first_response_breached = 0 THEN 1 END) AS first_response_met,"
    " COUNT(CASE WHEN t.first_response_breached = 1"
    "   OR (t.first_response_time IS NULL AND t.first_response_due < ?) THEN 1 END) AS first_response_breached,"
    " COUNT(CASE WHEN t.resolution_minutes > 0 AND t.resolve_time IS NOT NULL"
    "   AND t.resolution_breached = 0 THEN 1 END) AS resolution_met,"
    " COUNT(CASE WHEN t.resolution_breached = 1"
    "   OR (t.resolve_time IS NULL AND t.resolution_due < ?) THEN 1 END) AS resolution_breached,"
    " COUNT(s.ticket_id) AS surveys,"
    " COALESCE(SUM(s.score), 0) AS score_sum"
    " FROM tickets t LEFT JOIN satisfaction_surveys s ON s.ticket_id = t.id";

constexpr char kDurationsColumns[] =
    ", t.create_time AS create_time, t.first_response_time AS first_response_time,"
    " t.resolve_time AS resolve_time FROM tickets t";

constexpr char kEscalationsColumns[] =
    ", COUNT(*) AS escalation_count FROM ticket_history h JOIN tickets t ON t.id = h.ticket_id";

// The group key as two columns (key_number, key_text) and the GROUP BY that goes with it. Fixed
// fragments chosen by the enum: nothing from the request reaches the SQL text.
struct Grouping {
  const char* key_columns;
  const char* group_by;  // "" = one group
};

Grouping GroupingFor(crm::v1::MetricsGrouping grouping) {
  switch (grouping) {
    case crm::v1::METRICS_GROUPING_TIER:
      return {"SELECT t.account_tier AS key_number, '' AS key_text", " GROUP BY t.account_tier"};
    case crm::v1::METRICS_GROUPING_AGENT:
      return {"SELECT 0 AS key_number, t.assignee AS key_text", " GROUP BY t.assignee"};
    case crm::v1::METRICS_GROUPING_PRIORITY:
      return {"SELECT t.priority AS key_number, '' AS key_text", " GROUP BY t.priority"};
    default:
      return {"SELECT 0 AS key_number, '' AS key_text", ""};
  }
}

// Ungrouped selects carry the key columns too, which are then constants.
Grouping KeyColumnsOnly(crm::v1::MetricsGrouping grouping) {
  Grouping g = GroupingFor(grouping);
  g.group_by = "";
  return g;
}

void ApplyTierAndAgent(db::SqlQuery& q, const MetricsFilter& filter) {
  if (filter.tier != crm::v1::ACCOUNT_TIER_UNSPECIFIED) {
    q.Where("t.account_tier = ?", static_cast<long long>(filter.tier));
  }
  if (!filter.agent.empty()) q.Where("t.assignee = ?", filter.agent);
}

void ApplyFilter(db::SqlQuery& q, const MetricsFilter& filter) {
  if (filter.created_from.has_value())
    q.Where("t.create_time >= ?", static_cast<long long>(ToMicros(*filter.created_from)));
  if (filter.created_before.has_value()) {
    q.Where("t.create_time < ?", static_cast<long long>(ToMicros(*filter.created_before)));
  }
  ApplyTierAndAgent(q, filter);
}

}  // namespace

absl::StatusOr<std::vector<MetricsCounts>> MetricsStore::Counts(soci::session& sql, const MetricsFilter& filter,
                                                                crm::v1::MetricsGrouping grouping, absl::Time now) {
  const Grouping g = GroupingFor(grouping);
  const long long now_micros = ToMicros(now);
  db::SqlQuery q("");
  q.Append(g.key_columns).Append(kCountsColumns, now_micros, now_micros);
  ApplyFilter(q, filter);
  q.Append(g.group_by);
  return db::QueryAll<MetricsCounts>(sql, q, "count tickets for metrics");
}

absl::StatusOr<std::vector<TicketDurations>> MetricsStore::Durations(soci::session& sql, const MetricsFilter& filter,
                                                                     crm::v1::MetricsGrouping grouping) {
  const Grouping g = KeyColumnsOnly(grouping);
  db::SqlQuery q("");
  q.Append(g.key_columns).Append(kDurationsColumns);
  ApplyFilter(q, filter);
  q.Where("(t.first_response_time IS NOT NULL OR t.resolve_time IS NOT NULL)");
  return db::QueryAll<TicketDurations>(sql, q, "read ticket durations for metrics");
}

absl::StatusOr<std::vector<MetricsGroupCount>> MetricsStore::Escalations(soci::session& sql,
                                                                         const MetricsFilter& filter,
                                                                         crm::v1::MetricsGrouping grouping) {
  const Grouping g = GroupingFor(grouping);
  db::SqlQuery q("");
  q.Append(g.key_columns).Append(kEscalationsColumns);
  q.Where("h.kind = ?", kChangeEscalated);
  ApplyFilter(q, filter);
  q.Append(g.group_by);
  return db::QueryAll<MetricsGroupCount>(sql, q, "count escalations for metrics");
}

absl::StatusOr<std::vector<BacklogRow>> MetricsStore::Backlog(soci::session& sql, const MetricsFilter& filter,
                                                              absl::Time now) {
  const long long now_micros = ToMicros(now);
  db::SqlQuery q("");
  q.Append(absl::StrCat("SELECT t.priority AS priority, COUNT(*) AS open_count, COUNT(CASE WHEN ",
                        TicketBreachedPredicate("t"), " THEN 1 END) AS breached_count FROM tickets t"),
           now_micros, now_micros);
  WhereTicketOpen(q, "t");
  ApplyTierAndAgent(q, filter);
  q.Append(" GROUP BY t.priority ORDER BY t.priority");
  return db::QueryAll<BacklogRow>(sql, q, "count backlog for metrics");
}

}  // namespace crm::servicedesk
