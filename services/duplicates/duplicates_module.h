// DuplicateService as a module of a server host.
#pragma once

#include "common/server/runtime.h"

namespace crm::duplicates {

server::ModuleSpec DuplicatesModule();

}  // namespace crm::duplicates
