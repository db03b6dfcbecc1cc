#include "clients/crmctl/events_commands.h"

#include <ostream>

#include "clients/crmctl/columns.h"
#include "clients/crmctl/interrupt.h"
#include "clients/gateway/cancellation.h"

namespace crm::crmctl {
namespace {

const std::map<std::string, std::string>& EventAliases() {
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"after", "after_sequence"}, {"type", "types"}};
  return *kAliases;
}

int List(CommandContext& context) {
  v1::ListEventsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}}, EventAliases());
  if (!all.ok()) return context.Usage(all.status());
  if (*all) return context.PrintAll(context.events().ListAllEvents(request), EventColumns());
  absl::StatusOr<v1::ListEventsResponse> page = context.events().ListEvents(request);
  const int code = context.PrintPage(page, &v1::ListEventsResponse::events, EventColumns());
  // Events page by sequence rather than by token.
  if (code == kExitOk && context.format() == OutputFormat::kTable && !page->events().empty()) {
    context.err() << "more: add after=" << page->last_sequence() << " (or --all)\n";
  }
  return code;
}

int Follow(CommandContext& context) {
  v1::SubscribeRequest request;
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  if (absl::Status s = context.ApplyArguments({{&request}}, EventAliases()); !s.ok()) {
    return context.Usage(s);
  }
  client::CancellationToken stop;
  InterruptScope on_ctrl_c([stop]() mutable { stop.Cancel(); });

  const bool json = context.format() == OutputFormat::kJson;
  Table table(EventColumns());
  const std::vector<size_t> widths = EventColumnWidths();
  if (!json) context.out() << Table::FormatLine(table.Headers(), widths) << std::flush;
  absl::Status status = context.events().Subscribe(
      request,
      [&](const v1::Event& event) {
        context.out() << (json ? ToJsonLine(event) + "\n"
                               : Table::FormatLine(table.Cells(event), widths))
                      << std::flush;
        return static_cast<bool>(context.out());  // stop once the reader has gone (| head)
      },
      stop);
  return status.ok() ? kExitOk : context.Fail(status);
}

}  // namespace

std::vector<Command> EventCommands() {
  return {
      {"events", "list",
       "[after=<sequence>] [types=account.,activity.reminder_due] [user=] "
       "[page_size=] [--all]",
       "Past events after a sequence", List},
      {"events", "follow", "[after=<sequence>] [types=...] [user=]",
       "Follow the event stream live until Ctrl-C (reconnects by itself)", Follow},
  };
}

}  // namespace crm::crmctl
