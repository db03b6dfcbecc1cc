// The list of every service module, for crm-server and the tests.
#pragma once

#include <vector>

#include "common/server/runtime.h"

namespace crm {

std::vector<server::ModuleSpec> AllModules();

}  // namespace crm
