#include "services/pipeline/target_store.h"

#include <soci/soci.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/money.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row.h"
#include "common/db/sql_error.h"

namespace soci {

// The one mapping between a sales_teams row and crm.v1.Team (members live in their own table).
template <>
struct type_conversion<crm::v1::Team> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Team& t) {
    using crm::db::GetString;
    t.Clear();
    t.set_id(GetString(v, "id"));
    t.set_name(GetString(v, "name"));
    t.set_manager(GetString(v, "manager"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Team& t, Values& v, indicator& ind) {
    v.set("id", t.id());
    v.set("name", t.name());
    v.set("manager", t.manager());
    ind = i_ok;
  }
};

// The one mapping between a sales_targets row and crm.v1.Target. Written only from validated
// targets, so the period dates and the quota convert.
template <>
struct type_conversion<crm::v1::Target> {
  typedef values base_type;

  static void from_base(const values& v, indicator, crm::v1::Target& t) {
    using crm::db::GetInt64;
    using crm::db::GetString;
    t.Clear();
    t.set_id(GetString(v, "id"));
    t.set_owner(GetString(v, "owner"));
    t.set_team_id(GetString(v, "team_id"));
    *t.mutable_period_start() = crm::DateFromDayNumber(GetInt64(v, "period_start"));
    *t.mutable_period_end() = crm::DateFromDayNumber(GetInt64(v, "period_end"));
    *t.mutable_quota() = crm::MoneyFromMicros(GetString(v, "quota_currency"), GetInt64(v, "quota_micros"));
  }

  template <typename Values>  // soci::values, or db::NamedParameters (common/db/named_parameters.h)
  static void to_base(const crm::v1::Target& t, Values& v, indicator& ind) {
    const crm::Amount quota = crm::AmountFromMoney(t.quota(), "quota").value_or(crm::Amount());
    v.set("id", t.id());
    v.set("owner", t.owner());
    v.set("team_id", t.team_id());
    v.set("period_start", static_cast<long long>(crm::DayNumberFromDate(t.period_start(), "").value_or(0)));
    v.set("period_end", static_cast<long long>(crm::DayNumberFromDate(t.period_end(), "").value_or(0)));
    v.set("quota_currency", quota.currency);
    v.set("quota_micros", static_cast<long long>(quota.micros));
    ind = i_ok;
  }
};

}  // namespace soci

