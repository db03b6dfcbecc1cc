// `crmctl interactions ...`: the communication log (append-only).
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> InteractionCommands();

}  // namespace crm::crmctl
