#include "clients/crmctl/admin_commands.h"

#include <ostream>

namespace crm::crmctl {
namespace {

constexpr size_t kTextWidth = 40;

std::vector<Column> UserColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("ROLE", "role"),
          FieldColumn("TEAM", "team_id"),
          FieldColumn("NAME", "display_name", kTextWidth),
          FieldColumn("DISABLED", "disabled"),
          FieldColumn("UPDATED", "update_time")};
}

std::vector<Column> AccessTokenColumns() {
  return {FieldColumn("ID", "id"),
          FieldColumn("USER", "user_id"),
          FieldColumn("DESCRIPTION", "description", kTextWidth),
          FieldColumn("CREATED", "create_time"),
          FieldColumn("EXPIRES", "expire_time"),
          FieldColumn("REVOKED", "revoke_time"),
          FieldColumn("BY", "created_by")};
}

std::vector<Column> AuditRecordColumns() {
  return {FieldColumn("TIME", "time"),
          FieldColumn("ACTOR", "actor"),
          FieldColumn("METHOD", "method", kTextWidth),
          FieldColumn("ENTITY", "entity"),
          FieldColumn("ID", "entity_id"),
          FieldColumn("CHANGE", "change"),
          FieldColumn("FIELDS", "changed_fields", kTextWidth),
          FieldColumn("REQUEST", "request_id")};
}

int WhoAmI(CommandContext& context) {
  v1::WhoAmIRequest request;
  if (absl::Status s = context.Positional({}).status(); !s.ok()) return context.Usage(s);
  if (absl::Status s = context.ApplyArguments({{&request}}); !s.ok()) return context.Usage(s);
  return context.PrintResult(context.admin().WhoAmI(request));
}

// `users set <id> role=... [team=] [name=] [disabled=]`: SetUser replaces the whole user, so
// what is not named becomes empty (or false), as the synopsis says.
int SetUser(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> id = context.Positional({"<id>"});
  if (!id.ok()) return context.Usage(id.status());
  v1::SetUserRequest request;
  request.mutable_user()->set_id(id->front());
  if (absl::Status s =
          context.ApplyArguments({{request.mutable_user()}}, {{"name", "display_name"}});
      !s.ok()) {
    return context.Usage(s);
  }
  return context.PrintResult(context.admin().SetUser(request));
}

int GetUser(CommandContext& context) {
  return RunWithId<v1::GetUserRequest>(context,
                                       [&](const auto& r) { return context.admin().GetUser(r); });
}

int ListUsers(CommandContext& context) {
  v1::ListUsersRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments({{&request}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, context.admin(), request, &client::AdminClient::ListUsers,
                   &client::AdminClient::ListAllUsers, &v1::ListUsersResponse::users,
                   UserColumns());
}

// The one place a secret is printed: the server returns it only here.
int CreateToken(CommandContext& context) {
  absl::StatusOr<std::vector<std::string>> user = context.Positional({"<user-id>"});
  if (!user.ok()) return context.Usage(user.status());
  v1::CreateAccessTokenRequest request;
  request.set_user_id(user->front());
  if (absl::Status s = context.ApplyArguments({{&request}}, {{"expires", "expire_time"}});
      !s.ok()) {
    return context.Usage(s);
  }
  const int code = context.PrintResult(context.admin().CreateAccessToken(request));
  if (code == kExitOk) {
    // On stderr, so that stdout stays the record (or JSON) a script reads the secret from.
    context.err() << "The secret is shown only this once (the server keeps only its hash): "
                     "pass it with --token, CRM_TOKEN or --token_file.\n";
  }
  return code;
}

int RevokeToken(CommandContext& context) {
  return RunWithId<v1::RevokeAccessTokenRequest>(
      context, [&](const auto& r) { return context.admin().RevokeAccessToken(r); });
}

int ListTokens(CommandContext& context) {
  v1::ListAccessTokensRequest request;
  absl::StatusOr<bool> all =
      context.ReadListArguments({{&request}}, {{"inactive", "include_inactive"}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, context.admin(), request, &client::AdminClient::ListAccessTokens,
                   &client::AdminClient::ListAllAccessTokens, &v1::ListAccessTokensResponse::tokens,
                   AccessTokenColumns());
}

int ListAudit(CommandContext& context) {
  v1::ListAuditRecordsRequest request;
  absl::StatusOr<bool> all = context.ReadListArguments(
      {{&request}, {request.mutable_filter()}}, {{"since", "start_time"}, {"until", "end_time"}});
  if (!all.ok()) return context.Usage(all.status());
  return PrintList(context, *all, context.admin(), request, &client::AdminClient::ListAuditRecords,
                   &client::AdminClient::ListAllAuditRecords, &v1::ListAuditRecordsResponse::records,
                   AuditRecordColumns());
}

}  // namespace

std::vector<Command> AdminCommands() {
  return {
      {"whoami", "", "", "The user your token speaks for, with its role", WhoAmI},
      {"users", "set",
       "<id> role=admin|sales_manager|sales_rep|service_manager|service_agent|analyst "
       "[team=<team-id>] [name=<display name>] [disabled=true|false]",
       "Create a user or replace its role, team, name and disabled flag (those not given "
       "become empty / false); a disabled user's tokens stop working",
       SetUser},
      {"users", "get", "<id>", "Show one user", GetUser},
      {"users", "list", "[role=<role>] [page_size=] [page_token=] [--all]", "Users in id order",
       ListUsers},
      {"tokens", "create", "<user-id> [description=...] [expires=<RFC 3339 time>|+30d]",
       "Make an access token for a user and print its secret, shown this once only", CreateToken},
      {"tokens", "revoke", "<token-id>", "Stop a token from authenticating (at once)", RevokeToken},
      {"tokens", "list", "[user=<id>] [inactive=true] [page_size=] [page_token=] [--all]",
       "Access tokens, newest first, without secrets; inactive=true adds revoked and expired "
       "ones",
       ListTokens},
      {"audit", "list",
       "[actor=<user>] [method=crm.v1.<Service>/<Method>] [entity=<kind>] [entity_id=<id>] "
       "[request_id=] [since=<RFC 3339 time>] [until=<RFC 3339 time>] [page_size=] [page_token=] "
       "[--all]",
       "The audit trail, newest first: who changed which record through which method, and "
       "which fields",
       ListAudit},
  };
}

}  // namespace crm::crmctl
