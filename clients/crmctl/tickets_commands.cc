#include "clients/crmctl/tickets_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/crmctl/custom_field_arguments.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/servicedesk_commands.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;

// "first-response", "resolution", both or "": which targets are breached.
std::string BreachedTargets(const v1::Ticket& ticket) {
  std::vector<std::string> breached;
  if (ticket.first_response().breached()) breached.push_back("first-response");
  if (ticket.resolution().breached()) breached.push_back("resolution");
  return absl::StrJoin(breached, ",");
}

std::vector<Column> TicketColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("CREATED", "create_time"),
          FieldColumn("PRI", "priority"),
          FieldColumn("STATUS", "status"),
          FieldColumn("ASSIGNEE", "assignee"),
          FieldColumn("GROUP", "assignee_group"),
          FieldColumn("LEVEL", "escalation_level"),
          FieldColumn("ACCOUNT", "account_id"),
          FieldColumn("RESPONSE DUE", "first_response.due_time"),
          FieldColumn("RESOLUTION DUE", "resolution.due_time"),
          TypedColumn<v1::Ticket>("BREACHED", BreachedTargets),
          FieldColumn("SUBJECT", "subject", kTextWidth)};
}

std::vector<Column> CommentColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("TIME", "create_time"),
          FieldColumn("VISIBILITY", "visibility"),
          FieldColumn("BY", "author_kind"),
          FieldColumn("AUTHOR", "author"),
          FieldColumn("BODY", "body", 60)};
}

std::vector<Column> TicketChangeColumns() {
  return {FieldColumn("TIME", "time"),       FieldColumn("KIND", "kind"),
          FieldColumn("FROM", "from_value"), FieldColumn("TO", "to_value"),
          FieldColumn("ACTOR", "actor"),     FieldColumn("REASON", "reason", kTextWidth)};
}

std::vector<Column> DeadlineSegmentColumns() {
  return {FieldColumn("KIND", "kind"),
          FieldColumn("START", "start_time"),
          FieldColumn("END", "end_time"),
          TypedColumn<v1::DeadlineSegment>("LENGTH",
                                           [](const v1::DeadlineSegment& segment) {
                                             google::protobuf::Duration length;
                                             length.set_seconds(segment.end_time().seconds() -
                                                                segment.start_time().seconds());
                                             return DurationText(length);
                                           }),
          FieldColumn("LOCAL DATE", "local_date"),
          FieldColumn("HOLIDAY", "holiday_name")};
}

int Create(CommandContext& context) {
  return RunCreateWithCustom<v1::CreateTicketRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_TICKET,
      [](v1::CreateTicketRequest& r) { return r.mutable_ticket(); },
      [&](const auto& r) { return ServiceDesk(context).CreateTicket(r); });
}

// Every field, then in table form the business time left on each running target, which the
// record shows only as seconds.
int Get(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetTicketRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  absl::StatusOr<v1::Ticket> ticket = ServiceDesk(context).GetTicket(request);
  const int code = context.PrintResult(ticket);
  if (code != kExitOk || context.format() != OutputFormat::kTable) return code;
  std::vector<std::string> remaining;
  for (const auto& [name, timer] :
       {std::pair<const char*, const v1::SlaTimer*>{"first response", &ticket->first_response()},
        {"resolution", &ticket->resolution()}}) {
    if (timer->has_remaining() && !timer->has_met_time()) {
      std::string left = DurationText(timer->remaining());
      remaining.push_back(
          absl::StrCat(name, " ", left.empty() ? "0s" : left, timer->paused() ? " (paused)" : ""));
    }
  }
  if (!remaining.empty()) context.out() << "remaining: " << absl::StrJoin(remaining, "; ") << '\n';
  return code;
}

// Filters are fields of the request's TicketFilter, given unqualified (status=open,pending).
int List(CommandContext& context) {
  v1::ListTicketsRequest request;
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"status", "statuses"}, {"group", "assignee_group"}, {"level", "escalation_level"}};
  absl::StatusOr<bool> all = ReadListArgumentsWithCustom(
      context, v1::CUSTOM_FIELD_ENTITY_TICKET, {{&request}, {request.mutable_filter()}},
      *request.mutable_filter()->mutable_custom_fields(), *kAliases);
  if (!all.ok()) return FailCustomFields(context, all.status());
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListTickets,
                   &client::ServiceDeskClient::ListAllTickets, &v1::ListTicketsResponse::tickets,
                   TicketColumns());
}

int Update(CommandContext& context) {
  return RunUpdateWithCustom<v1::UpdateTicketRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_TICKET,
      [](v1::UpdateTicketRequest& r) { return r.mutable_ticket(); },
      [&](const auto& r) { return ServiceDesk(context).UpdateTicket(r); });
}

// `<verb> <id> [key=value ...]` where keys may be given by the short names in `aliases`.
template <typename Request, typename Call>
int RunWithIdAndAliases(CommandContext& context, const std::map<std::string, std::string>& aliases,
                        Call call) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  Request request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}, aliases); !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintResult(call(request));
}

int Assign(CommandContext& context) {
  return RunWithIdAndAliases<v1::AssignTicketRequest>(
      context, {{"group", "assignee_group"}, {"to", "assignee"}},
      [&](const auto& r) { return ServiceDesk(context).AssignTicket(r); });
}

