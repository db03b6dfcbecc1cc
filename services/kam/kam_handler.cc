#include "services/kam/kam_handler.h"

namespace crm::kam {

KeyAccountHandler::KeyAccountHandler(const server::Runtime& runtime, ReclassifyLogic& reclassify, PlanLogic& plans)
    : rt_(runtime),
      reclassify_(reclassify),
      plans_(plans),
      models_(runtime),
      classifications_(runtime),
      policies_(runtime),
      risks_(runtime),
      summaries_(runtime) {}

}  // namespace crm::kam
