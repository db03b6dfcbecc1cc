// `crmctl tickets ...`: service desk tickets, their assignment, status flow, escalation,
// comments, history and how their SLA due times were reached.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> TicketCommands();

}  // namespace crm::crmctl
