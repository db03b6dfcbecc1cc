#include "clients/crmctl/activities_commands.h"

#include "clients/crmctl/columns.h"

namespace crm::crmctl {
namespace {

int Create(CommandContext& context) {
  return RunCreate<v1::CreateActivityRequest>(
      context, [](v1::CreateActivityRequest& r) { return r.mutable_activity(); },
      [&](const auto& r) { return context.accounts().CreateActivity(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetActivityRequest>(
      context, [&](const auto& r) { return context.accounts().GetActivity(r); });
}

int Update(CommandContext& context) {
  return RunUpdate<v1::UpdateActivityRequest>(
      context, [](v1::UpdateActivityRequest& r) { return r.mutable_activity(); },
      [&](const auto& r) { return context.accounts().UpdateActivity(r); });
}

int Complete(CommandContext& context) {
  return RunWithId<v1::CompleteActivityRequest>(
      context, [&](const auto& r) { return context.accounts().CompleteActivity(r); });
}

int Cancel(CommandContext& context) {
  return RunWithId<v1::CancelActivityRequest>(
      context, [&](const auto& r) { return context.accounts().CancelActivity(r); });
}

int List(CommandContext& context) {
  v1::ListActivitiesRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  if (*all)
    return context.PrintAll(context.accounts().ListAllActivities(request), ActivityColumns());
  return context.PrintPage(context.accounts().ListActivities(request),
                           &v1::ListActivitiesResponse::activities, ActivityColumns());
}

}  // namespace

std::vector<Command> ActivityCommands() {
  return {
      {"activities", "create",
       "account=<id> kind=call|meeting|email|task|visit subject=... due_time=<time> "
       "[reminder_time=<time>] [assignee=] [contact=<id>] [notes=]",
       "Schedule an activity (times: RFC 3339, a date, now, +2h, +3d)", Create},
      {"activities", "get", "<id>", "Show one activity", Get},
      {"activities", "update", "<id> <field>=<value> ... [etag=...]", "Change the named fields",
       Update},
      {"activities", "complete", "<id> [outcome=...] [etag=...]", "Mark an activity done",
       Complete},
      {"activities", "cancel", "<id> [reason=...] [etag=...]", "Cancel an activity", Cancel},
      {"activities", "list",
       "[account=<id>] [assignee=] [status=planned|completed|cancelled] [due_after=<time>] "
       "[due_before=<time>] [page_size=] [page_token=] [--all]",
       "List activities by due time", List},
  };
}

}  // namespace crm::crmctl
