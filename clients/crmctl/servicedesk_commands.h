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

// A table column over rows of message type T: `text(const T&)` is the cell.
template <typename T, typename Text>
Column TypedColumn(std::string header, Text text, size_t max_width = 0) {
  return Column{std::move(header),
                [text](const google::protobuf::Message& message) {
                  const auto* row = dynamic_cast<const T*>(&message);
                  return row == nullptr ? std::string() : text(*row);
                },
                max_width};
}

// "1h30m", "-12m", "" for an unset duration.
std::string DurationText(const google::protobuf::Duration& duration);

}  // namespace crm::crmctl
