#include "clients/crmctl/opportunities_commands.h"

#include "absl/strings/match.h"
#include "clients/crmctl/columns.h"
#include "clients/crmctl/custom_field_arguments.h"
#include "clients/crmctl/field_text.h"

namespace crm::crmctl {
namespace {

// The pipeline with this id, or the default pipeline when `id` is empty (NOT_FOUND if none).
absl::StatusOr<v1::Pipeline> PipelineOrDefault(CommandContext& context, const std::string& id) {
  if (!id.empty()) {
    v1::GetPipelineRequest request;
    request.set_id(id);
    return context.pipeline().GetPipeline(request);
  }
  for (const absl::StatusOr<v1::Pipeline>& pipeline :
       context.pipeline().ListAllPipelines(v1::ListPipelinesRequest())) {
    if (!pipeline.ok() || pipeline->is_default()) return pipeline;
  }
  return absl::NotFoundError("there is no default pipeline");
}

// Stage arguments (stage=, lost_stage=) take a stage's id or its name, in any case, within the
// opportunity's pipeline (`pipeline_id`; empty: the default pipeline). Only names are translated:
// a value that names no stage goes to the server as given, which judges it.
absl::StatusOr<std::string> StageId(CommandContext& context, const std::string& pipeline_id,
                                    const std::string& value) {
  absl::StatusOr<v1::Pipeline> pipeline = PipelineOrDefault(context, pipeline_id);
  if (!pipeline.ok()) return pipeline.status();
  for (const v1::Stage& stage : pipeline->stages()) {
    if (stage.id() == value) return value;
  }
  for (const v1::Stage& stage : pipeline->stages()) {
    if (absl::EqualsIgnoreCase(stage.name(), value)) return stage.id();
  }
  return value;
}

// Stage names by id across every pipeline, so that tables show names; empty (tables show ids)
// when the pipelines cannot be read.
std::map<std::string, std::string> StageNames(CommandContext& context) {
  std::map<std::string, std::string> names;
  if (context.format() != OutputFormat::kTable) return names;
  for (const absl::StatusOr<v1::Pipeline>& pipeline :
       context.pipeline().ListAllPipelines(v1::ListPipelinesRequest())) {
    if (!pipeline.ok()) break;
    for (const v1::Stage& stage : pipeline->stages()) names.emplace(stage.id(), stage.name());
  }
  return names;
}

// Sets `<key>_id` of `request` from the `<key>=` argument taken earlier, if one was given.
absl::Status SetStage(CommandContext& context, google::protobuf::Message& request,
                      const std::string& key, const absl::optional<std::string>& stage,
                      const std::string& pipeline_id) {
  if (!stage.has_value()) return absl::OkStatus();
  absl::StatusOr<std::string> id = StageId(context, pipeline_id, *stage);
  if (!id.ok()) return id.status();
  return SetFieldFromText(request, key + "_id", *id);
}

// `<verb> <id> [<stage_key>=<stage>] [key=value ...]` for the requests that act on one
// opportunity and may name a stage of its pipeline (move, close, reopen).
template <typename Request, typename Call>
int RunWithStage(CommandContext& context, const std::string& stage_key, Call call) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  Request request;
  request.set_id(id->front());
  const absl::optional<std::string> stage = context.TakeArgument(stage_key);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  if (stage.has_value()) {
    v1::GetOpportunityRequest get;
    get.set_id(request.id());
    absl::StatusOr<v1::Opportunity> opportunity = context.pipeline().GetOpportunity(get);
    if (!opportunity.ok()) return context.Fail(opportunity.status());
    if (absl::Status s = SetStage(context, request, stage_key, stage, opportunity->pipeline_id());
        !s.ok()) {
      return context.Fail(s);
    }
  }
  return context.PrintResult(call(request));
}

// As RunCreateWithCustom; stage= takes a stage's name or id in the opportunity's pipeline.
int Create(CommandContext& context) {
  const absl::optional<std::string> stage = context.TakeArgument("stage");
  return RunCreateWithCustom<v1::CreateOpportunityRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY,
      [](v1::CreateOpportunityRequest& r) { return r.mutable_opportunity(); },
      [&](v1::CreateOpportunityRequest& r) -> absl::StatusOr<v1::Opportunity> {
        v1::Opportunity& opportunity = *r.mutable_opportunity();
        if (absl::Status s =
                SetStage(context, opportunity, "stage", stage, opportunity.pipeline_id());
            !s.ok()) {
          return s;
        }
        return context.pipeline().CreateOpportunity(r);
      });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetOpportunityRequest>(
      context, [&](const auto& r) { return context.pipeline().GetOpportunity(r); });
}

