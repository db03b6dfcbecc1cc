// Schema of the accounts service: accounts, contacts, interactions, activities.
#pragma once

#include "common/db/migrations.h"

namespace crm::accounts {

db::MigrationSet AccountsMigrations();

// Migration 6's data step: the duplicate keys of the accounts and contacts stored before them
// (bench/duplicate_bench.cc times it on a million accounts).
void IndexStoredAccountsAndContacts(soci::session& sql, const db::Dialect& dialect);

}  // namespace crm::accounts
