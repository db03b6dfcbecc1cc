#include "services/admin/admin_logic.h"

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/auth/auth_store.h"
#include "common/auth/authenticator.h"
#include "common/auth/token_secret.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/db/entity_ops.h"

namespace crm::admin {
namespace {

using auth::AuthStore;
using crm::v1::AccessToken;
using crm::v1::User;

constexpr char kUsersScope[] = "admin.users";
constexpr char kTokensScope[] = "admin.access_tokens";
constexpr char kAuditScope[] = "admin.audit_records";
constexpr char kUserEntity[] = "user";
constexpr char kTokenEntity[] = "access_token";

absl::StatusOr<User> ReadUser(soci::session& sql, const std::string& id, absl::string_view field) {
  absl::StatusOr<std::optional<User>> user = AuthStore::FindUser(sql, id);
  if (!user.ok()) return user.status();
  if (!user->has_value()) return NoSuchEntity(field, "user", id);
  return **user;
}

}  // namespace

absl::StatusOr<User> AdminLogic::SetUser(const server::CallContext& call, const crm::v1::SetUserRequest& request) const {
  const User& in = request.user();
  Validator v;
  v.Check(request.has_user(), "user", "is required");
  v.RequiredText(in.id(), "user.id", kMaxNameLength);
  v.Enum(in.role(), crm::v1::Role_IsValid, "user.role", /*required=*/true);
  v.OptionalText(in.team_id(), "user.team_id", kMaxShortTextLength);
  v.OptionalText(in.display_name(), "user.display_name", kMaxNameLength);
  if (!v.ok()) return v.status();
  // An administrator cannot lock itself out; another administrator can still change it.
  if (in.id() == call.actor && (in.role() != crm::v1::ROLE_ADMIN || in.disabled())) {
    return FailedPreconditionField("user.role", "you cannot take the admin role from yourself or disable yourself");
  }

  User stored;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<User>> existing = AuthStore::FindUser(tx.session(), in.id());
        if (!existing.ok()) return existing.status();
        const absl::Time now = rt_.clock->Now();
        stored = in;
        *stored.mutable_create_time() = existing->has_value() ? (*existing)->create_time() : TimeToTimestamp(now);
        *stored.mutable_update_time() = TimeToTimestamp(now);
        if (absl::Status s = AuthStore::PutUser(tx, stored); !s.ok()) return s;
        const User* before = existing->has_value() ? &**existing : nullptr;
        // Users and tokens have no events: their changes are audited here.
        return audit::RecordChange(tx, kUserEntity, stored.id(),
                                   before ? crm::v1::CHANGE_KIND_UPDATED : crm::v1::CHANGE_KIND_CREATED,
                                   audit::ChangedFieldNames(DiffMessages(before, stored, {"create_time", "update_time"})), now);
      },
      call.deadline);
  if (!status.ok()) return status;
  // A new role or a disabled flag takes effect at once on this server.
  rt_.authenticator->ForgetAll();
  return stored;
}

absl::StatusOr<User> AdminLogic::GetUser(const server::CallContext& call, const crm::v1::GetUserRequest& request) const {
  if (absl::Status s = Validator().RequiredText(request.id(), "id", kMaxNameLength).status(); !s.ok()) return s;
  return db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return ReadUser(sql, request.id(), "id"); });
}

absl::StatusOr<crm::v1::ListUsersResponse> AdminLogic::ListUsers(const server::CallContext& call,
                                                                 const crm::v1::ListUsersRequest& request) const {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().Enum(request.role(), crm::v1::Role_IsValid, "role", false).status(); !s.ok()) {
    return s;
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kUsersScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  auth::UserQuery query;
  query.role = request.role();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<User>> users =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return AuthStore::ListUsers(sql, query); });
  if (!users.ok()) return users.status();
  crm::v1::ListUsersResponse response;
  response.set_next_page_token(page->Finish(&*users, [](const User& u) { return KeysetPage::Cursor{u.id()}; }));
  for (User& u : *users) *response.add_users() = std::move(u);
  return response;
}

absl::StatusOr<crm::v1::CreateAccessTokenResponse> AdminLogic::CreateAccessToken(
    const server::CallContext& call, const crm::v1::CreateAccessTokenRequest& request) const {
  const absl::Time now = rt_.clock->Now();
  Validator v;
  v.RequiredText(request.user_id(), "user_id", kMaxNameLength);
  v.OptionalText(request.description(), "description", kMaxShortTextLength);
  v.OptionalTimestamp(request.expire_time(), request.has_expire_time(), "expire_time");
  if (v.ok() && request.has_expire_time()) {
    v.Check(TimestampToTime(request.expire_time()) > now, "expire_time", "must lie in the future");
  }
  if (!v.ok()) return v.status();

  crm::v1::CreateAccessTokenResponse response;
  const std::string secret = auth::NewTokenSecret();
  AccessToken& token = *response.mutable_token();
  token.set_id(NewIdAt("tok", now));
  token.set_user_id(request.user_id());
  token.set_description(request.description());
  *token.mutable_create_time() = TimeToTimestamp(now);
  if (request.has_expire_time()) *token.mutable_expire_time() = request.expire_time();
  token.set_created_by(call.actor);
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<User> user = ReadUser(tx.session(), request.user_id(), "user_id");
        if (!user.ok()) return user.status();
        if (user->disabled()) return FailedPreconditionField("user_id", "the user is disabled");
        if (absl::Status s = AuthStore::InsertToken(tx, token, auth::TokenSecretHash(secret)); !s.ok()) return s;
        return audit::RecordChange(tx, kTokenEntity, token.id(), crm::v1::CHANGE_KIND_CREATED,
                                   audit::ChangedFieldNames(DiffMessages(nullptr, token, {"create_time"})), now);
      },
      call.deadline);
  if (!status.ok()) return status;
  response.set_secret(secret);
  return response;
}

