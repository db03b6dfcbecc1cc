// Rules for sales teams and targets, and the readers analytics uses for attainment and team
// filters. No gRPC and no SQL here.
//
// Decisions:
//  - SetTeam upserts the caller-keyed team: name, manager and members are replaced as given
//    (trimmed, repeated members dropped, order kept). Setting what is already stored writes
//    nothing and emits no event. Teams are never deleted (targets may name them).
//  - SetTarget sets the quota of exactly one owner or one team for one inclusive period. A target
//    of the same subject and exactly the same period is replaced in place (its id is kept);
//    overlapping but different periods are separate targets (a month inside a quarter). The id
//    in the request is ignored. A quota of zero is allowed.
//  - The quota must be convertible to the base currency: the base itself or a currency with a
//    configured rate, else FAILED_PRECONDITION naming target.quota.currency_code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// For analytics, on its read session:
//
// The targets overlapping the inclusive day-number period [from_day, to_day] (either end open
// when nullopt) of `owner`, or of team `team_id`, or of every owner and team when both are
// empty; ordered by period start. Quotas are in the currency they were set in: convert them
// with the sales settings' CurrencyConverter before adding them up.
absl::StatusOr<std::vector<crm::v1::Target>> TargetsOverlapping(soci::session& sql, const std::string& owner,
                                                                const std::string& team_id,
                                                                std::optional<int64_t> from_day,
                                                                std::optional<int64_t> to_day);
// The members of team `team_id` in their listed order; nullopt when there is no such team (an
// analytics filter naming it should answer NOT_FOUND).
absl::StatusOr<std::optional<std::vector<std::string>>> TeamMembers(soci::session& sql, const std::string& team_id);

class TargetLogic {
 public:
  explicit TargetLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Team> SetTeam(const server::CallContext& call, const crm::v1::SetTeamRequest& request);
  absl::StatusOr<crm::v1::ListTeamsResponse> ListTeams(const server::CallContext& call,
                                                       const crm::v1::ListTeamsRequest& request);
  absl::StatusOr<crm::v1::Target> SetTarget(const server::CallContext& call,
                                            const crm::v1::SetTargetRequest& request);
  absl::StatusOr<crm::v1::ListTargetsResponse> ListTargets(const server::CallContext& call,
                                                           const crm::v1::ListTargetsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
