// `crmctl solutions ...`: the knowledge base: solutions, full-text search, and the links
// recording which solution served which ticket.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> SolutionCommands();

}  // namespace crm::crmctl
