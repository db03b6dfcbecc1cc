// `crmctl activities ...`: scheduled tasks with due times and reminders.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> ActivityCommands();

}  // namespace crm::crmctl
