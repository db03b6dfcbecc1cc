// Schema of the accounts service: accounts, contacts, interactions, activities.
#pragma once

#include "common/db/migrations.h"

namespace crm::accounts {

db::MigrationSet AccountsMigrations();

}  // namespace crm::accounts
