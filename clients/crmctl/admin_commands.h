// `crmctl whoami`, `crmctl users ...` and `crmctl tokens ...` (AdminService): who the token
// speaks for, the users and their roles, and their access tokens.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> AdminCommands();

}  // namespace crm::crmctl
