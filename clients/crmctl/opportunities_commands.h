// `crmctl opportunities ...`: opportunities, their moves through the stages, closing and history.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> OpportunityCommands();

}  // namespace crm::crmctl