namespace crm::pipeline {
namespace {

using crm::v1::Target;
using crm::v1::Team;

constexpr char kSelectTeam[] = "SELECT id, name, manager FROM sales_teams";
const std::string kSelectTeamById = absl::StrCat(kSelectTeam, " WHERE id = :id");
constexpr char kInsertTeam[] =
    "INSERT INTO sales_teams (id, name, manager, create_time, update_time, revision)"
    " VALUES (:id, :name, :manager, :create_time, :update_time, 1)";
constexpr char kUpdateTeam[] =
    "UPDATE sales_teams SET name = :name, manager = :manager, update_time = :update_time,"
    " revision = revision + 1 WHERE id = :id";
constexpr char kSelectMembersOfTeam[] =
    "SELECT member_name FROM sales_team_members WHERE team_id = :team_id ORDER BY ordinal";
constexpr char kSelectAllMembers[] =
    "SELECT team_id, member_name FROM sales_team_members ORDER BY team_id, ordinal";
constexpr char kDeleteMembers[] = "DELETE FROM sales_team_members WHERE team_id = :team_id";
constexpr char kInsertMember[] =
    "INSERT INTO sales_team_members (team_id, ordinal, member_name) VALUES (:team_id, :ordinal, :member_name)";

constexpr char kTargetColumns[] = "id, owner, team_id, period_start, period_end, quota_currency, quota_micros";
const std::string kSelectTarget = absl::StrCat("SELECT ", kTargetColumns, " FROM sales_targets");
const std::string kSelectTargetBySubject =
    kSelectTarget +
    " WHERE owner = :owner AND team_id = :team_id AND period_start = :period_start AND period_end = :period_end";
constexpr char kInsertTarget[] =
    "INSERT INTO sales_targets (id, owner, team_id, period_start, period_end, quota_currency, quota_micros,"
    " create_time, update_time, revision) VALUES (:id, :owner, :team_id, :period_start, :period_end,"
    " :quota_currency, :quota_micros, :create_time, :update_time, 1)";
constexpr char kUpdateTargetQuota[] =
    "UPDATE sales_targets SET quota_currency = :quota_currency, quota_micros = :quota_micros,"
    " update_time = :update_time, revision = revision + 1 WHERE id = :id";

absl::StatusOr<std::optional<Team>> LoadTeam(soci::session& sql, const std::string& sql_text, const std::string& id) {
  absl::StatusOr<std::optional<Team>> team = db::QueryOne<Team>(sql, sql_text, id, "read team");
  if (!team.ok() || !team->has_value()) return team;
  absl::Status members = db::Guard("read team members", [&]() -> absl::Status {
    soci::rowset<std::string> rows = (sql.prepare << kSelectMembersOfTeam, soci::use(id, "team_id"));
    for (const std::string& member : rows) (*team)->add_members(member);
    return absl::OkStatus();
  });
  if (!members.ok()) return members;
  return team;
}

// A unique-key violation on insert means a concurrent twin committed first: run the
// transaction again so it finds that row and updates it instead.
absl::Status RetryOnLostInsertRace(absl::Status status, absl::string_view what) {
  if (absl::IsAlreadyExists(status)) return db::RetryTransaction(what);
  return status;
}

}  // namespace

absl::StatusOr<std::optional<Team>> TargetStore::FindTeam(soci::session& sql, const std::string& id) {
  return LoadTeam(sql, kSelectTeamById, id);
}

absl::StatusOr<std::optional<Team>> TargetStore::FindTeamForUpdate(db::Tx& tx, const std::string& id) {
  return LoadTeam(tx.session(), kSelectTeamById + tx.dialect().ForUpdate(), id);
}

absl::Status TargetStore::SaveTeam(db::Tx& tx, const Team& team, bool exists, absl::Time now) {
  long long now_micros = ToMicros(now);
  absl::Status row = db::Guard("save team", [&]() -> absl::Status {
    if (exists) {
      db::ExecuteRow(tx.session(), kUpdateTeam, team, {{"update_time", now_micros}});
    } else {
      db::ExecuteRow(tx.session(), kInsertTeam, team, {{"create_time", now_micros}, {"update_time", now_micros}});
    }
    return absl::OkStatus();
  });
  if (!row.ok()) return RetryOnLostInsertRace(row, "team insert race");
  return db::Guard("save team members", [&]() -> absl::Status {
    tx.session() << kDeleteMembers, soci::use(team.id(), "team_id");
    long long ordinal = 0;
    std::string member;
    soci::statement insert = (tx.session().prepare << kInsertMember, soci::use(team.id(), "team_id"),
                              soci::use(ordinal, "ordinal"), soci::use(member, "member_name"));
    for (const std::string& m : team.members()) {
      member = m;
      insert.execute(true);
      ++ordinal;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Team>> TargetStore::ListTeams(soci::session& sql) {
  absl::StatusOr<std::vector<Team>> teams = db::QueryAll<Team>(sql, db::SqlQuery(kSelectTeam).Append(" ORDER BY id"),
                                                               "list teams");
  if (!teams.ok()) return teams;
  std::map<std::string, Team*> by_id;
  for (Team& team : *teams) by_id[team.id()] = &team;
  absl::Status members = db::Guard("list team members", [&]() -> absl::Status {
    soci::rowset<soci::row> rows = sql.prepare << kSelectAllMembers;
    for (const soci::row& row : rows) {
      auto it = by_id.find(db::GetString(row, 0));
      if (it != by_id.end()) it->second->add_members(db::GetString(row, 1));
    }
    return absl::OkStatus();
  });
  if (!members.ok()) return members;
  return teams;
}

absl::StatusOr<std::optional<Target>> TargetStore::FindTargetForUpdate(db::Tx& tx, const std::string& owner,
                                                                       const std::string& team_id,
                                                                       int64_t period_start, int64_t period_end) {
  Target row;
  bool found = false;
  long long start = period_start, end = period_end;
  absl::Status status = db::Guard("read target", [&]() -> absl::Status {
    tx.session() << kSelectTargetBySubject + tx.dialect().ForUpdate(), soci::use(owner, "owner"),
        soci::use(team_id, "team_id"), soci::use(start, "period_start"), soci::use(end, "period_end"),
        soci::into(row);
    found = tx.session().got_data();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!found) return std::optional<Target>();
  return std::optional<Target>(std::move(row));
}

absl::Status TargetStore::InsertTarget(db::Tx& tx, const Target& target, absl::Time now) {
  long long now_micros = ToMicros(now);
  return RetryOnLostInsertRace(db::Guard("insert target",
                                         [&]() -> absl::Status {
                                           db::ExecuteRow(tx.session(), kInsertTarget, target,
                                                          {{"create_time", now_micros}, {"update_time", now_micros}});
                                           return absl::OkStatus();
                                         }),
                               "target insert race");
}

absl::Status TargetStore::UpdateTargetQuota(db::Tx& tx, const Target& target, absl::Time now) {
  long long now_micros = ToMicros(now);
  return db::Guard("update target", [&]() -> absl::Status {
    db::ExecuteRow(tx.session(), kUpdateTargetQuota, target, {{"update_time", now_micros}});
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Target>> TargetStore::ListTargets(soci::session& sql, const TargetQuery& query) {
  db::SqlQuery q(kSelectTarget);
  if (!query.owner.empty()) q.Where("owner = ?", query.owner);
  if (!query.team_id.empty()) q.Where("team_id = ?", query.team_id);
  if (query.to_day.has_value()) q.Where("period_start <= ?", static_cast<long long>(*query.to_day));
  if (query.from_day.has_value()) q.Where("period_end >= ?", static_cast<long long>(*query.from_day));
  q.Append(" ORDER BY period_start, period_end, owner, team_id, id");
  return db::QueryAll<Target>(sql, q, "list targets");
}

}  // namespace crm::pipeline
