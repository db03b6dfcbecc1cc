#include "services/pipeline/target_logic.h"

#include <soci/soci.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/money.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/pipeline/target_store.h"

namespace crm::pipeline {
namespace {

using crm::v1::Target;
using crm::v1::Team;

constexpr char kTeamEntity[] = "team";
constexpr char kTargetEntity[] = "target";
constexpr char kTargetIdPrefix[] = "tgt";
constexpr int kMaxTeamMembers = 1000;


// Trims every text and drops repeated members (the first mention keeps its place).
void NormaliseTeam(Team& team) {
  team.set_name(Trimmed(team.name()));
  team.set_manager(Trimmed(team.manager()));
  absl::flat_hash_set<std::string> seen;
  google::protobuf::RepeatedPtrField<std::string> members;
  for (const std::string& member : team.members()) {
    std::string trimmed = Trimmed(member);
    if (seen.insert(trimmed).second) *members.Add() = std::move(trimmed);
  }
  team.mutable_members()->Swap(&members);
}

absl::Status ValidateTeam(const Team& team) {
  Validator v;
  v.RequiredId(team.id(), "team.id");
  v.RequiredText(team.name(), "team.name", kMaxNameLength);
  v.OptionalText(team.manager(), "team.manager", kMaxShortTextLength);
  v.Check(team.members_size() <= kMaxTeamMembers, "team.members",
          absl::StrCat("at most ", kMaxTeamMembers, " members"));
  for (int i = 0; i < team.members_size() && i < kMaxTeamMembers; ++i) {
    v.RequiredText(team.members(i), absl::StrCat("team.members[", i, "]"), kMaxShortTextLength);
  }
  return v.status();
}

// Checks a target as SetTarget receives it (owner already trimmed). Collects all violations.
absl::Status ValidateTarget(const Target& t) {
  Validator v;
  const bool has_owner = !t.owner().empty();
  const bool has_team = !t.team_id().empty();
  v.Check(has_owner || has_team, "target.owner", "an owner or a team_id is required");
  v.Check(!(has_owner && has_team), "target.owner", "a target belongs to an owner or a team, not both");
  v.OptionalText(t.owner(), "target.owner", kMaxShortTextLength);
  if (has_team) v.RequiredId(t.team_id(), "target.team_id");
  v.Check(t.has_period_start(), "target.period_start", "is required");
  v.Check(t.has_period_end(), "target.period_end", "is required");
  const bool start_ok = t.has_period_start() && IsValidDate(t.period_start());
  const bool end_ok = t.has_period_end() && IsValidDate(t.period_end());
  if (t.has_period_start()) v.Check(start_ok, "target.period_start", "is not a valid calendar date");
  if (t.has_period_end()) v.Check(end_ok, "target.period_end", "is not a valid calendar date");
  if (start_ok && end_ok) {
    v.Check(*DayNumberFromDate(t.period_start(), "") <= *DayNumberFromDate(t.period_end(), ""), "target.period_end",
            "must not be before period_start");
  }
  v.Check(t.has_quota(), "target.quota", "is required");
  if (t.has_quota()) {
    for (const FieldViolation& violation : MoneyViolations(t.quota(), "target.quota", false)) {
      v.Check(false, violation.field, violation.description);
    }
  }
  return v.status();
}

// An inclusive date range of a list filter: each end optional, valid, and from ≤ to.
absl::Status ReadPeriodFilter(const crm::v1::Date& from, bool has_from, const crm::v1::Date& to, bool has_to,
                              std::optional<int64_t>* from_day, std::optional<int64_t>* to_day) {
  Validator v;
  if (has_from) v.Check(IsValidDate(from), "from", "is not a valid calendar date");
  if (has_to) v.Check(IsValidDate(to), "to", "is not a valid calendar date");
  if (!v.ok()) return v.status();
  if (has_from) *from_day = *DayNumberFromDate(from, "from");
  if (has_to) *to_day = *DayNumberFromDate(to, "to");
  if (from_day->has_value() && to_day->has_value() && **to_day < **from_day) {
    return InvalidField("to", "must not be before from");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Target>> TargetsOverlapping(soci::session& sql, const std::string& owner,
                                                       const std::string& team_id, std::optional<int64_t> from_day,
                                                       std::optional<int64_t> to_day) {
  TargetQuery query;
  query.owner = owner;
  query.team_id = team_id;
  query.from_day = from_day;
  query.to_day = to_day;
  return TargetStore::ListTargets(sql, query);
}

absl::StatusOr<std::optional<std::vector<std::string>>> TeamMembers(soci::session& sql, const std::string& team_id) {
  absl::StatusOr<std::optional<Team>> team = TargetStore::FindTeam(sql, team_id);
  if (!team.ok()) return team.status();
  if (!team->has_value()) return std::optional<std::vector<std::string>>();
  return std::optional<std::vector<std::string>>(
      std::vector<std::string>((*team)->members().begin(), (*team)->members().end()));
}

absl::StatusOr<Team> TargetLogic::SetTeam(const server::CallContext& call, const crm::v1::SetTeamRequest& request) {
  if (!request.has_team()) return InvalidField("team", "is required");
  Team team = request.team();
  NormaliseTeam(team);
  if (absl::Status valid = ValidateTeam(team); !valid.ok()) return valid;

  const absl::Time now = rt_.clock->Now();
  Team result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<Team>> before = TargetStore::FindTeamForUpdate(tx, team.id());
        if (!before.ok()) return before.status();
        const Team* previous = before->has_value() ? &**before : nullptr;
        std::vector<FieldDelta> deltas = DiffMessages(previous, team);
        // Setting a team to what it already is writes nothing and announces nothing.
        if (previous != nullptr && deltas.empty()) {
          result = *previous;
          return absl::OkStatus();
        }
        if (absl::Status s = TargetStore::SaveTeam(tx, team, previous != nullptr, now); !s.ok()) return s;
        result = team;
        return rt_.outbox->AppendChange(tx, "team.set", kTeamEntity, team.id(),
                                        previous != nullptr ? crm::v1::CHANGE_KIND_UPDATED
                                                            : crm::v1::CHANGE_KIND_CREATED,
                                        deltas, team.manager(), call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<crm::v1::ListTeamsResponse> TargetLogic::ListTeams(const server::CallContext& call,
                                                                  const crm::v1::ListTeamsRequest&) {
  absl::StatusOr<std::vector<Team>> teams =
      db::ReadValue(*rt_.db, call.deadline, [](soci::session& sql) { return TargetStore::ListTeams(sql); });
  if (!teams.ok()) return teams.status();
  crm::v1::ListTeamsResponse response;
  for (Team& team : *teams) *response.add_teams() = std::move(team);
  return response;
}

absl::StatusOr<Target> TargetLogic::SetTarget(const server::CallContext& call,
                                              const crm::v1::SetTargetRequest& request) {
  if (!request.has_target()) return InvalidField("target", "is required");
  Target target = request.target();
  target.set_owner(Trimmed(target.owner()));
  if (absl::Status valid = ValidateTarget(target); !valid.ok()) return valid;
  // Canonical forms, so that a replacement with the same values is recognised as no change.
  absl::StatusOr<Amount> quota = AmountFromMoney(target.quota(), "target.quota");
  if (!quota.ok()) return quota.status();
  *target.mutable_quota() = MoneyFromAmount(*quota);
  const int64_t start = *DayNumberFromDate(target.period_start(), "target.period_start");
  const int64_t end = *DayNumberFromDate(target.period_end(), "target.period_end");
  *target.mutable_period_start() = DateFromDayNumber(start);
  *target.mutable_period_end() = DateFromDayNumber(end);
  target.clear_id();  // server-assigned; the subject and period identify a target

  const absl::Time now = rt_.clock->Now();
  Target result;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        // Team targets concern the team's manager; owner targets their owner.
        std::string user = target.owner();
        if (!target.team_id().empty()) {
          // Locked so the team cannot change under the target being set.
          absl::StatusOr<std::optional<Team>> team = TargetStore::FindTeamForUpdate(tx, target.team_id());
          if (!team.ok()) return team.status();
          if (!team->has_value()) return NoSuchEntity("target.team_id", kTeamEntity, target.team_id());
          user = (*team)->manager();
        }
        // Quotas are compared with won amounts in the base currency: one that could never be
        // converted is refused now rather than failing every attainment report later.
        absl::StatusOr<SalesConfig> config = LoadSalesConfig(tx.session());
        if (!config.ok()) return config.status();
        if (!config->converter.HasRate(quota->currency)) {
          return FailedPreconditionField(
              "target.quota.currency_code",
              absl::StrCat("no exchange rate to the base currency ", config->base_currency(), " is configured for ",
                           quota->currency));
        }
        absl::StatusOr<std::optional<Target>> existing =
            TargetStore::FindTargetForUpdate(tx, target.owner(), target.team_id(), start, end);
        if (!existing.ok()) return existing.status();
        Target after = target;
        if (existing->has_value()) {
          const Target& before = **existing;
          after.set_id(before.id());
          std::vector<FieldDelta> deltas = DiffMessages(&before, after);
          if (deltas.empty()) {
            result = before;
            return absl::OkStatus();
          }
          if (absl::Status s = TargetStore::UpdateTargetQuota(tx, after, now); !s.ok()) return s;
          result = after;
          return rt_.outbox->AppendChange(tx, "target.set", kTargetEntity, after.id(), crm::v1::CHANGE_KIND_UPDATED,
                                          deltas, user, call.actor, call.correlation_id, now);
        }
        after.set_id(NewIdAt(kTargetIdPrefix, now));
        if (absl::Status s = TargetStore::InsertTarget(tx, after, now); !s.ok()) return s;
        result = after;
        return rt_.outbox->AppendChange(tx, "target.set", kTargetEntity, after.id(), crm::v1::CHANGE_KIND_CREATED,
                                        DiffMessages(nullptr, after), user, call.actor, call.correlation_id, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<crm::v1::ListTargetsResponse> TargetLogic::ListTargets(const server::CallContext& call,
                                                                      const crm::v1::ListTargetsRequest& request) {
  Validator v;
  v.OptionalText(request.owner(), "owner", kMaxShortTextLength);
  if (!request.team_id().empty()) v.RequiredId(request.team_id(), "team_id");
  v.Check(request.owner().empty() || request.team_id().empty(), "team_id",
          "filter by an owner or by a team, not both");
  if (!v.ok()) return v.status();
  TargetQuery query;
  query.owner = request.owner();
  query.team_id = request.team_id();
  if (absl::Status s = ReadPeriodFilter(request.from(), request.has_from(), request.to(), request.has_to(),
                                        &query.from_day, &query.to_day);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<Target>> targets = db::ReadValue(
      *rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<Target>> {
        // A team filter names a team: an unknown one is NOT_FOUND, not an empty list.
        if (!query.team_id.empty()) {
          absl::StatusOr<std::optional<Team>> team = TargetStore::FindTeam(sql, query.team_id);
          if (!team.ok()) return team.status();
          if (!team->has_value()) return NoSuchEntity("team_id", kTeamEntity, query.team_id);
        }
        return TargetStore::ListTargets(sql, query);
      });
  if (!targets.ok()) return targets.status();
  crm::v1::ListTargetsResponse response;
  for (Target& target : *targets) *response.add_targets() = std::move(target);
  return response;
}

}  // namespace crm::pipeline
