// The first start on a database without users creates user "admin" (role admin) and an access
// token for it, written to <data_dir>/admin-token readable by the owner only: the one way in
// before anyone has made tokens through AdminService.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/core/clock.h"
#include "common/db/database.h"

namespace crm::auth {

inline constexpr char kFirstAdminUser[] = "admin";
inline constexpr char kAdminTokenFile[] = "admin-token";

// The path of the token file written, or nullopt when the database already had users.
absl::StatusOr<std::optional<std::string>> EnsureFirstAdmin(db::Database& db, const Clock& clock,
                                                            const std::string& data_dir);

// Writes `contents` to `path` with mode 0600, replacing it whole (a reader never sees half).
absl::Status WritePrivateFile(const std::string& path, const std::string& contents);

}  // namespace crm::auth
