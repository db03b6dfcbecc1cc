#include "services/pipeline/analytics_filter.h"

#include <algorithm>

#include "common/core/date_util.h"
#include "common/core/errors.h"
#include "services/pipeline/campaign_store.h"
#include "services/pipeline/pipelines_logic.h"
#include "services/pipeline/target_logic.h"

namespace crm::pipeline {

absl::StatusOr<AnalyticsScope> ParseAnalyticsFilter(const crm::v1::AnalyticsFilter& filter, PeriodOf period_of,
                                                    const OwnerScope& caller) {
  AnalyticsScope scope;
  scope.period_of = period_of;
  if (filter.has_period_start()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(filter.period_start(), "filter.period_start");
    if (!day.ok()) return day.status();
    scope.from_day = *day;
  }
  if (filter.has_period_end()) {
    absl::StatusOr<int64_t> day = DayNumberFromDate(filter.period_end(), "filter.period_end");
    if (!day.ok()) return day.status();
    scope.to_day = *day;
  }
  if (scope.from_day.has_value() && scope.to_day.has_value() && *scope.from_day > *scope.to_day) {
    return InvalidField("filter.period_end", "the period ends before it starts");
  }
  if (!crm::v1::LeadChannel_IsValid(filter.source_channel())) {
    return InvalidField("filter.source_channel", "not a known lead channel");
  }
  if (!filter.owner().empty() && !filter.team_id().empty()) {
    return InvalidField("filter.team_id", "give either an owner or a team, not both");
  }
  scope.owner = filter.owner();
  absl::StatusOr<std::optional<std::vector<std::string>>> visible = caller.ListOwners(filter.owner(), "filter.owner");
  if (!visible.ok()) return visible.status();
  // A team filter is narrowed to the caller's owners once its members are known.
  if (filter.owner().empty()) scope.owners = *std::move(visible);
  scope.region = filter.region();
  scope.industry = filter.industry();
  scope.source_channel = filter.source_channel();
  scope.source_campaign_id = filter.source_campaign_id();
  return scope;
}

absl::StatusOr<AnalyticsSetting> ResolveAnalyticsScope(soci::session& sql, const crm::v1::AnalyticsFilter& filter,
                                                       AnalyticsScope* scope) {
  crm::v1::Pipeline pipeline;
  if (filter.pipeline_id().empty()) {
    absl::StatusOr<crm::v1::Pipeline> by_default = FindDefaultPipeline(sql);
    if (!by_default.ok()) return by_default.status();
    pipeline = *std::move(by_default);
  } else {
    absl::StatusOr<std::optional<crm::v1::Pipeline>> found = FindPipeline(sql, filter.pipeline_id());
    if (!found.ok()) return found.status();
    if (!found->has_value()) return NoSuchEntity("filter.pipeline_id", "pipeline", filter.pipeline_id());
    pipeline = **std::move(found);
  }
  scope->pipeline_id = pipeline.id();
  if (!filter.team_id().empty()) {
    absl::StatusOr<std::optional<std::vector<std::string>>> members = TeamMembers(sql, filter.team_id());
    if (!members.ok()) return members.status();
    if (!members->has_value()) return NoSuchEntity("filter.team_id", "team", filter.team_id());
    std::vector<std::string> owners = **std::move(members);
    if (scope->owners) {
      // Only the members the caller may see.
      std::vector<std::string> visible;
      for (std::string& member : owners) {
        if (std::find(scope->owners->begin(), scope->owners->end(), member) != scope->owners->end()) {
          visible.push_back(std::move(member));
        }
      }
      owners = std::move(visible);
    }
    scope->owners = std::move(owners);
  }
  if (!filter.source_campaign_id().empty()) {
    absl::StatusOr<std::optional<crm::v1::Campaign>> campaign = CampaignStore::Find(sql, filter.source_campaign_id());
    if (!campaign.ok()) return campaign.status();
    if (!campaign->has_value()) return NoSuchEntity("filter.source_campaign_id", "campaign", filter.source_campaign_id());
  }
  absl::StatusOr<SalesConfig> config = LoadSalesConfig(sql);
  if (!config.ok()) return config.status();
  return AnalyticsSetting{std::move(pipeline), std::move(config->converter)};
}

}  // namespace crm::pipeline
