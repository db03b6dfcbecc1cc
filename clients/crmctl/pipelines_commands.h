// `crmctl pipelines ...`: the sales pipelines and their stages.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> PipelineCommands();

}  // namespace crm::crmctl
