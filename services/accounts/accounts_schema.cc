#include "services/accounts/accounts_schema.h"

#include "common/duplicates/duplicate_store.h"

namespace crm::accounts {

// Accounts and contacts stored before duplicate keys existed get theirs (soft-deleted accounts
// are no candidates, so they have none).
void IndexStoredAccountsAndContacts(soci::session& sql, const db::Dialect& dialect) {
  duplicates::IndexStoredRecords(sql, dialect, crm::v1::DUPLICATE_ENTITY_ACCOUNT,
                                 db::SqlQuery("SELECT id, name, website, phone FROM accounts").Where("delete_time IS NULL"),
                                 [](const db::ScannedRow& row) {
                                   crm::v1::Account account;
                                   account.set_name(std::string(row.Text(1)));
                                   account.set_website(std::string(row.Text(2)));
                                   account.set_phone(std::string(row.Text(3)));
                                   return duplicates::KeysOf(account);
                                 });
  duplicates::IndexStoredRecords(sql, dialect, crm::v1::DUPLICATE_ENTITY_CONTACT,
                                 db::SqlQuery("SELECT id, account_id, full_name, email, phone FROM contacts"),
                                 [](const db::ScannedRow& row) {
                                   crm::v1::Contact contact;
                                   contact.set_account_id(std::string(row.Text(1)));
                                   contact.set_full_name(std::string(row.Text(2)));
                                   contact.set_email(std::string(row.Text(3)));
                                   contact.set_phone(std::string(row.Text(4)));
                                   return duplicates::KeysOf(contact);
                                 });
}


db::MigrationSet AccountsMigrations() {
  return db::MigrationSet{
      "accounts",
      {
          {1,
           "accounts, contacts, interactions, activities",
           {
               // Times are microseconds since the Unix epoch (UTC). Money is currency + units +
               // nanos. `revision` backs the etag. `tags` is stored as "|a|b|" so one LIKE finds a tag.
               "CREATE TABLE IF NOT EXISTS accounts ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " name VARCHAR(200) NOT NULL,"
               " kind BIGINT NOT NULL,"
               " industry VARCHAR(800) NOT NULL,"
               " region VARCHAR(800) NOT NULL,"
               " size_band BIGINT NOT NULL,"
               " revenue_currency VARCHAR(3) NULL,"
               " revenue_units BIGINT NOT NULL,"
               " revenue_nanos BIGINT NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " lifecycle_stage BIGINT NOT NULL,"
               " tier BIGINT NOT NULL,"
               " tags VARCHAR(4000) NOT NULL,"
               " profession VARCHAR(800) NOT NULL,"
               " age_band BIGINT NOT NULL,"
               " external_key VARCHAR(200) NULL UNIQUE,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " delete_time BIGINT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS accounts_by_owner ON accounts (owner, id)",
               "CREATE INDEX IF NOT EXISTS accounts_by_tier ON accounts (tier, id)",
               "CREATE INDEX IF NOT EXISTS accounts_by_name ON accounts (name, id)",
               "CREATE INDEX IF NOT EXISTS accounts_by_create_time ON accounts (create_time, id)",
               "CREATE INDEX IF NOT EXISTS accounts_by_update_time ON accounts (update_time, id)",

               "CREATE TABLE IF NOT EXISTS contacts ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " full_name VARCHAR(800) NOT NULL,"
               " title VARCHAR(800) NOT NULL,"
               " email VARCHAR(254) NOT NULL,"
               " phone VARCHAR(32) NOT NULL,"
               " preferred_channel BIGINT NOT NULL,"
               " decision_role BIGINT NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL,"
               " FOREIGN KEY (account_id) REFERENCES accounts (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS contacts_by_account ON contacts (account_id, id)",

               "CREATE TABLE IF NOT EXISTS interactions ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " contact_id VARCHAR(64) NULL,"
               " channel BIGINT NOT NULL,"
               " direction BIGINT NOT NULL,"
               " subject VARCHAR(800) NOT NULL,"
               " body {{LONG_TEXT}} NOT NULL,"
               " occur_time BIGINT NOT NULL,"
               " user_id VARCHAR(200) NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " FOREIGN KEY (account_id) REFERENCES accounts (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS interactions_by_account ON interactions (account_id, occur_time, id)",
               "CREATE INDEX IF NOT EXISTS interactions_by_contact ON interactions (contact_id, occur_time, id)",

               "CREATE TABLE IF NOT EXISTS activities ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " account_id VARCHAR(64) NOT NULL,"
               " contact_id VARCHAR(64) NULL,"
               " kind BIGINT NOT NULL,"
               " subject VARCHAR(800) NOT NULL,"
               " notes {{LONG_TEXT}} NOT NULL,"
               " due_time BIGINT NOT NULL,"
               " reminder_time BIGINT NULL,"
               " assignee VARCHAR(200) NOT NULL,"
               " status BIGINT NOT NULL,"
               " reminder_sent_time BIGINT NULL,"
               " complete_time BIGINT NULL,"
               " outcome {{LONG_TEXT}} NOT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL,"
               " FOREIGN KEY (account_id) REFERENCES accounts (id)){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS activities_by_account ON activities (account_id, due_time, id)",
               "CREATE INDEX IF NOT EXISTS activities_by_assignee ON activities (assignee, due_time, id)",
               // The reminder job scans only planned activities whose reminder has not been sent.
               "CREATE INDEX IF NOT EXISTS activities_pending_reminders ON activities (reminder_sent_time, reminder_time)",
           }},
          {2,
           "activity reminder and due-time indexes",
           {
               // The reminder job asks for planned, unsent, due reminders. Led by status, this
               // index skips the completed and cancelled activities whose reminders never fired,
               // which activities_pending_reminders keeps scanning forever.
               "CREATE INDEX IF NOT EXISTS activities_due_reminders ON activities"
               " (status, reminder_sent_time, reminder_time, id)",
               // ListActivities without an account or assignee filter pages in (due_time, id) order.
               "CREATE INDEX IF NOT EXISTS activities_by_due_time ON activities (due_time, id)",
           }},
          {3,
           "tier service policies",
           {
               // How each account tier (crm.v1.AccountTier number) is served; managed by
               // key-account management, read by the service desk (sla_tier: the tier whose SLA
               // policies apply to this tier's tickets). Kept beside the accounts so that every
               // service that knows accounts can read it. Day counts: 0 = no cadence.
               "CREATE TABLE IF NOT EXISTS tier_policies ("
               " tier BIGINT NOT NULL PRIMARY KEY,"
               " dedicated_manager_required BIGINT NOT NULL,"
               " sla_tier BIGINT NOT NULL,"
               " review_every_days BIGINT NOT NULL,"
               " contact_every_days BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL){{KEYED_TABLE_OPTIONS}}",
               // Defaults: strategic and key accounts have a dedicated manager, close contact
               // and regular plan reviews; each tier's tickets use its own SLA tier.
               "{{INSERT_IGNORE}} INTO tier_policies (tier, dedicated_manager_required, sla_tier,"
               " review_every_days, contact_every_days, update_time) VALUES"
               " (1, 1, 1, 30, 14, 0), (2, 1, 2, 90, 30, 0), (3, 0, 3, 180, 90, 0), (4, 0, 4, 0, 0, 0)",
           }},
          {4,
           "account custom field values",
           {
               // The account's custom values whole (common/customfields EncodeValues), NULL when it
               // has none; filters and orders use the value index, custom_field_values.
               "ALTER TABLE accounts ADD COLUMN custom_fields {{LONG_TEXT}} NULL",
           }},
          {5,
           "contact custom field values",
           {
               // As accounts.custom_fields (migration 4).
               "ALTER TABLE contacts ADD COLUMN custom_fields {{LONG_TEXT}} NULL",
           }},
          {6,
           "account website and phone; duplicate keys of stored accounts and contacts",
           {
               "ALTER TABLE accounts ADD COLUMN website VARCHAR(200) NOT NULL DEFAULT ''",
               "ALTER TABLE accounts ADD COLUMN phone VARCHAR(40) NOT NULL DEFAULT ''",
           },
           IndexStoredAccountsAndContacts},
          {7,
           "merged accounts",
           {
               // The survivor a merged (soft-deleted) account went into; NULL for every other.
               "ALTER TABLE accounts ADD COLUMN merged_into VARCHAR(64) NULL",
           }},
      }};
}

}  // namespace crm::accounts
