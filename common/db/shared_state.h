// Small pieces of state shared by every process on one database: named secrets and job leases.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/database.h"

namespace crm::db {

// The secret stored under `name`, created (random, 32 bytes, hex) on first use.
absl::StatusOr<std::string> GetOrCreateSecret(Database& db, absl::string_view name);

// Takes or renews the lease `name` for `holder` until now + ttl. True when `holder` holds it
// afterwards; false when another holder's lease has not expired. Background jobs call this each
// round, so only one process runs a job at a time and a crashed holder is replaced after ttl.
absl::StatusOr<bool> TryAcquireLease(Database& db, absl::string_view name, absl::string_view holder,
                                     absl::Time now, absl::Duration ttl);

// Gives the lease `name` up at once when `holder` holds it (a finished run need not wait for its
// lease to expire before the next may start); does nothing otherwise.
absl::Status ReleaseLease(Database& db, absl::string_view name, absl::string_view holder);

}  // namespace crm::db
