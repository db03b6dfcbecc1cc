// Making a user and a token for it without AdminService: what the first start, the test server
// and the benchmarks do straight on the database.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "crm/v1/admin.pb.h"

namespace crm::auth {

struct AccessGrant {
  std::string user_id;
  // Replaces the user's role when set; a new user without one becomes an admin.
  std::optional<crm::v1::Role> role;
  // For a new user.
  std::string display_name;
  std::string token_description;
  std::string created_by;
  absl::Time now;
  // True: the user must be new. ALREADY_EXISTS when it exists, or when a concurrent transaction
  // creates it first (a plain insert, which waits for that transaction and then conflicts),
  // instead of changing it.
  bool new_user_only = false;
};

// Creates the user of `grant` (or gives it the role) and a token for it whose secret is
// `secret` (see NewTokenSecret); returns the token's id.
absl::StatusOr<std::string> GrantAccess(db::Tx& tx, const AccessGrant& grant, const std::string& secret);

}  // namespace crm::auth
