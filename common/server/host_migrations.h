// The migrations a server applies before it creates its modules. Its own file so that tools
// preparing a database for a server (the benchmarks' loaders) apply the same list without
// linking the server host and its flags.
#pragma once

#include <vector>

#include "common/db/migrations.h"
#include "common/server/runtime.h"

namespace crm::server {

// Common's, auth's, then each module's, in order.
std::vector<db::MigrationSet> HostMigrations(const std::vector<ModuleSpec>& modules);

}  // namespace crm::server
