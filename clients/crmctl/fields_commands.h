// `crmctl fields ...` (CustomFieldService): the fields administrators add to accounts, contacts,
// leads, opportunities and tickets, their changes and versions.
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> CustomFieldCommands();

}  // namespace crm::crmctl
