#include "clients/crmctl/contacts_commands.h"

#include "clients/crmctl/columns.h"
#include "clients/crmctl/custom_field_arguments.h"

namespace crm::crmctl {
namespace {

int Create(CommandContext& context) {
  return RunCreateWithCustom<v1::CreateContactRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_CONTACT,
      [](v1::CreateContactRequest& r) { return r.mutable_contact(); },
      [&](const auto& r) { return context.accounts().CreateContact(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetContactRequest>(
      context, [&](const auto& r) { return context.accounts().GetContact(r); });
}

int Update(CommandContext& context) {
  return RunUpdateWithCustom<v1::UpdateContactRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_CONTACT,
      [](v1::UpdateContactRequest& r) { return r.mutable_contact(); },
      [&](const auto& r) { return context.accounts().UpdateContact(r); });
}

int Delete(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::DeleteContactRequest request;
  request.set_id(id->front());
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  // The response is empty: say what happened rather than print nothing.
  absl::StatusOr<v1::DeleteContactResponse> response = context.accounts().DeleteContact(request);
  if (!response.ok()) return context.Fail(response.status());
  if (context.format() == OutputFormat::kJson) {
    context.out() << ToJsonLine(*response) << '\n';
  } else {
    context.out() << "deleted " << request.id() << '\n';
  }
  return kExitOk;
}

int List(CommandContext& context) {
  v1::ListContactsRequest request;
  absl::StatusOr<bool> all = ReadListArgumentsWithCustom(
      context, v1::CUSTOM_FIELD_ENTITY_CONTACT, {{&request}}, *request.mutable_custom_fields());
  if (!all.ok()) return FailCustomFields(context, all.status());
  if (*all) return context.PrintAll(context.accounts().ListAllContacts(request), ContactColumns());
  return context.PrintPage(context.accounts().ListContacts(request),
                           &v1::ListContactsResponse::contacts, ContactColumns());
}

}  // namespace

std::vector<Command> ContactCommands() {
  return {
      {"contacts", "create",
       "account=<id> full_name=... [title=] [email=] [phone=] "
       "[preferred_channel=email] [decision_role=champion] [--custom=<key>=<value> ...] "
       "[--confirm-duplicate]",
       "Add a contact to an account; --custom sets its custom fields (see `crmctl fields list "
       "entity=contact`); possible duplicates as on accounts create",
       Create},
      {"contacts", "get", "<id>", "Show one contact", Get},
      {"contacts", "update", "<id> <field>=<value> ... [--custom=<key>=<value> ...] [etag=...]",
       "Change the named fields (<field>= and --custom=<key>= clear one); with etag only if "
       "unchanged since",
       Update},
      {"contacts", "delete", "<id> [etag=...]", "Delete a contact", Delete},
      {"contacts", "list",
       "account=<id> [--custom-filter=<key>=<value>] [--custom-min=<key>=<value>] "
       "[--custom-max=<key>=<value>] [page_size=] [page_token=] [--all]",
       "List the contacts of an account; --custom-* conditions on filterable custom fields (each "
       "repeatable, all must hold)",
       List},
  };
}

}  // namespace crm::crmctl
