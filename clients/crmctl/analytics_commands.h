// `crmctl funnel get`, `crmctl forecast get`: the sales analytics dashboards ask for.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> AnalyticsCommands();

}  // namespace crm::crmctl
