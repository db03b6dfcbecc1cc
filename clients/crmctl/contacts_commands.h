// `crmctl contacts ...`: the contacts of an account.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> ContactCommands();

}  // namespace crm::crmctl
