#include "common/auth/auth_store.h"

#include <soci/soci.h>

#include "common/core/time_util.h"
#include "common/db/query.h"
#include "common/db/row_scan.h"
#include "common/db/sql_error.h"

namespace crm::auth {
namespace {

constexpr char kUserColumns[] =
    "SELECT id, role, team_id, display_name, disabled, create_time, update_time FROM auth_users";
constexpr char kTokenColumns[] =
    "SELECT id, user_id, description, create_time, expire_time, revoke_time, created_by FROM auth_tokens";

crm::v1::User UserFromRow(const db::ScannedRow& r) {
  crm::v1::User u;
  u.set_id(std::string(r.Text(0)));
  u.set_role(static_cast<crm::v1::Role>(r.Int(1)));
  u.set_team_id(std::string(r.Text(2)));
  u.set_display_name(std::string(r.Text(3)));
  u.set_disabled(r.Int(4) != 0);
  *u.mutable_create_time() = MicrosToTimestamp(r.Int(5));
  *u.mutable_update_time() = MicrosToTimestamp(r.Int(6));
  return u;
}

crm::v1::AccessToken TokenFromRow(const db::ScannedRow& r) {
  crm::v1::AccessToken t;
  t.set_id(std::string(r.Text(0)));
  t.set_user_id(std::string(r.Text(1)));
  t.set_description(std::string(r.Text(2)));
  *t.mutable_create_time() = MicrosToTimestamp(r.Int(3));
  if (!r.IsNull(4)) *t.mutable_expire_time() = MicrosToTimestamp(r.Int(4));
  if (!r.IsNull(5)) *t.mutable_revoke_time() = MicrosToTimestamp(r.Int(5));
  t.set_created_by(std::string(r.Text(6)));
  return t;
}


}  // namespace

db::MigrationSet AuthMigrations() {
  return db::MigrationSet{
      "auth",
      {
          {1,
           "users and access tokens",
           {
               "CREATE TABLE IF NOT EXISTS auth_users ("
               " id VARCHAR(200) NOT NULL PRIMARY KEY,"
               " role BIGINT NOT NULL,"
               " team_id VARCHAR(200) NOT NULL,"
               " display_name VARCHAR(200) NOT NULL,"
               " disabled BIGINT NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE TABLE IF NOT EXISTS auth_tokens ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " user_id VARCHAR(200) NOT NULL,"
               " secret_hash VARCHAR(64) NOT NULL UNIQUE,"
               " description VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " expire_time BIGINT NULL,"
               " revoke_time BIGINT NULL,"
               " created_by VARCHAR(200) NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS auth_tokens_by_user ON auth_tokens (user_id, create_time, id)",
               "CREATE INDEX IF NOT EXISTS auth_tokens_by_create ON auth_tokens (create_time, id)",
           }},
      }};
}

absl::StatusOr<std::optional<Credential>> AuthStore::FindCredential(soci::session& sql,
                                                                   const std::string& secret_hash) {
  db::SqlQuery q(
      "SELECT t.id, t.user_id, u.role, u.team_id, u.disabled, t.expire_time, t.revoke_time"
      " FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id");
  q.Where("t.secret_hash = ?", secret_hash);
  return db::ScanOne<Credential>(sql, q, "read access token", [](const db::ScannedRow& r) {
    Credential c;
    c.token_id = std::string(r.Text(0));
    c.user_id = std::string(r.Text(1));
    c.role = static_cast<crm::v1::Role>(r.Int(2));
    c.team_id = std::string(r.Text(3));
    c.user_disabled = r.Int(4) != 0;
    if (!r.IsNull(5)) c.expire_time = FromMicros(r.Int(5));
    c.revoked = !r.IsNull(6);
    return c;
  });
}

absl::StatusOr<std::optional<crm::v1::User>> AuthStore::FindUser(soci::session& sql, const std::string& id) {
  db::SqlQuery q(kUserColumns);
  q.Where("id = ?", id);
  return db::ScanOne<crm::v1::User>(sql, q, "read user", UserFromRow);
}

absl::StatusOr<int64_t> AuthStore::CountUsers(soci::session& sql) {
  int64_t count = 0;
  absl::Status status = db::ScanRows(sql, db::SqlQuery("SELECT COUNT(*) FROM auth_users"), "count users",
                                     [&](const db::ScannedRow& r) {
                                       count = r.Int(0);
                                       return false;
                                     });
  if (!status.ok()) return status;
  return count;
}

absl::StatusOr<std::vector<crm::v1::User>> AuthStore::ListUsers(soci::session& sql, const UserQuery& query) {
  db::SqlQuery q(kUserColumns);
  if (query.role != crm::v1::ROLE_UNSPECIFIED) q.Where("role = ?", static_cast<long long>(query.role));
  if (!query.after_id.empty()) q.Where("id > ?", query.after_id);
  q.Append(" ORDER BY id LIMIT ?", query.limit);
  return db::ScanAll<crm::v1::User>(sql, q, "list users", UserFromRow);
}

absl::StatusOr<std::vector<std::string>> AuthStore::TeamMemberIds(soci::session& sql, const std::string& team_id) {
  db::SqlQuery q("SELECT id FROM auth_users");
  q.Where("team_id = ?", team_id).Append(" ORDER BY id");
  return db::ScanAll<std::string>(sql, q, "read team members", db::FirstText);
}

absl::Status AuthStore::PutUser(db::Tx& tx, const crm::v1::User& user) {
  return db::Guard("write user", [&]() -> absl::Status {
    long long role = user.role(), disabled = user.disabled() ? 1 : 0, updated = TimestampToMicros(user.update_time());
    soci::statement update =
        (tx.session().prepare << "UPDATE auth_users SET role = :role, team_id = :team, display_name = :name,"
                                 " disabled = :disabled, update_time = :updated WHERE id = :id",
         soci::use(role, "role"), soci::use(user.team_id(), "team"), soci::use(user.display_name(), "name"),
         soci::use(disabled, "disabled"), soci::use(updated, "updated"), soci::use(user.id(), "id"));
    update.execute(true);
    if (update.get_affected_rows() > 0) return absl::OkStatus();
    return InsertUser(tx, user);
  });
}

absl::Status AuthStore::InsertUser(db::Tx& tx, const crm::v1::User& user) {
  return db::Guard("write user", [&]() -> absl::Status {
    long long role = user.role(), disabled = user.disabled() ? 1 : 0, created = TimestampToMicros(user.create_time()),
              updated = TimestampToMicros(user.update_time());
    tx.session() << "INSERT INTO auth_users (id, role, team_id, display_name, disabled, create_time, update_time)"
                    " VALUES (:id, :role, :team, :name, :disabled, :created, :updated)",
        soci::use(user.id(), "id"), soci::use(role, "role"), soci::use(user.team_id(), "team"),
        soci::use(user.display_name(), "name"), soci::use(disabled, "disabled"), soci::use(created, "created"),
        soci::use(updated, "updated");
    return absl::OkStatus();
  });
}

absl::Status AuthStore::InsertToken(db::Tx& tx, const crm::v1::AccessToken& token, const std::string& secret_hash) {
  return db::Guard("write access token", [&]() -> absl::Status {
    long long created = TimestampToMicros(token.create_time());
    long long expire = token.has_expire_time() ? TimestampToMicros(token.expire_time()) : 0;
    soci::indicator expire_set = token.has_expire_time() ? soci::i_ok : soci::i_null;
    tx.session() << "INSERT INTO auth_tokens (id, user_id, secret_hash, description, create_time, expire_time,"
                    " revoke_time, created_by) VALUES (:id, :user_id, :hash, :description, :created, :expire,"
                    " NULL, :created_by)",
        soci::use(token.id(), "id"), soci::use(token.user_id(), "user_id"), soci::use(secret_hash, "hash"),
        soci::use(token.description(), "description"), soci::use(created, "created"),
        soci::use(expire, expire_set, "expire"), soci::use(token.created_by(), "created_by");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<crm::v1::AccessToken>> AuthStore::FindToken(soci::session& sql, const std::string& id) {
  db::SqlQuery q(kTokenColumns);
  q.Where("id = ?", id);
  return db::ScanOne<crm::v1::AccessToken>(sql, q, "read access token", TokenFromRow);
}

absl::StatusOr<std::optional<std::string>> AuthStore::TokenSecretHashOf(soci::session& sql, const std::string& id) {
  db::SqlQuery q("SELECT secret_hash FROM auth_tokens");
  q.Where("id = ?", id);
  return db::ScanOne<std::string>(sql, q, "read access token", db::FirstText);
}

absl::Status AuthStore::MarkRevoked(db::Tx& tx, const std::string& id, absl::Time when) {
  return db::Guard("revoke access token", [&]() -> absl::Status {
    long long at = ToMicros(when);
    tx.session() << "UPDATE auth_tokens SET revoke_time = :at WHERE id = :id AND revoke_time IS NULL",
        soci::use(at, "at"), soci::use(id, "id");
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<crm::v1::AccessToken>> AuthStore::ListTokens(soci::session& sql, const TokenQuery& query) {
  db::SqlQuery q(kTokenColumns);
  if (!query.user_id.empty()) q.Where("user_id = ?", query.user_id);
  if (!query.include_inactive) {
    q.Where("revoke_time IS NULL").Where("(expire_time IS NULL OR expire_time > ?)",
                                         static_cast<long long>(ToMicros(query.now)));
  }
  if (query.before_create_micros) {
    const long long before = *query.before_create_micros;
    q.Where("(create_time < ? OR (create_time = ? AND id < ?))", before, before, query.before_id);
  }
  q.Append(" ORDER BY create_time DESC, id DESC LIMIT ?", query.limit);
  return db::ScanAll<crm::v1::AccessToken>(sql, q, "list access tokens", TokenFromRow);
}

}  // namespace crm::auth
