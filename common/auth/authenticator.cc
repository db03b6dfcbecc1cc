#include "common/auth/authenticator.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/auth_store.h"
#include "common/auth/token_secret.h"

namespace crm::auth {
namespace {

// Enough for every token in use; a flood of made-up secrets is not cached at all.
constexpr size_t kMaxCached = 10000;

absl::Status Refused(absl::string_view why) { return absl::UnauthenticatedError(why); }

}  // namespace

absl::StatusOr<Principal> Authenticator::Authenticate(absl::string_view secret, absl::Time deadline) {
  if (secret.empty()) return Refused("missing bearer token: send `authorization: Bearer <token>`");
  const std::string hash = TokenSecretHash(secret);
  const absl::Time now = clock_->Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && absl::Now() < it->second.fresh_until) {
      if (it->second.token_expires && *it->second.token_expires <= now) return Refused("access token expired");
      return it->second.principal;
    }
  }

  std::optional<Credential> credential;
  std::vector<std::string> team_members;
  absl::Status read = db_->Read(
      [&](soci::session& sql) -> absl::Status {
        absl::StatusOr<std::optional<Credential>> found = AuthStore::FindCredential(sql, hash);
        if (!found.ok()) return found.status();
        credential = *std::move(found);
        if (credential && credential->role == crm::v1::ROLE_SALES_MANAGER && !credential->team_id.empty()) {
          absl::StatusOr<std::vector<std::string>> members = AuthStore::TeamMemberIds(sql, credential->team_id);
          if (!members.ok()) return members.status();
          team_members = *std::move(members);
        }
        return absl::OkStatus();
      },
      deadline);
  if (!read.ok()) {
    if (absl::IsDeadlineExceeded(read)) return read;
    return absl::UnavailableError(absl::StrCat("cannot check the access token: ", read.message()));
  }
  if (!credential) return Refused("unknown access token");
  if (credential->revoked) return Refused("access token revoked");
  if (credential->user_disabled) return Refused(absl::StrCat("user ", credential->user_id, " is disabled"));
  if (credential->expire_time && *credential->expire_time <= now) return Refused("access token expired");

  Cached cached{Principal{credential->user_id, credential->role, credential->team_id, std::move(team_members),
                          credential->token_id},
                credential->expire_time, absl::Now() + cache_for_};
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_.insert_or_assign(hash, cached);
  return cached.principal;
}

void Authenticator::Forget(const std::string& secret_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(secret_hash);
}

void Authenticator::ForgetAll() {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.clear();
}

}  // namespace crm::auth
