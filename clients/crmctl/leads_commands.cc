#include "clients/crmctl/leads_commands.h"

#include "clients/crmctl/columns.h"
#include "clients/crmctl/custom_field_arguments.h"

namespace crm::crmctl {
namespace {

// The source is a nested message; its two fields are what people type.
const std::map<std::string, std::string>& SourceAliases() {
  static const auto* const kAliases = new std::map<std::string, std::string>{
      {"channel", "source.channel"}, {"campaign", "source.campaign_id"}};
  return *kAliases;
}

CustomFieldCatalog LeadFields(CommandContext& context) {
  return CustomFieldCatalog(context.customfields(), v1::CUSTOM_FIELD_ENTITY_LEAD);
}

// As RunCreate, plus --custom=<key>=<value> for custom fields.
int Create(CommandContext& context) {
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  absl::StatusOr<std::vector<CustomArgument>> custom = TakeCustomArguments(context, "custom");
  if (!custom.ok()) return context.Usage(custom.status());
  v1::CreateLeadRequest request;
  if (absl::Status s =
          context.ApplyArguments({{&request}, {request.mutable_lead()}}, SourceAliases());
      !s.ok()) {
    return context.Usage(s);
  }
  CustomFieldCatalog fields = LeadFields(context);
  if (absl::Status s = SetCustomValues(fields, *custom,
                                       *request.mutable_lead()->mutable_custom_fields(), nullptr);
      !s.ok()) {
    return FailCustomFields(context, s);
  }
  return context.PrintResult(context.pipeline().CreateLead(request));
}

// As RunUpdate, plus --custom=<key>=<value>: each key named becomes the mask path
// custom_fields.<key>, so `--custom=<key>=` clears that value and the others stay.
int Update(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  absl::StatusOr<std::vector<CustomArgument>> custom = TakeCustomArguments(context, "custom");
  if (!custom.ok()) return context.Usage(custom.status());
  v1::UpdateLeadRequest request;
  request.mutable_lead()->set_id(id->front());
  std::vector<std::string> changed;
  if (absl::Status s = context.ApplyArguments({{&request}, {request.mutable_lead(), &changed}});
      !s.ok()) {
    return context.Usage(s);
  }
  CustomFieldCatalog fields = LeadFields(context);
  if (absl::Status s = SetCustomValues(fields, *custom,
                                       *request.mutable_lead()->mutable_custom_fields(), &changed);
      !s.ok()) {
    return FailCustomFields(context, s);
  }
  if (!request.has_update_mask()) {
    for (const std::string& path : changed) request.mutable_update_mask()->add_paths(path);
  }
  return context.PrintResult(context.pipeline().UpdateLead(request));
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetLeadRequest>(
      context, [&](const auto& r) { return context.pipeline().GetLead(r); });
}

int List(CommandContext& context) {
  v1::ListLeadsRequest request;
  absl::StatusOr<CustomFilterArguments> custom = TakeCustomFilterArguments(context);
  if (!custom.ok()) return context.Usage(custom.status());
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  CustomFieldCatalog fields = LeadFields(context);
  if (absl::Status s = AddCustomFilters(fields, *custom, *request.mutable_custom_fields());
      !s.ok()) {
    return FailCustomFields(context, s);
  }
  return PrintList(context, *all, context.pipeline(), request, &client::PipelineClient::ListLeads,
                   &client::PipelineClient::ListAllLeads, &v1::ListLeadsResponse::leads,
                   LeadColumns());
}

int Qualify(CommandContext& context) {
  return RunWithId<v1::QualifyLeadRequest>(
      context, [&](const auto& r) { return context.pipeline().QualifyLead(r); });
}

int Disqualify(CommandContext& context) {
  return RunWithId<v1::DisqualifyLeadRequest>(
      context, [&](const auto& r) { return context.pipeline().DisqualifyLead(r); });
}

int Convert(CommandContext& context) {
  return RunWithId<v1::ConvertLeadRequest>(
      context, [&](const auto& r) { return context.pipeline().ConvertLead(r); });
}

}  // namespace

std::vector<Command> LeadCommands() {
  return {
      {"leads", "create",
       "full_name=... [company_name=] [email=] [phone=] [title=] [industry=] [region=] "
       "[channel=web|email|phone|event|referral|partner|social|advertising|other] "
       "[campaign=<id>] [score=0-100] [owner=] [notes=] [--custom=<key>=<value> ...]",
       "Create a lead; --custom sets its custom fields (see `crmctl fields list entity=lead`)",
       Create},
      {"leads", "get", "<id>", "Show one lead", Get},
      {"leads", "update", "<id> <field>=<value> ... [--custom=<key>=<value> ...] [etag=...]",
       "Change the named fields (<field>= and --custom=<key>= clear one); with etag only if "
       "unchanged since",
       Update},
      {"leads", "list",
       "[status=new|qualified|disqualified|converted] [owner=] [channel=] [campaign=<id>] "
       "[text=] [min_score=] [--custom-filter=<key>=<value>] [--custom-min=<key>=<value>] "
       "[--custom-max=<key>=<value>] [page_size=] [page_token=] [--all]",
       "List leads; --custom-* conditions on filterable custom fields (each repeatable, all must "
       "hold)",
       List},
      {"leads", "qualify", "<id> [etag=...]", "Mark a lead qualified", Qualify},
      {"leads", "disqualify", "<id> reason=... [etag=...]", "Disqualify a lead, with a reason",
       Disqualify},
      {"leads", "convert",
       "<id> [existing_account=<id>] [--create_opportunity [opportunity.name=] "
       "[opportunity.amount=\"5000 EUR\"] [opportunity.expected_close_date=]] [etag=...]",
       "Turn a lead into an account (new or existing), a contact and optionally an opportunity",
       Convert},
  };
}

}  // namespace crm::crmctl
