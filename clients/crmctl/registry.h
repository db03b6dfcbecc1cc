// Every crmctl command in one list, and the usage text built from it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "clients/crmctl/command.h"

namespace crm::crmctl {

const std::vector<Command>& AllCommands();
// nullptr when there is no such command.
const Command* FindCommand(const std::string& noun, const std::string& verb);
bool IsNoun(const std::string& noun);

// Everything: synopsis, commands, argument syntax, global flags, exit codes.
void PrintUsage(std::ostream& out);
// The commands of one noun.
void PrintNounUsage(std::ostream& out, const std::string& noun);

}  // namespace crm::crmctl
