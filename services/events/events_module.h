// EventService as a server module.
#pragma once

#include "common/server/runtime.h"

namespace crm::events {

server::ModuleSpec EventsModule();

}  // namespace crm::events
