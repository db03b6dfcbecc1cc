// The service desk's background work: the escalation sweep and following account tier changes.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class TicketJobs {
 public:
  explicit TicketJobs(const server::Runtime& runtime) : rt_(runtime) {}

  void Start() {}
  void Stop() {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
