// SQL shared by the analytics queries: the AnalyticsScope as predicates. The funnel's own SQL is
// in funnel_store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/money.h"
#include "services/pipeline/analytics_filter.h"

namespace soci {
class session;
}
namespace crm::db {
class SqlQuery;
}

namespace crm::pipeline {

// Adds the scope's predicates to `q`, whose FROM names opportunities `o` joined with their
// accounts `a`. Shared by every analytics query.
void ApplyAnalyticsScope(db::SqlQuery& q, const AnalyticsScope& scope);

}  // namespace crm::pipeline
