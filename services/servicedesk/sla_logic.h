// The rules of business calendars and SLA policies.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class SlaLogic {
 public:
  explicit SlaLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
