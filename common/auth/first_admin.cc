#include "common/auth/first_admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <soci/soci.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/auth/access_grant.h"
#include "common/auth/auth_store.h"
#include "common/auth/token_secret.h"
#include "common/db/sql_error.h"

namespace crm::auth {

absl::Status WritePrivateFile(const std::string& path, const std::string& contents) {
  const std::string temporary = absl::StrCat(path, ".tmp");
  auto failed = [&](absl::string_view what) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return absl::FailedPreconditionError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(error)));
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failed("create");
  // The mode given to open() is narrowed by the umask only; make sure of it either way.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t written = 0;
  while (ok && written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (::close(fd) != 0) ok = false;
  if (!ok) return failed("write");
  if (::rename(temporary.c_str(), path.c_str()) != 0) return failed("replace");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> EnsureFirstAdmin(db::Database& db, const Clock& clock,
                                                            const std::string& data_dir) {
  // Most starts find users: a read tells, without a write transaction on every start.
  int64_t users_before = 0;
  absl::Status counted = db.Read([&](soci::session& sql) -> absl::Status {
    absl::StatusOr<int64_t> users = AuthStore::CountUsers(sql);
    if (!users.ok()) return users.status();
    users_before = *users;
    return absl::OkStatus();
  });
  if (!counted.ok()) return counted;
  if (users_before > 0) return std::optional<std::string>();

  const std::string secret = NewTokenSecret();
  const std::string path = (std::filesystem::path(data_dir) / kAdminTokenFile).string();
  std::optional<std::string> written;
  absl::Status status = db.Write([&](db::Tx& tx) -> absl::Status {
    // An earlier attempt's file holds a token that was rolled back (e.g. Galera refused its
    // commit because another node's server made the first admin at the same moment).
    if (written.has_value()) {
      std::error_code ignored;
      std::filesystem::remove(*written, ignored);
      written.reset();
    }
    absl::StatusOr<int64_t> users = AuthStore::CountUsers(tx.session());
    if (!users.ok()) return users.status();
    if (*users > 0) return absl::OkStatus();  // another server got there first
    if (data_dir.empty()) {
      return absl::FailedPreconditionError("a first start needs a data directory to write the admin token to");
    }
    AccessGrant grant;
    grant.user_id = kFirstAdminUser;
    grant.role = crm::v1::ROLE_ADMIN;
    grant.display_name = "Administrator";
    grant.token_description = "created at the first start";
    grant.created_by = "system";
    grant.now = clock.Now();
    // Servers started together on an empty database (MySQL) all find no users; the user's
    // insert decides which one makes the first admin, and the others run again and find it
    // (found by the scale-out drill, tests/faults: it used to be one admin token per server).
    grant.new_user_only = true;
    absl::StatusOr<std::string> granted = GrantAccess(tx, grant, secret);
    if (absl::IsAlreadyExists(granted.status())) return db::RetryTransaction("first admin made by another server");
    if (!granted.ok()) return granted.status();
    // Written before the commit: a token whose secret could not be kept must not exist. Should
    // the commit fail after this, the next start finds no users and writes the file again.
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (absl::Status s = WritePrivateFile(path, secret + "\n"); !s.ok()) return s;
    written = path;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return written;
}

}  // namespace crm::auth
