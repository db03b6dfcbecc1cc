#include "clients/crmctl/accounts_commands.h"

#include "clients/crmctl/accounts_import.h"
#include "clients/crmctl/columns.h"
#include "clients/crmctl/custom_field_arguments.h"

namespace crm::crmctl {
namespace {

// Shorter names for the filters people type most.
const std::map<std::string, std::string>& FilterAliases() {
  static const auto* const kAliases =
      new std::map<std::string, std::string>{{"order", "order_by"}, {"stage", "lifecycle_stage"}};
  return *kAliases;
}

int Create(CommandContext& context) {
  return RunCreateWithCustom<v1::CreateAccountRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_ACCOUNT,
      [](v1::CreateAccountRequest& r) { return r.mutable_account(); },
      [&](const auto& r) { return context.accounts().CreateAccount(r); });
}

int Get(CommandContext& context) {
  return RunWithId<v1::GetAccountRequest>(
      context, [&](const auto& r) { return context.accounts().GetAccount(r); });
}

int Update(CommandContext& context) {
  return RunUpdateWithCustom<v1::UpdateAccountRequest>(
      context, v1::CUSTOM_FIELD_ENTITY_ACCOUNT,
      [](v1::UpdateAccountRequest& r) { return r.mutable_account(); },
      [&](const auto& r) { return context.accounts().UpdateAccount(r); });
}

int Delete(CommandContext& context) {
  return RunWithId<v1::DeleteAccountRequest>(
      context, [&](const auto& r) { return context.accounts().DeleteAccount(r); });
}

int Undelete(CommandContext& context) {
  return RunWithId<v1::UndeleteAccountRequest>(
      context, [&](const auto& r) { return context.accounts().UndeleteAccount(r); });
}

int List(CommandContext& context) {
  v1::ListAccountsRequest request;
  absl::StatusOr<bool> all = ReadListArgumentsWithCustom(
      context, v1::CUSTOM_FIELD_ENTITY_ACCOUNT, {{&request}, {request.mutable_filter()}},
      *request.mutable_filter()->mutable_custom_fields(), FilterAliases());
  if (!all.ok()) return FailCustomFields(context, all.status());
  if (*all) return context.PrintAll(context.accounts().ListAllAccounts(request), AccountColumns());
  return context.PrintPage(context.accounts().ListAccounts(request),
                           &v1::ListAccountsResponse::accounts, AccountColumns());
}

int Export(CommandContext& context) {
  v1::ExportAccountsRequest request;
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  absl::StatusOr<CustomFilterArguments> custom = TakeCustomFilterArguments(context);
  if (!custom.ok()) return context.Usage(custom.status());
  if (absl::Status s =
          context.ApplyArguments({{&request}, {request.mutable_filter()}}, FilterAliases());
      !s.ok()) {
    return context.Usage(s);
  }
  CustomFieldCatalog fields(context.customfields(), v1::CUSTOM_FIELD_ENTITY_ACCOUNT);
  if (absl::Status s =
          AddCustomFilters(fields, *custom, *request.mutable_filter()->mutable_custom_fields());
      !s.ok()) {
    return FailCustomFields(context, s);
  }
  // JSON lines go out as they arrive (exports can be large); a table needs every row first.
  Table table(AccountColumns());
  absl::Status status = context.accounts().ExportAccounts(request, [&](const v1::Account& account) {
    if (context.format() == OutputFormat::kTable) {
      table.Add(account);
      return true;
    }
    context.out() << ToJsonLine(account) << '\n';
    return static_cast<bool>(context.out());  // stop once the reader has gone (| head)
  });
  if (context.format() == OutputFormat::kTable) table.Print(context.out());
  return status.ok() ? kExitOk : context.Fail(status);
}

int Import(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> file = context.Positional({"<file.csv>"});
  if (!file.ok()) return context.Usage(file.status());
  absl::StatusOr<bool> confirm_duplicates = context.TakeSwitch("confirm_duplicate");
  if (!confirm_duplicates.ok()) return context.Usage(confirm_duplicates.status());
  if (absl::Status s = context.ApplyArguments({}); !s.ok()) return context.Usage(s);
  return RunAccountsImport(context, file->front(), *confirm_duplicates);
}

}  // namespace

std::vector<Command> AccountCommands() {
  return {
      {"accounts", "create",
       "name=... [kind=company|person] [owner=...] [website=] [phone=] [<field>=<value> ...] "
       "[--custom=<key>=<value> ...] [--confirm-duplicate]",
       "Create an account; arguments name Account fields (request_id= to set the idempotency "
       "key), --custom its custom fields (see `crmctl fields list entity=account`); possible "
       "duplicates are listed on stderr, and --confirm-duplicate creates it where the duplicate "
       "policy refuses (see `crmctl duplicates`)",
       Create},
      {"accounts", "get", "<id>", "Show one account", Get},
      {"accounts", "update", "<id> <field>=<value> ... [--custom=<key>=<value> ...] [etag=...]",
       "Change the named fields (<field>= and --custom=<key>= clear one); with etag only if "
       "unchanged since",
       Update},
      {"accounts", "delete", "<id> [etag=...]", "Soft-delete an account", Delete},
      {"accounts", "undelete", "<id>", "Restore a soft-deleted account", Undelete},
      {"accounts", "list",
       "[owner=] [tier=] [stage=] [industry=] [region=] [kind=] [text=] [tag=] "
       "[--custom-filter=<key>=<value>] [--custom-min=<key>=<value>] "
       "[--custom-max=<key>=<value>] [order='name desc'|'custom.<key>'] [page_size=] "
       "[page_token=] [show_deleted=true] [--all]",
       "List accounts: one page, or every page with --all; --custom-* conditions on filterable "
       "custom fields (each repeatable, all must hold)",
       List},
      {"accounts", "export", "[filters as for list] [show_deleted=true]",
       "Stream every matching account (--output=json: JSON lines)", Export},
      {"accounts", "import", "<file.csv> [--confirm-duplicate]",
       "Import accounts from CSV whose header row names Account fields; new rows matching "
       "existing accounts are listed on stderr, or refused where the duplicate settings say so "
       "unless --confirm-duplicate",
       Import},
  };
}

}  // namespace crm::crmctl
