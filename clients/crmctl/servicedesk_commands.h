// `crmctl survey ...` and `crmctl service-metrics get`, and what every service desk noun
// (tickets, calendars, sla-policies, solutions) shares: the client it calls and how durations
// read.
#pragma once

#include <google/protobuf/duration.pb.h>

#include <string>
#include <utility>
#include <vector>

#include "clients/crmctl/command.h"
#include "clients/gateway/servicedesk_client.h"

namespace crm::crmctl {

std::vector<Command> SurveyCommands();
std::vector<Command> ServiceMetricsCommands();

// The ServiceDeskService client of the context's gateway.
client::ServiceDeskClient ServiceDesk(CommandContext& context);

// "1h30m", "-12m", "" for an unset duration.
std::string DurationText(const google::protobuf::Duration& duration);

}  // namespace crm::crmctl
