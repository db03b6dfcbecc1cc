// AccountService as a server module: its schema, handler and background jobs.
#pragma once

#include "common/server/runtime.h"

namespace crm::accounts {

server::ModuleSpec AccountsModule();

}  // namespace crm::accounts
