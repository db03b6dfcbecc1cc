// ServiceDeskService as a server module: its schema, handler and background jobs.
#pragma once

#include "common/server/runtime.h"

namespace crm::servicedesk {

server::ModuleSpec ServiceDeskModule();

}  // namespace crm::servicedesk
