#include "common/server/host_migrations.h"

#include "common/auth/auth_store.h"
#include "common/customfields/custom_field_store.h"
#include "common/duplicates/duplicate_store.h"

namespace crm::server {

std::vector<db::MigrationSet> HostMigrations(const std::vector<ModuleSpec>& modules) {
  std::vector<db::MigrationSet> migrations = {db::CommonMigrations(), auth::AuthMigrations(),
                                                customfields::CustomFieldMigrations(), duplicates::DuplicateMigrations()};
  for (const ModuleSpec& spec : modules) {
    if (spec.migrations) {
      for (db::MigrationSet& set : spec.migrations()) migrations.push_back(std::move(set));
    }
  }
  return migrations;
}

}  // namespace crm::server
