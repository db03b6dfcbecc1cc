// The rules of escalation: manual escalation of one ticket and the sweep over due tickets.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class EscalationLogic {
 public:
  explicit EscalationLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