// `status <id> <status> [reason=] [etag=]`: the new status is the second word.
int Status(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> words = context.Positional({"<id>", "<status>"});
  if (!words.ok()) return context.Usage(words.status());
  v1::ChangeTicketStatusRequest request;
  request.set_id((*words)[0]);
  if (absl::Status s = SetFieldFromText(request, "status", (*words)[1]); !s.ok()) {
    return context.Usage(s);
  }
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(ServiceDesk(context).ChangeTicketStatus(request));
}

int Reopen(CommandContext& context) {
  return RunWithId<v1::ReopenTicketRequest>(
      context, [&](const auto& r) { return ServiceDesk(context).ReopenTicket(r); });
}

int Escalate(CommandContext& context) {
  return RunWithId<v1::EscalateTicketRequest>(
      context, [&](const auto& r) { return ServiceDesk(context).EscalateTicket(r); });
}

// `comment <id> body=... [--internal] [author_kind=customer]`: a public reply unless
// --internal (or visibility=) says otherwise.
int Comment(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  absl::StatusOr<bool> internal = context.TakeSwitch("internal");
  if (!internal.ok()) return context.Usage(internal.status());
  v1::AddCommentRequest request;
  v1::TicketComment& comment = *request.mutable_comment();
  comment.set_ticket_id(id->front());
  comment.set_visibility(*internal ? v1::COMMENT_VISIBILITY_INTERNAL
                                   : v1::COMMENT_VISIBILITY_PUBLIC);
  if (absl::Status s = context.ApplyArguments({{&request}, {&comment}}, {{"by", "author_kind"}});
      !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintResult(ServiceDesk(context).AddComment(request));
}

int Comments(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::ListCommentsRequest request;
  request.set_ticket_id(id->front());
  absl::StatusOr<bool> all = context.TakeSwitch("all");
  if (!all.ok()) return context.Usage(all.status());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListComments,
                   &client::ServiceDeskClient::ListAllComments, &v1::ListCommentsResponse::comments,
                   CommentColumns());
}

int History(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::ListTicketHistoryRequest request;
  request.set_ticket_id(id->front());
  absl::StatusOr<bool> all = context.TakeSwitch("all");
  if (!all.ok()) return context.Usage(all.status());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListTicketHistory,
                   &client::ServiceDeskClient::ListAllTicketHistory,
                   &v1::ListTicketHistoryResponse::changes, TicketChangeColumns());
}

// `explain <id> [target=resolution|first-response]`: the resolution target unless told.
int Explain(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::ExplainDeadlineRequest request;
  request.set_ticket_id(id->front());
  request.set_target(v1::SLA_TARGET_RESOLUTION);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintWithRows(ServiceDesk(context).ExplainDeadline(request), "segments",
                               DeadlineSegmentColumns());
}

constexpr char kTicketFields[] =
    "[contact=<id>] [channel=email|phone|web|chat|social|in-person] [category=] "
    "[description=]";

}  // namespace

std::vector<Command> TicketCommands() {
  return {
      {"tickets", "create",
       absl::StrCat("account=<id> subject=... priority=p1|p2|p3|p4 ", kTicketFields,
                    " [--custom=<key>=<value> ...] [request_id=]"),
       "Open a ticket; its SLA targets come from the account's tier and the priority; --custom "
       "sets its custom fields (see `crmctl fields list entity=ticket`)",
       Create},
      {"tickets", "get", "<id>", "Show one ticket with its SLA timers", Get},
      {"tickets", "list",
       "[status=new,open,pending,resolved,closed] [priority=p1..p4] [assignee=] [group=] "
       "[account=<id>] [breached=true|false] [level=<n>] [category=] "
       "[--custom-filter=<key>=<value>] [--custom-min=<key>=<value>] "
       "[--custom-max=<key>=<value>] [page_size=] [page_token=] [--all]",
       "List tickets, newest first (account=: the account's service history; --custom-* "
       "conditions on filterable custom fields, each repeatable, all must hold)",
       List},
      {"tickets", "update",
       "<id> [subject=] [description=] [category=] [contact=<id>] [priority=p1..p4] "
       "[--custom=<key>=<value> ...] [etag=...]",
       "Change a ticket's fields (a new priority re-targets the SLA; --custom=<key>= clears one)",
       Update},
      {"tickets", "assign", "<id> assignee=<user> [group=<group>] [etag=...]",
       "Assign to an agent (assignee= empty unassigns) and optionally a group; a new ticket "
       "opens",
       Assign},
      {"tickets", "status", "<id> open|pending|resolved|closed [reason=...] [etag=...]",
       "Move along new > open > pending > resolved > closed (pending pauses the SLA clock)",
       Status},
      {"tickets", "reopen", "<id> [reason=...] [etag=...]",
       "Reopen a resolved ticket; its resolution clock resumes", Reopen},
      {"tickets", "escalate", "<id> reason=... [etag=...]",
       "Raise the escalation level by one and reassign along the policy's chain", Escalate},
      {"tickets", "comment", "<id> body=... [--internal] [by=agent|customer] [request_id=]",
       "Add a public reply (the first by an agent stamps first response) or, with --internal, "
       "a note",
       Comment},
      {"tickets", "comments", "<id> [--public_only] [page_size=] [page_token=] [--all]",
       "A ticket's replies and notes, oldest first", Comments},
      {"tickets", "history", "<id> [page_size=] [page_token=] [--all]",
       "What happened to a ticket: status, assignments, escalations, SLA re-targets", History},
      {"tickets", "explain", "<id> [target=resolution|first-response]",
       "How a due time was reached: business time counted, closed hours, holidays, pauses",
       Explain},
  };
}

}  // namespace crm::crmctl
