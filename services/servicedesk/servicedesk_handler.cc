#include "services/servicedesk/servicedesk_handler.h"

namespace crm::servicedesk {

ServiceDeskHandler::ServiceDeskHandler(const server::Runtime& runtime)
    : rt_(runtime), tickets_(runtime), escalations_(runtime), sla_(runtime), knowledge_(runtime), surveys_(runtime), metrics_(runtime) {}

}  // namespace crm::servicedesk
