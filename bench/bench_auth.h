// How the benchmarks authenticate to crm-server, which refuses every call but health checking
// without `authorization: Bearer <secret>`: the secret of an admin token for a server the
// benchmark started (ServerProcess::token() holds it), and the one place that prepares a call's
// ClientContext with it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm::bench {

// The user a benchmark makes for itself when the database already had users (see ServerToken).
inline constexpr char kBenchUser[] = "bench";
// Where that user's token secret is kept in the server's data directory, for later starts on it.
inline constexpr char kBenchTokenFile[] = "bench-token";

// The secret of an admin access token valid on `db_url`, for a server that was started with
// --data_dir=`data_dir` (a directory of the benchmark's own) and already answers SERVING:
//   1. <data_dir>/admin-token, which the server writes on its first start on a database without
//      users (crm::auth::EnsureFirstAdmin), before it serves; or
//   2. <data_dir>/bench-token, minted by an earlier call for the same data directory; or
//   3. a new token minted here. No admin-token after SERVING means the database already had
//      users (a reused SQLite file or MySQL database) and the first admin's secret is not known
//      to anyone here. The benchmark then does what AdminService would, directly through the
//      store the server uses (crm::auth::AuthStore): it makes user "bench" an admin and inserts a
//      fresh token for it, keeping the secret in <data_dir>/bench-token (mode 0600). Doing this
//      after SERVING, not before the start, means the server has applied its migrations (the
//      auth tables exist even in a database from before authentication) and has decided for
//      itself whether to create the first admin. The running server sees the token at once: it
//      looks up every secret it has not seen in the database.
absl::StatusOr<std::string> ServerToken(const std::string& data_dir, const std::string& db_url);

// Sets the call's deadline to `timeout` from now and its `authorization: Bearer <token>`
// metadata: every benchmark call to crm-server goes through this.
void PrepareCall(grpc::ClientContext& context, const std::string& token, absl::Duration timeout);

}  // namespace crm::bench
