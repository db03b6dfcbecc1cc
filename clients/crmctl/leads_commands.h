// `crmctl leads ...`: leads, their qualification and their conversion into account, contact and
// opportunity.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> LeadCommands();

}  // namespace crm::crmctl