absl::StatusOr<AccessToken> AdminLogic::RevokeAccessToken(const server::CallContext& call,
                                                          const crm::v1::RevokeAccessTokenRequest& request) const {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  AccessToken token;
  std::string secret_hash;
  absl::Status status = rt_.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        absl::StatusOr<std::optional<std::string>> hash = AuthStore::TokenSecretHashOf(tx.session(), request.id());
        if (!hash.ok()) return hash.status();
        if (!hash->has_value()) return NoSuchEntity("id", "access token", request.id());
        secret_hash = **hash;
        absl::StatusOr<std::optional<AccessToken>> before = AuthStore::FindToken(tx.session(), request.id());
        if (!before.ok()) return before.status();
        // Revoking twice keeps the first revocation time, and changes nothing to audit.
        const absl::Time now = rt_.clock->Now();
        if (absl::Status s = AuthStore::MarkRevoked(tx, request.id(), now); !s.ok()) return s;
        absl::StatusOr<std::optional<AccessToken>> found = AuthStore::FindToken(tx.session(), request.id());
        if (!found.ok()) return found.status();
        token = **found;
        if ((*before)->has_revoke_time()) return absl::OkStatus();
        return audit::RecordChange(tx, kTokenEntity, token.id(), crm::v1::CHANGE_KIND_UPDATED, {"revoke_time"}, now);
      },
      call.deadline);
  if (!status.ok()) return status;
  rt_.authenticator->Forget(secret_hash);
  return token;
}

absl::StatusOr<crm::v1::ListAccessTokensResponse> AdminLogic::ListAccessTokens(
    const server::CallContext& call, const crm::v1::ListAccessTokensRequest& request) const {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().OptionalText(request.user_id(), "user_id", kMaxNameLength).status(); !s.ok()) {
    return s;
  }
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kTokensScope, request, *page_size, 2);
  if (!page.ok()) return page.status();
  auth::TokenQuery query;
  query.user_id = request.user_id();
  query.include_inactive = request.include_inactive();
  query.now = rt_.clock->Now();
  if (!page->first()) {
    absl::StatusOr<int64_t> before = page->IntAt(0);
    if (!before.ok()) return before.status();
    query.before_create_micros = *before;
    query.before_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<AccessToken>> tokens =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return AuthStore::ListTokens(sql, query); });
  if (!tokens.ok()) return tokens.status();
  crm::v1::ListAccessTokensResponse response;
  response.set_next_page_token(page->Finish(&*tokens, [](const AccessToken& t) {
    return KeysetPage::Cursor{absl::StrCat(TimestampToMicros(t.create_time())), t.id()};
  }));
  for (AccessToken& t : *tokens) *response.add_tokens() = std::move(t);
  return response;
}

absl::StatusOr<crm::v1::ListAuditRecordsResponse> AdminLogic::ListAuditRecords(
    const server::CallContext& call, const crm::v1::ListAuditRecordsRequest& request) const {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  const crm::v1::AuditFilter& filter = request.filter();
  Validator v;
  v.OptionalText(filter.actor(), "filter.actor", kMaxNameLength);
  v.OptionalText(filter.method(), "filter.method", kMaxNameLength);
  v.OptionalText(filter.entity(), "filter.entity", kMaxShortTextLength);
  v.OptionalText(filter.entity_id(), "filter.entity_id", kMaxNameLength);
  v.OptionalText(filter.request_id(), "filter.request_id", kMaxNameLength);
  v.OptionalTimestamp(filter.start_time(), filter.has_start_time(), "filter.start_time");
  v.OptionalTimestamp(filter.end_time(), filter.has_end_time(), "filter.end_time");
  if (v.ok() && filter.has_start_time() && filter.has_end_time()) {
    v.Check(TimestampToMicros(filter.start_time()) < TimestampToMicros(filter.end_time()), "filter.end_time",
            "must lie after filter.start_time");
  }
  if (!v.ok()) return v.status();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kAuditScope, request, *page_size, 2);
  if (!page.ok()) return page.status();

  audit::AuditQuery query;
  query.actor = filter.actor();
  query.method = filter.method();
  query.entity = filter.entity();
  query.entity_id = filter.entity_id();
  query.request_id = filter.request_id();
  if (filter.has_start_time()) query.from_micros = TimestampToMicros(filter.start_time());
  if (filter.has_end_time()) query.until_micros = TimestampToMicros(filter.end_time());
  if (!page->first()) {
    absl::StatusOr<int64_t> before = page->IntAt(0);
    if (!before.ok()) return before.status();
    query.before_micros = *before;
    query.before_id = page->cursor()[1];
  }
  query.limit = page->fetch_limit();
  absl::StatusOr<std::vector<crm::v1::AuditRecord>> records =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) { return audit::ListAuditRecords(sql, query); });
  if (!records.ok()) return records.status();
  crm::v1::ListAuditRecordsResponse response;
  response.set_next_page_token(page->Finish(&*records, [](const crm::v1::AuditRecord& r) {
    return KeysetPage::Cursor{absl::StrCat(TimestampToMicros(r.time())), r.id()};
  }));
  for (crm::v1::AuditRecord& r : *records) *response.add_records() = std::move(r);
  return response;
}

absl::StatusOr<User> AdminLogic::WhoAmI(const server::CallContext& call) const {
  return db::ReadValue(*rt_.db, call.deadline,
                       [&](soci::session& sql) { return ReadUser(sql, call.actor, "authorization"); });
}

}  // namespace crm::admin
