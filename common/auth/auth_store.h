// The users who may call the services and their access tokens (secrets kept only as hashes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "common/db/migrations.h"
#include "crm/v1/admin.pb.h"

namespace crm::auth {

db::MigrationSet AuthMigrations();

// What authenticating a secret needs to know, read in one lookup.
struct Credential {
  std::string token_id;
  std::string user_id;
  crm::v1::Role role = crm::v1::ROLE_UNSPECIFIED;
  std::string team_id;
  bool user_disabled = false;
  std::optional<absl::Time> expire_time;
  bool revoked = false;
};

struct UserQuery {
  crm::v1::Role role = crm::v1::ROLE_UNSPECIFIED;
  std::string after_id;
  int limit = 50;
};

struct TokenQuery {
  std::string user_id;
  bool include_inactive = false;
  absl::Time now;
  // Keyset cursor in newest-first order.
  std::optional<int64_t> before_create_micros;
  std::string before_id;
  int limit = 50;
};

class AuthStore {
 public:
  static absl::StatusOr<std::optional<Credential>> FindCredential(soci::session& sql, const std::string& secret_hash);

  static absl::StatusOr<std::optional<crm::v1::User>> FindUser(soci::session& sql, const std::string& id);
  static absl::StatusOr<int64_t> CountUsers(soci::session& sql);
  // The ids of the users of sales team `team_id`, in id order.
  static absl::StatusOr<std::vector<std::string>> TeamMemberIds(soci::session& sql, const std::string& team_id);
  static absl::StatusOr<std::vector<crm::v1::User>> ListUsers(soci::session& sql, const UserQuery& query);
  // Inserts the user or replaces its role, team, display name and disabled flag (create_time
  // stays the first one).
  // A plain insert: ALREADY_EXISTS when the id is taken, also by a concurrent transaction that
  // commits first (the insert waits for it).
  static absl::Status InsertUser(db::Tx& tx, const crm::v1::User& user);
  static absl::Status PutUser(db::Tx& tx, const crm::v1::User& user);

  static absl::Status InsertToken(db::Tx& tx, const crm::v1::AccessToken& token, const std::string& secret_hash);
  static absl::StatusOr<std::optional<crm::v1::AccessToken>> FindToken(soci::session& sql, const std::string& id);
  // The hash of token `id`'s secret, to forget it from caches; nullopt when there is no such token.
  static absl::StatusOr<std::optional<std::string>> TokenSecretHashOf(soci::session& sql, const std::string& id);
  static absl::Status MarkRevoked(db::Tx& tx, const std::string& id, absl::Time when);
  static absl::StatusOr<std::vector<crm::v1::AccessToken>> ListTokens(soci::session& sql, const TokenQuery& query);
};

}  // namespace crm::auth
