#include "clients/crmctl/interactions_commands.h"

#include "clients/crmctl/columns.h"

namespace crm::crmctl {
namespace {

int Log(CommandContext& context) {
  return RunCreate<v1::LogInteractionRequest>(
      context, [](v1::LogInteractionRequest& r) { return r.mutable_interaction(); },
      [&](const auto& r) { return context.accounts().LogInteraction(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetInteractionRequest>(
      context, [&](const auto& r) { return context.accounts().GetInteraction(r); });
}

int List(CommandContext& context) {
  v1::ListInteractionsRequest request;
  absl::StatusOr<bool> all =
      context.ReadListArguments({{&request}}, {{"from", "start_time"}, {"to", "end_time"}});
  if (!all.ok()) return context.Usage(all.status());
  if (*all) {
    return context.PrintAll(context.accounts().ListAllInteractions(request), InteractionColumns());
  }
  return context.PrintPage(context.accounts().ListInteractions(request),
                           &v1::ListInteractionsResponse::interactions, InteractionColumns());
}

}  // namespace

std::vector<Command> InteractionCommands() {
  return {
      {"interactions", "log",
       "account=<id> channel=call|email|meeting|visit|message|note "
       "direction=inbound|outbound|internal "
       "subject=... [body=] [contact=<id>] [occur_time=-1h] [user=]",
       "Record a call, email, meeting, ...", Log},
      {"interactions", "get", "<id>", "Show one interaction", Get},
      {"interactions", "list",
       "account=<id> | contact=<id> [from=<time>] [to=<time>] "
       "[page_size=] [page_token=] [--all]",
       "List interactions, newest first", List},
  };
}

}  // namespace crm::crmctl
