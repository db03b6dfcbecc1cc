#include "common/auth/access_grant.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/auth/auth_store.h"
#include "common/auth/token_secret.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/time_util.h"

namespace crm::auth {

absl::StatusOr<std::string> GrantAccess(db::Tx& tx, const AccessGrant& grant, const std::string& secret) {
  absl::StatusOr<std::optional<crm::v1::User>> existing = AuthStore::FindUser(tx.session(), grant.user_id);
  if (!existing.ok()) return existing.status();
  const auto now = TimeToTimestamp(grant.now);
  crm::v1::User user;
  if (existing->has_value() && grant.new_user_only) {
    return absl::AlreadyExistsError(absl::StrCat("user ", grant.user_id, " already exists"));
  }
  if (existing->has_value()) {
    user = **existing;
  } else {
    user.set_id(grant.user_id);
    user.set_role(crm::v1::ROLE_ADMIN);
    user.set_display_name(grant.display_name);
    *user.mutable_create_time() = now;
  }
  if (grant.role) user.set_role(*grant.role);
  *user.mutable_update_time() = now;
  if (absl::Status s = grant.new_user_only ? AuthStore::InsertUser(tx, user) : AuthStore::PutUser(tx, user); !s.ok()) {
    return s;
  }
  // Audited like AdminService's changes, with the grant's maker (the first start: "system") as
  // the actor.
  const crm::v1::User* before = existing->has_value() ? &**existing : nullptr;
  const std::vector<std::string> user_fields =
      audit::ChangedFieldNames(DiffMessages(before, user, {"create_time", "update_time"}));
  if (!user_fields.empty()) {
    if (absl::Status s = audit::RecordChange(tx, "user", user.id(),
                                             before ? crm::v1::CHANGE_KIND_UPDATED : crm::v1::CHANGE_KIND_CREATED,
                                             user_fields, grant.now, grant.created_by);
        !s.ok()) {
      return s;
    }
  }

  crm::v1::AccessToken token;
  token.set_id(NewIdAt("tok", grant.now));
  token.set_user_id(grant.user_id);
  token.set_description(grant.token_description);
  token.set_created_by(grant.created_by);
  *token.mutable_create_time() = now;
  if (absl::Status s = AuthStore::InsertToken(tx, token, TokenSecretHash(secret)); !s.ok()) return s;
  if (absl::Status s = audit::RecordChange(tx, "access_token", token.id(), crm::v1::CHANGE_KIND_CREATED,
                                           audit::ChangedFieldNames(DiffMessages(nullptr, token, {"create_time"})),
                                           grant.now, grant.created_by);
      !s.ok()) {
    return s;
  }
  return token.id();
}

}  // namespace crm::auth
