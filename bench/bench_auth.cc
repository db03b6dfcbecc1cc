#include "bench/bench_auth.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth/access_grant.h"
#include "common/auth/first_admin.h"
#include "common/auth/token_secret.h"
#include "common/db/database.h"

namespace crm::bench {
namespace {

// The secret in `path` (one line); nullopt when there is no such file.
absl::StatusOr<std::optional<std::string>> ReadSecretFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<std::string>();
  std::ifstream file(path);
  std::string line;
  if (!file || !std::getline(file, line)) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::string secret(absl::StripAsciiWhitespace(line));
  if (secret.empty()) return absl::FailedPreconditionError(absl::StrCat(path, " holds no token"));
  return std::optional<std::string>(std::move(secret));
}

// Makes kBenchUser an admin and inserts a new token for it; returns its secret.
absl::StatusOr<std::string> MintBenchToken(const std::string& db_url, const std::string& data_dir) {
  db::DatabaseOptions options;
  options.url = db_url;
  options.pool_size = 1;
  absl::StatusOr<std::unique_ptr<db::Database>> db = db::Database::Open(options);
  if (!db.ok()) return db.status();
  const std::string secret = auth::NewTokenSecret();
  absl::Status written = (*db)->Write([&](db::Tx& tx) -> absl::Status {
    auth::AccessGrant grant;
    grant.user_id = kBenchUser;
    grant.role = crm::v1::ROLE_ADMIN;
    grant.display_name = "Benchmarks";
    grant.token_description = absl::StrCat("benchmark server in ", data_dir);
    grant.created_by = kBenchUser;
    grant.now = absl::Now();
    return auth::GrantAccess(tx, grant, secret).status();
  });
  if (!written.ok()) return written;
  return secret;
}

}  // namespace

absl::StatusOr<std::string> ServerToken(const std::string& data_dir, const std::string& db_url) {
  const std::filesystem::path dir(data_dir);
  for (const char* name : {auth::kAdminTokenFile, kBenchTokenFile}) {
    absl::StatusOr<std::optional<std::string>> secret = ReadSecretFile((dir / name).string());
    if (!secret.ok()) return secret.status();
    if (secret->has_value()) return **std::move(secret);
  }
  absl::StatusOr<std::string> minted = MintBenchToken(db_url, data_dir);
  if (!minted.ok()) {
    return absl::Status(minted.status().code(),
                        absl::StrCat("the database already had users (no ", auth::kAdminTokenFile,
                                     " written) and minting a token for user \"", kBenchUser,
                                     "\" failed: ", minted.status().message()));
  }
  if (absl::Status s = auth::WritePrivateFile((dir / kBenchTokenFile).string(), *minted + "\n"); !s.ok()) return s;
  return minted;
}

void PrepareCall(grpc::ClientContext& context, const std::string& token, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

}  // namespace crm::bench
