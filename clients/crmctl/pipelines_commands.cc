#include "clients/crmctl/pipelines_commands.h"

#include "clients/crmctl/columns.h"

namespace crm::crmctl {
namespace {

int Get(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::GetPipelineRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintWithRows(context.pipeline().GetPipeline(request), "stages", StageColumns());
}

int List(CommandContext& context) {
  v1::ListPipelinesRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, context.pipeline(), request,
                   &client::PipelineClient::ListPipelines,
                   &client::PipelineClient::ListAllPipelines,
                   &v1::ListPipelinesResponse::pipelines, PipelineColumns());
}

}  // namespace

std::vector<Command> PipelineCommands() {
  return {
      {"pipelines", "list", "[page_size=] [page_token=] [--all]",
       "List the sales pipelines with their stages", List},
      {"pipelines", "get", "<id>", "Show one pipeline and its stages (ids, probabilities, kinds)",
       Get},
  };
}

}  // namespace crm::crmctl
