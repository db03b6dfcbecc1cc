#include "clients/crmctl/solutions_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/crmctl/field_text.h"
#include "clients/crmctl/servicedesk_commands.h"

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 50;

std::vector<Column> SolutionColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("TITLE", "title", kTextWidth),
          FieldColumn("CATEGORY", "category"),
          FieldColumn("TAGS", "tags"),
          FieldColumn("USED", "usage_count"),
          FieldColumn("AUTHOR", "author"),
          FieldColumn("UPDATED", "update_time")};
}

std::vector<Column> HitColumns() {
  return {TypedColumn<v1::SolutionHit>(
              "RELEVANCE",
              [](const v1::SolutionHit& hit) { return absl::StrFormat("%.4g", hit.relevance()); }),
          FieldColumn("ID", "solution.id"),
          FieldColumn("TITLE", "solution.title", kTextWidth),
          FieldColumn("CATEGORY", "solution.category"),
          FieldColumn("TAGS", "solution.tags"),
          FieldColumn("USED", "solution.usage_count")};
}

std::vector<Column> LinkColumns() {
  return {FieldColumn("TICKET", "ticket_id"), FieldColumn("SOLUTION", "solution_id"),
          FieldColumn("LINKED BY", "linked_by"), FieldColumn("TIME", "create_time")};
}

// Every positional word: CommandContext checks a count, so find the count that fits.
std::vector<std::string> AllPositional(const CommandContext& context) {
  for (size_t count = 0;; ++count) {
    absl::StatusOr<std::vector<std::string>> words =
        context.Positional(std::vector<std::string>(count, "<word>"));
    if (words.ok()) return *words;
  }
}

int Create(CommandContext& context) {
  return RunCreate<v1::CreateSolutionRequest>(
      context, [](v1::CreateSolutionRequest& r) { return r.mutable_solution(); },
      [&](const auto& r) { return ServiceDesk(context).CreateSolution(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetSolutionRequest>(
      context, [&](const auto& r) { return ServiceDesk(context).GetSolution(r); });
}

int Update(CommandContext& context) {
  return RunUpdate<v1::UpdateSolutionRequest>(
      context, [](v1::UpdateSolutionRequest& r) { return r.mutable_solution(); },
      [&](const auto& r) { return ServiceDesk(context).UpdateSolution(r); });
}

int Delete(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::DeleteSolutionRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  // The response is empty: say what happened rather than print nothing.
  absl::StatusOr<v1::DeleteSolutionResponse> response =
      ServiceDesk(context).DeleteSolution(request);
  if (!response.ok()) return context.Fail(response.status());
  if (context.format() == OutputFormat::kJson) {
    context.out() << ToJsonLine(*response) << '\n';
  } else {
    context.out() << "deleted " << request.id() << '\n';
  }
  return kExitOk;
}

int List(CommandContext& context) {
  v1::ListSolutionsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListSolutions,
                   &client::ServiceDeskClient::ListAllSolutions,
                   &v1::ListSolutionsResponse::solutions, SolutionColumns());
}

// `search <words ...> [category=] [page_size=]`: the words may also be given as query=.
int Search(CommandContext& context) {
  v1::SearchSolutionsRequest request;
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  // Positional words form the query, so `crmctl solutions search printer offline` works.
  const std::vector<std::string> words = AllPositional(context);
  if (!words.empty()) {
    const std::string given = absl::StrJoin(words, " ");
    request.set_query(request.query().empty() ? given : absl::StrCat(request.query(), " ", given));
  }
  absl::StatusOr<v1::SearchSolutionsResponse> response =
      ServiceDesk(context).SearchSolutions(request);
  return context.PrintPage(response, &v1::SearchSolutionsResponse::hits, HitColumns());
}

// `link <ticket-id> <solution-id>`.
int Link(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> ids =
      context.Positional({"<ticket-id>", "<solution-id>"});
  if (!ids.ok()) return context.Usage(ids.status());
  v1::LinkSolutionRequest request;
  request.set_ticket_id((*ids)[0]);
  request.set_solution_id((*ids)[1]);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(ServiceDesk(context).LinkSolution(request));
}

// `links ticket=<id> | solution=<id>`.
int Links(CommandContext& context) {
  v1::ListSolutionLinksRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, ServiceDesk(context), request,
                   &client::ServiceDeskClient::ListSolutionLinks,
                   &client::ServiceDeskClient::ListAllSolutionLinks,
                   &v1::ListSolutionLinksResponse::links, LinkColumns());
}

}  // namespace

std::vector<Command> SolutionCommands() {
  return {
      {"solutions", "create", "title=... body=... [tags=a,b] [category=] [request_id=]",
       "Add a solution to the knowledge base", Create},
      {"solutions", "get", "<id>", "Show one solution", Get},
      {"solutions", "list",
       "[category=] [tag=] [order_by=\"usage_count desc\"] [page_size=] [page_token=] [--all]",
       "List solutions (default in id order)", List},
      {"solutions", "update", "<id> [title=] [body=] [tags=] [category=] [etag=...]",
       "Change a solution", Update},
      {"solutions", "delete", "<id> [etag=...]", "Delete a solution", Delete},
      {"solutions", "search", "<words ...> [category=] [page_size=]",
       "Full-text search in titles, bodies and tags (all words), most relevant first", Search},
      {"solutions", "link", "<ticket-id> <solution-id>",
       "Record that a solution served a ticket (counted once per ticket)", Link},
      {"solutions", "links", "ticket=<id> | solution=<id> [page_size=] [page_token=] [--all]",
       "The solutions linked to a ticket, or the tickets a solution served", Links},
  };
}

}  // namespace crm::crmctl
