#include "clients/crmctl/registry.h"

#include <ostream>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "clients/crmctl/accounts_commands.h"
#include "clients/crmctl/activities_commands.h"
#include "clients/crmctl/admin_commands.h"
#include "clients/crmctl/analytics_commands.h"
#include "clients/crmctl/contacts_commands.h"
#include "clients/crmctl/duplicates_commands.h"
#include "clients/crmctl/events_commands.h"
#include "clients/crmctl/fields_commands.h"
#include "clients/crmctl/global_flags.h"
#include "clients/crmctl/interactions_commands.h"
#include "clients/crmctl/kam_commands.h"
#include "clients/crmctl/kam_plans_commands.h"
#include "clients/crmctl/leads_commands.h"
#include "clients/crmctl/opportunities_commands.h"
#include "clients/crmctl/pipelines_commands.h"
#include "clients/crmctl/servicedesk_commands.h"
#include "clients/crmctl/sla_commands.h"
#include "clients/crmctl/solutions_commands.h"
#include "clients/crmctl/tickets_commands.h"

namespace crm::crmctl {
namespace {

constexpr char kSyntax[] = R"(usage: crmctl [flags] <noun> <verb> [<id> | <file>] [key=value ...]

Arguments name fields of the request or of the entity in it (account=<id> sets account_id);
--key=value works too unless key is a global flag, and --all alone means all=true. So
`events follow --user=bob` follows bob's events; who you are is the user of your access token
(--token or --token_file; `crmctl whoami` tells). Values:
  enums     short names, any case: kind=company size_band=medium lifecycle_stage=growth
  money     "1200.50 EUR"
  times     RFC 3339 (2025-03-01T09:30:00Z), a date (2025-03-01, UTC), now, +2h, -30m, +3d
  lists     items separated by ';' or ',': tags="vip;emea"  types=account.,activity.
  nested    filter.owner=alice (list and analytics filters also work unqualified: owner=alice),
            opportunity.amount="5000 EUR"
  custom    fields an admin added (`crmctl fields list`), read as the field's type says:
            --custom=segment=smb --custom=renewal=2027-01-31 --custom=budget="5000 EUR"
            --custom=regions=emea,apac (multiple choice); lists: --custom-filter=segment=smb
            --custom-min=budget="1000 EUR" --custom-max=renewal=2027-12-31 order=custom.renewal
  stages    by name (any case) or id, within the opportunity's pipeline (else the default
            one): stage=proposal, lost_stage=Lost
  service desk lists (see `crmctl calendars` and `crmctl sla-policies`):
            hours="mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"
            holidays="2026-12-25 Christmas; 2027-01-01"   targets="p1=60/240; p2=2h/1d"
            escalation="warning tier2; breach+60 managers/alice"
  key-account lists (see `crmctl scoring-model` and `crmctl account-plans`):
            weights="revenue_contribution=0.3,profit=0.1"   abc=0.8/0.95
            tiers="strategic=80,key=60,standard=30,potential=0"
            actions="QBR|alice|2026-12-31; Exec visit|bob|2027-03-01|done"
The client fills request_id into creates (and lead convert, ticket comments), so they are
retried safely on UNAVAILABLE; updates, moves, closes and the like are sent once, except the
key-account updates carrying etag= or based_on=, the key-account sets (qualitative,
tier-override set, tier-policies update), users set and tokens revoke, which a repeat cannot
apply twice. tokens create is sent once: a repeat would make a second token.

Duplicates: a create of an account, contact or lead (and leads convert) that matches existing
records lists them on stderr; where the duplicate policy refuses (`crmctl duplicates settings`)
it fails with them, and --confirm-duplicate creates it anyway.

Import CSV: the header row names Account fields, e.g.
  external_key,name,kind,industry,region,size_band,owner,annual_revenue,lifecycle_stage,tags
  K-1,"Acme, Inc.",company,Retail,EMEA,medium,alice,1200.50 EUR,growth,vip;emea
)";

constexpr char kExitCodes[] = R"(
Exit codes: 0 success; 1 the call failed (error: <CODE>: <message>, then field violations);
2 usage error. Output: --output=json prints protobuf JSON, one object per line.
)";

void PrintCommand(std::ostream& out, const Command& command) {
  out << "  crmctl " << command.noun;
  if (!command.verb.empty()) out << ' ' << command.verb;
  if (!command.synopsis.empty()) out << ' ' << command.synopsis;
  out << "\n      " << command.summary << '\n';
}

}  // namespace

const std::vector<Command>& AllCommands() {
  static const auto* const kCommands = [] {
    auto* commands = new std::vector<Command>();
    for (auto group : {AccountCommands(), ContactCommands(), InteractionCommands(),
                       ActivityCommands(), PipelineCommands(), OpportunityCommands(),
                       LeadCommands(), AnalyticsCommands(), TicketCommands(),
                       CalendarCommands(), SlaPolicyCommands(), SolutionCommands(),
                       SurveyCommands(), ServiceMetricsCommands(), KeyAccountCommands(),
                       KeyAccountPlanCommands(), EventCommands(), CustomFieldCommands(),
                       DuplicateCommands(), AdminCommands()}) {
      commands->insert(commands->end(), group.begin(), group.end());
    }
    return commands;
  }();
  return *kCommands;
}

const Command* FindCommand(const std::string& noun, const std::string& verb) {
  for (const Command& command : AllCommands()) {
    if (command.noun == noun && command.verb == verb) return &command;
  }
  return nullptr;
}

bool IsNoun(const std::string& noun) {
  for (const Command& command : AllCommands()) {
    if (command.noun == noun) return true;
  }
  return false;
}

void PrintUsage(std::ostream& out) {
  out << "crmctl: command-line client of the CRM services.\n\n" << kSyntax << "\nCommands:\n";
  for (const Command& command : AllCommands()) PrintCommand(out, command);
  out << "\nFlags (anywhere on the line; values shown are the current defaults):\n";
  for (const std::string& name : GlobalFlagNames()) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) continue;
    // A token from CRM_TOKEN would otherwise end up in a terminal's scrollback or a log.
    const std::string value =
        IsSecretFlag(name) && !flag->CurrentValue().empty() ? "(set)" : flag->CurrentValue();
    out << "  --" << name << '=' << value << "\n      " << flag->Help() << '\n';
  }
  out << kExitCodes;
}

void PrintNounUsage(std::ostream& out, const std::string& noun) {
  out << "Commands for " << noun << ":\n";
  for (const Command& command : AllCommands()) {
    if (command.noun == noun) PrintCommand(out, command);
  }
  out << "Run 'crmctl help' for argument syntax and flags.\n";
}

}  // namespace crm::crmctl
