// `crmctl events ...`: read the change log, or follow it live.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> EventCommands();

}  // namespace crm::crmctl
