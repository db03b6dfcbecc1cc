#include "services/pipeline/analytics_store.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "common/core/date_util.h"
#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/sql_error.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

void ApplyAnalyticsScope(db::SqlQuery& q, const AnalyticsScope& scope) {
  q.Where("o.pipeline_id = ?", scope.pipeline_id);
  switch (scope.period_of) {
    case PeriodOf::kCreation:
    case PeriodOf::kClose: {
      const char* column = scope.period_of == PeriodOf::kCreation ? "o.create_time" : "o.close_time";
      if (scope.from_day.has_value()) {
        q.Where(absl::StrCat(column, " >= ?"), static_cast<long long>(ToMicros(StartOfDay(*scope.from_day))));
      }
      if (scope.to_day.has_value()) {
        q.Where(absl::StrCat(column, " < ?"), static_cast<long long>(ToMicros(StartOfDay(*scope.to_day + 1))));
      }
      break;
    }
    case PeriodOf::kExpectedClose:
      if (scope.from_day.has_value()) q.Where("o.expected_close_day >= ?", static_cast<long long>(*scope.from_day));
      if (scope.to_day.has_value()) q.Where("o.expected_close_day <= ?", static_cast<long long>(*scope.to_day));
      break;
  }
  if (!scope.owner.empty()) q.Where("o.owner = ?", scope.owner);
  if (scope.owners.has_value()) q.WhereIn("o.owner", *scope.owners);
  if (!scope.region.empty()) q.Where("a.region = ?", scope.region);
  if (!scope.industry.empty()) q.Where("a.industry = ?", scope.industry);
  if (scope.source_channel != 0) q.Where("o.source_channel = ?", static_cast<long long>(scope.source_channel));
  if (!scope.source_campaign_id.empty()) q.Where("o.source_campaign_id = ?", scope.source_campaign_id);
}

}  // namespace crm::pipeline
