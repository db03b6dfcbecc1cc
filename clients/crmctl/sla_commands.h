// `crmctl calendars ...` and `crmctl sla-policies ...`: the business calendars SLA targets are
// counted in, and the policies choosing targets per account tier and priority, with their
// compact text forms for working hours, holidays, targets and escalation chains.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/crmctl/command.h"
#include "crm/v1/servicedesk.pb.h"

namespace crm::crmctl {

std::vector<Command> CalendarCommands();
std::vector<Command> SlaPolicyCommands();

// The text forms, exposed for tests. Each Format* writes what the Parse* reads.
//   hours       "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00": groups separated by ';',
//               each days (mon, mon-fri, mon,wed,fri) then intervals; 24:00 ends at midnight.
//   holidays    "2026-12-25 Christmas; 2027-01-01": a date and an optional name per item.
//   targets     "p1=60/240; p2=2h/1d": priority=first response/resolution, in minutes or with
//               a unit (30m, 4h, 1d); either side may be empty for no target.
//   escalation  "warning tier2; breach+60 managers/alice": per level in order, the trigger
//               (warning or breach) with optional delay, the group, optionally /assignee.
absl::StatusOr<std::vector<v1::WorkingHours>> ParseWorkingHours(absl::string_view text);
std::string FormatWorkingHours(const google::protobuf::RepeatedPtrField<v1::WorkingHours>& hours);
absl::StatusOr<std::vector<v1::CalendarHoliday>> ParseHolidays(absl::string_view text);
std::string FormatHolidays(const google::protobuf::RepeatedPtrField<v1::CalendarHoliday>& days);
absl::StatusOr<std::vector<v1::SlaPriorityTarget>> ParseTargets(absl::string_view text);
std::string FormatTargets(const google::protobuf::RepeatedPtrField<v1::SlaPriorityTarget>& targets);
absl::StatusOr<std::vector<v1::EscalationStep>> ParseEscalation(absl::string_view text);
std::string FormatEscalation(const google::protobuf::RepeatedPtrField<v1::EscalationStep>& steps);

}  // namespace crm::crmctl