int Update(CommandContext& context) {
  return RunUpdateWithCustom<v1::UpdateOpportunityRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY,
      [](v1::UpdateOpportunityRequest& r) { return r.mutable_opportunity(); },
      [&](const auto& r) { return context.pipeline().UpdateOpportunity(r); });
}

int List(CommandContext& context) {
  v1::ListOpportunitiesRequest request;
  const absl::optional<std::string> stage = context.TakeArgument("stage");
  absl::StatusOr<bool> all = ReadListArgumentsWithCustom(
      context, v1::CUSTOM_FIELD_ENTITY_OPPORTUNITY, {{&request}}, *request.mutable_custom_fields());
  if (!all.ok()) return FailCustomFields(context, all.status());
  if (absl::Status s = SetStage(context, request, "stage", stage, request.pipeline_id()); !s.ok()) {
    return context.Fail(s);
  }
  return PrintList(context, *all, context.pipeline(), request,
                   &client::PipelineClient::ListOpportunities,
                   &client::PipelineClient::ListAllOpportunities,
                   &v1::ListOpportunitiesResponse::opportunities,
                   OpportunityColumns(StageNames(context)));
}

int Move(CommandContext& context) {
  return RunWithStage<v1::MoveOpportunityRequest>(
      context, "stage", [&](const auto& r) { return context.pipeline().MoveOpportunity(r); });
}

int Close(CommandContext& context) {
  return RunWithStage<v1::CloseOpportunityRequest>(
      context, "lost_stage",
      [&](const auto& r) { return context.pipeline().CloseOpportunity(r); });
}

int Reopen(CommandContext& context) {
  return RunWithStage<v1::ReopenOpportunityRequest>(
      context, "stage", [&](const auto& r) { return context.pipeline().ReopenOpportunity(r); });
}

int History(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::ListStageChangesRequest request;
  request.set_opportunity_id(id->front());
  absl::StatusOr<bool> all = context.TakeSwitch("all");
  if (!all.ok()) return context.Usage(all.status());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return PrintList(context, *all, context.pipeline(), request,
                   &client::PipelineClient::ListStageChanges,
                   &client::PipelineClient::ListAllStageChanges,
                   &v1::ListStageChangesResponse::changes, StageChangeColumns());
}

}  // namespace

std::vector<Command> OpportunityCommands() {
  return {
      {"opportunities", "create",
       "account=<id> name=... amount=\"25000 EUR\" [expected_close_date=2026-03-31] "
       "[pipeline=<id>] [stage=<name|id>] [owner=] [probability=] [source_campaign=<id>] "
       "[--custom=<key>=<value> ...]",
       "Create an opportunity (default: the default pipeline's first open stage); --custom sets "
       "its custom fields (see `crmctl fields list entity=opportunity`)",
       Create},
      {"opportunities", "get", "<id>", "Show one opportunity", Get},
      {"opportunities", "list",
       "[account=<id>] [pipeline=<id>] [stage=<name|id>] [status=open|won|lost] [owner=] "
       "[close_from=<date>] [close_to=<date>] [--custom-filter=<key>=<value>] "
       "[--custom-min=<key>=<value>] [--custom-max=<key>=<value>] [page_size=] [page_token=] "
       "[--all]",
       "List opportunities; --custom-* conditions on filterable custom fields (each repeatable, "
       "all must hold)",
       List},
      {"opportunities", "update",
       "<id> <field>=<value> ... [--custom=<key>=<value> ...] [etag=...]",
       "Change amount, name, expected close, owner, probability, campaign, custom fields (not "
       "the stage); <field>= and --custom=<key>= clear one",
       Update},
      {"opportunities", "move", "<id> stage=<name|id> [probability=] [etag=...]",
       "Move to another open stage of its pipeline", Move},
      {"opportunities", "close", "<id> --won | lost_reason=... [lost_stage=<name|id>] [etag=...]",
       "Close as won, or as lost with a reason", Close},
      {"opportunities", "reopen", "<id> [stage=<name|id>] [etag=...]",
       "Reopen a closed opportunity (default: the stage it was closed from)", Reopen},
      {"opportunities", "history", "<id> [page_size=] [page_token=] [--all]",
       "Its stage changes: from, to, when, who", History},
  };
}

}  // namespace crm::crmctl
