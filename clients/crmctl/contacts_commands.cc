#include "clients/crmctl/contacts_commands.h"

#include "clients/crmctl/columns.h"

namespace crm::crmctl {
namespace {

int Create(CommandContext& context) {
  return RunCreate<v1::CreateContactRequest>(
      context, [](v1::CreateContactRequest& r) { return r.mutable_contact(); },
      [&](const auto& r) { return context.accounts().CreateContact(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetContactRequest>(
      context, [&](const auto& r) { return context.accounts().GetContact(r); });
}

int Update(CommandContext& context) {
  return RunUpdate<v1::UpdateContactRequest>(
      context, [](v1::UpdateContactRequest& r) { return r.mutable_contact(); },
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
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  if (*all) return context.PrintAll(context.accounts().ListAllContacts(request), ContactColumns());
  return context.PrintPage(context.accounts().ListContacts(request),
                           &v1::ListContactsResponse::contacts, ContactColumns());
}

}  // namespace

std::vector<Command> ContactCommands() {
  return {
      {"contacts", "create",
       "account=<id> full_name=... [title=] [email=] [phone=] "
       "[preferred_channel=email] [decision_role=champion]",
       "Add a contact to an account", Create},
      {"contacts", "get", "<id>", "Show one contact", Get},
      {"contacts", "update", "<id> <field>=<value> ... [etag=...]", "Change the named fields",
       Update},
      {"contacts", "delete", "<id> [etag=...]", "Delete a contact", Delete},
      {"contacts", "list", "account=<id> [page_size=] [page_token=] [--all]",
       "List the contacts of an account", List},
  };
}

}  // namespace crm::crmctl
