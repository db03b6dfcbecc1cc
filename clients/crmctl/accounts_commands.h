// `crmctl accounts ...`: accounts CRUD, lists, export and CSV import.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> AccountCommands();

}  // namespace crm::crmctl
