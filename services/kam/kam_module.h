// KeyAccountService as a server module: its schema, handler and background jobs.
#pragma once

#include "common/server/runtime.h"

namespace crm::kam {

server::ModuleSpec KamModule();

}  // namespace crm::kam
