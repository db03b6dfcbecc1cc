// `crmctl account-plans ...`, `churn-risk ...`, `lifetime-value get` and `tier-summary get`:
// the KeyAccountService commands about planning and watching key accounts (the rest of the
// service is kam_commands.h).
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> KeyAccountPlanCommands();

}  // namespace crm::crmctl
