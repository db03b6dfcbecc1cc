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

int Create(CommandContext& context) {
  return RunCreateWithCustom<v1::CreateLeadRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_LEAD,
      [](v1::CreateLeadRequest& r) { return r.mutable_lead(); },
      [&](const auto& r) { return context.pipeline().CreateLead(r); }, SourceAliases());
}

int Update(CommandContext& context) {
  return RunUpdateWithCustom<v1::UpdateLeadRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_LEAD,
      [](v1::UpdateLeadRequest& r) { return r.mutable_lead(); },
      [&](const auto& r) { return context.pipeline().UpdateLead(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetLeadRequest>(
      context, [&](const auto& r) { return context.pipeline().GetLead(r); });
}

int List(CommandContext& context) {
  v1::ListLeadsRequest request;
  absl::StatusOr<bool> all = ReadListArgumentsWithCustom(
      context, v1::CUSTOM_FIELD_ENTITY_LEAD, {{&request}}, *request.mutable_custom_fields());
  if (!all.ok()) return FailCustomFields(context, all.status());
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
       "[campaign=<id>] [score=0-100] [owner=] [notes=] [--custom=<key>=<value> ...] "
       "[--confirm-duplicate]",
       "Create a lead; --custom sets its custom fields (see `crmctl fields list entity=lead`); "
       "possible duplicates as on accounts create",
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
       "<id> [existing_account=<id>] [existing_contact=<id>] [--create_opportunity "
       "[opportunity.name=] [opportunity.amount=\"5000 EUR\"] [opportunity.expected_close_date=]] "
       "[--confirm-duplicate] [etag=...]",
       "Turn a lead into an account and a contact (new or existing: `crmctl duplicates find "
       "--lead=<id> --among=account,contact` offers both) and optionally an opportunity; new "
       "ones matching existing records as on accounts create",
       Convert},
  };
}

}  // namespace crm::crmctl
