// The rules of service metrics by period, tier and agent.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class MetricsLogic {
 public:
  explicit MetricsLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
