// Turns the secret a call presents into the principal it stands for. Lookups are cached for a
// second: a call does not pay a database read, and a token revoked or a user disabled through
// another server stops working within that second (through this one, at once: Forget).
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/core/clock.h"
#include "common/db/database.h"

namespace crm::auth {

class Authenticator {
 public:
  Authenticator(db::Database* db, const Clock* clock, absl::Duration cache_for = absl::Seconds(1))
      : db_(db), clock_(clock), cache_for_(cache_for) {}

  // The principal of `secret`; UNAUTHENTICATED when it names no token, or a revoked or expired
  // token, or a disabled user; UNAVAILABLE when the database cannot be asked.
  absl::StatusOr<Principal> Authenticate(absl::string_view secret, absl::Time deadline);

  // Drops a cached lookup (a token revoked here) or every one (a user changed here).
  void Forget(const std::string& secret_hash);
  void ForgetAll();

 private:
  struct Cached {
    Principal principal;
    // The token's own expiry (the clock's time), and when the lookup must be repeated (real time).
    std::optional<absl::Time> token_expires;
    absl::Time fresh_until;
  };

  db::Database* db_;
  const Clock* clock_;
  const absl::Duration cache_for_;
  // std::mutex rather than absl::Mutex: every call's thread uses the cache, and ThreadSanitizer
  // cannot see Debian's uninstrumented absl::Mutex (tests/sanitize.sh).
  std::mutex mu_;
  absl::flat_hash_map<std::string, Cached> cache_;  // guarded by mu_
};

}  // namespace crm::auth
