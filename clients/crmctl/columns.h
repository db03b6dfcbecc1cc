// The table columns crmctl shows for each entity in lists (`get` shows every field instead).
#pragma once

#include <vector>

#include "clients/crmctl/output.h"

namespace crm::crmctl {

std::vector<Column> AccountColumns();
std::vector<Column> ContactColumns();
std::vector<Column> InteractionColumns();
std::vector<Column> ActivityColumns();
std::vector<Column> EventColumns();
// Fixed widths of EventColumns for `events follow`, which prints events as they arrive.
std::vector<size_t> EventColumnWidths();

}  // namespace crm::crmctl
