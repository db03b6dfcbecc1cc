#include "common/db/shared_state.h"

#include <openssl/rand.h>
#include <soci/soci.h>

#include "absl/strings/escaping.h"
#include "common/db/sql_error.h"

namespace crm::db {
namespace {

constexpr char kSelectSecret[] = "SELECT secret FROM server_secrets WHERE name = :name";
constexpr char kInsertSecret[] = " INTO server_secrets (name, secret) VALUES (:name, :secret)";

constexpr char kInsertLease[] = " INTO job_leases (name, holder, expires_at) VALUES (:name, :holder, :exp)";
constexpr char kTakeLease[] =
    "UPDATE job_leases SET holder = :holder, expires_at = :exp "
    "WHERE name = :name AND (holder = :holder2 OR expires_at < :now)";

constexpr char kReleaseLease[] = "UPDATE job_leases SET expires_at = 0 WHERE name = :name AND holder = :holder";

}  // namespace

absl::StatusOr<std::string> GetOrCreateSecret(Database& db, absl::string_view name) {
  std::string secret;
  const std::string key(name);
  absl::Status status = db.Write([&](Tx& tx) -> absl::Status {
    return Guard("secret", [&]() -> absl::Status {
      unsigned char random[32];
      RAND_bytes(random, sizeof(random));
      std::string fresh = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(random), sizeof(random)));
      tx.session() << std::string(tx.dialect().InsertIgnore()) + kInsertSecret, soci::use(key), soci::use(fresh);
      tx.session() << kSelectSecret, soci::use(key), soci::into(secret);
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return secret;
}

absl::StatusOr<bool> TryAcquireLease(Database& db, absl::string_view name, absl::string_view holder,
                                     absl::Time now, absl::Duration ttl) {
  bool held = false;
  const std::string lease(name), who(holder);
  long long now_us = absl::ToUnixMicros(now);
  long long expires = absl::ToUnixMicros(now + ttl);
  absl::Status status = db.Write([&](Tx& tx) -> absl::Status {
    return Guard("lease", [&]() -> absl::Status {
      long long past = 0;
      tx.session() << std::string(tx.dialect().InsertIgnore()) + kInsertLease, soci::use(lease),
          soci::use(who), soci::use(past);
      soci::statement update = (tx.session().prepare << kTakeLease, soci::use(who, "holder"),
                                soci::use(expires, "exp"), soci::use(lease, "name"),
                                soci::use(who, "holder2"), soci::use(now_us, "now"));
      update.execute(true);
      held = update.get_affected_rows() == 1;
      return absl::OkStatus();
    });
  });
  if (!status.ok()) return status;
  return held;
}

absl::Status ReleaseLease(Database& db, absl::string_view name, absl::string_view holder) {
  const std::string lease(name), who(holder);
  return db.Write([&](Tx& tx) -> absl::Status {
    return Guard("release lease", [&]() -> absl::Status {
      tx.session() << kReleaseLease, soci::use(lease, "name"), soci::use(who, "holder");
      return absl::OkStatus();
    });
  });
}

}  // namespace crm::db
