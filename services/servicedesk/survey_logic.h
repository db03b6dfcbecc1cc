// The rules of satisfaction surveys of resolved tickets.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

class SurveyLogic {
 public:
  explicit SurveyLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
