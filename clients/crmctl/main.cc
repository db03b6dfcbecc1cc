// crmctl: the command-line client of the CRM services, on the gateway client library.
// Parses the command line, builds the client from the global flags and runs one command.
#include <iostream>

#include "clients/crmctl/command_line.h"
#include "clients/crmctl/global_flags.h"
#include "clients/crmctl/interrupt.h"
#include "clients/crmctl/registry.h"
#include "clients/gateway/gateway_client.h"

using crm::crmctl::kExitFailure;
using crm::crmctl::kExitOk;
using crm::crmctl::kExitUsage;

int main(int argc, char** argv) {
  // Before anything starts a thread: every thread must inherit the blocked signals.
  crm::crmctl::StartInterruptWatcher();
  crm::crmctl::ApplyEnvironmentDefaults();

  absl::StatusOr<crm::crmctl::CommandLine> line = crm::crmctl::ParseCommandLine(argc, argv);
  if (!line.ok()) {
    std::cerr << "error: " << line.status().message() << "\nRun 'crmctl help' for usage.\n";
    return kExitUsage;
  }
  const std::vector<std::string>& words = line->words;
  if (line->help || (!words.empty() && words[0] == "help")) {
    crm::crmctl::PrintUsage(std::cout);
    return kExitOk;
  }
  if (words.empty()) {
    crm::crmctl::PrintUsage(std::cerr);
    return kExitUsage;
  }
  if (!crm::crmctl::IsNoun(words[0])) {
    std::cerr << "error: unknown command '" << words[0] << "'\nRun 'crmctl help' for usage.\n";
    return kExitUsage;
  }
  // A noun that is a command by itself (whoami) has the empty verb.
  const crm::crmctl::Command* command =
      crm::crmctl::FindCommand(words[0], words.size() < 2 ? "" : words[1]);
  if (command == nullptr) {
    if (words.size() >= 2 && words[1] != "help") {
      std::cerr << "error: unknown command '" << words[0] << ' ' << words[1] << "'\n";
    }
    crm::crmctl::PrintNounUsage(std::cerr, words[0]);
    return kExitUsage;
  }

  absl::StatusOr<crm::crmctl::OutputFormat> format = crm::crmctl::OutputFormatFromFlags();
  if (!format.ok()) {
    std::cerr << "error: " << format.status().message() << '\n';
    return kExitUsage;
  }
  absl::StatusOr<crm::client::ClientOptions> options = crm::crmctl::ClientOptionsFromFlags();
  if (!options.ok()) {
    std::cerr << "error: " << options.status().message() << '\n';
    return kExitFailure;
  }
  absl::StatusOr<crm::client::GatewayClient> gateway = crm::client::GatewayClient::Create(*options);
  if (!gateway.ok()) {
    std::cerr << "error: " << gateway.status().message() << '\n';
    return kExitFailure;
  }

  const size_t positional_start = command->verb.empty() ? 1 : 2;
  crm::crmctl::CommandContext context(
      *command, *std::move(gateway), *format,
      std::vector<std::string>(words.begin() + positional_start, words.end()), line->arguments,
      std::cout, std::cerr);
  const int code = command->run(context);
  std::cout.flush();
  return code;
}
