// The rules of tickets: create, list, status flow, comments, history, SLA timers, escalation.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class TicketLogic {
 public:
  explicit TicketLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
