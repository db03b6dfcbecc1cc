// Splits crmctl's argv into global flags, command words and command arguments.
//
//   crmctl [--global_flag=value ...] <noun> <verb> [<positional> ...] [key=value ...]
//
// absl::ParseCommandLine is not used: it rejects every flag it does not know and exits with its
// own status, while sub-command arguments are not global flags. So: `--name=value`, `--name value`
// and `--[no]name` set a global flag when `name` is one (anywhere on the line); any other
// `--key=value` or `key=value` is a command argument (`--all` alone means all=true); other words
// are the noun, the verb and positional arguments. After `--`, everything is a word. In keys,
// '-' and '_' are the same.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace crm::crmctl {

struct CommandLine {
  // noun, verb, then positional arguments.
  std::vector<std::string> words;
  // key=value arguments in order given (a key may repeat, e.g. for repeated fields).
  std::vector<std::pair<std::string, std::string>> arguments;
  bool help = false;
};

// Sets the global flags it finds; INVALID_ARGUMENT for a bad flag value or a flag missing its
// value.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv);

}  // namespace crm::crmctl
