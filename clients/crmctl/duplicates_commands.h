// `crmctl duplicates ...`: records that may be the same customer as a stored record or a draft
// (find), and the policy every create of an account, contact or lead follows when the new record
// matches existing ones (settings).
#pragma once

#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

std::vector<Command> DuplicateCommands();

}  // namespace crm::crmctl
