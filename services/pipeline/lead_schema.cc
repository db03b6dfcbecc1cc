#include "services/pipeline/pipeline_schema.h"

#include "common/duplicates/duplicate_store.h"

namespace crm::pipeline {
namespace {

// Leads stored before duplicate keys existed get theirs.
void IndexStoredLeads(soci::session& sql, const db::Dialect& dialect) {
  duplicates::IndexStoredRecords(sql, dialect, crm::v1::DUPLICATE_ENTITY_LEAD,
                                 db::SqlQuery("SELECT id, full_name, company_name, email, phone FROM leads"),
                                 [](const db::ScannedRow& row) {
                                   crm::v1::Lead lead;
                                   lead.set_full_name(std::string(row.Text(1)));
                                   lead.set_company_name(std::string(row.Text(2)));
                                   lead.set_email(std::string(row.Text(3)));
                                   lead.set_phone(std::string(row.Text(4)));
                                   return duplicates::KeysOf(lead);
                                 });
}

}  // namespace

// Tables of the lead area (its own migration module, so areas evolve independently).
db::MigrationSet LeadMigrations() {
  return db::MigrationSet{
      "pipeline.lead",
      {
          {1,
           "leads",
           {
               // Times are microseconds since the Unix epoch (UTC); `revision` backs the etag.
               // No foreign keys: the campaign is checked in the writing transaction (campaigns
               // are migrated after leads), and the converted_* ids are history that must not
               // stop a contact from being deleted later.
               "CREATE TABLE IF NOT EXISTS leads ("
               " id VARCHAR(64) NOT NULL PRIMARY KEY,"
               " full_name VARCHAR(800) NOT NULL,"
               " company_name VARCHAR(800) NOT NULL,"
               " title VARCHAR(800) NOT NULL,"
               " email VARCHAR(254) NOT NULL,"
               " phone VARCHAR(32) NOT NULL,"
               " industry VARCHAR(800) NOT NULL,"
               " region VARCHAR(800) NOT NULL,"
               " source_channel BIGINT NOT NULL,"
               " source_campaign_id VARCHAR(64) NULL,"
               " score BIGINT NOT NULL,"
               " status BIGINT NOT NULL,"
               " owner VARCHAR(200) NOT NULL,"
               " notes {{LONG_TEXT}} NOT NULL,"
               " disqualify_reason VARCHAR(800) NOT NULL,"
               " converted_account_id VARCHAR(64) NULL,"
               " converted_contact_id VARCHAR(64) NULL,"
               " converted_opportunity_id VARCHAR(64) NULL,"
               " convert_time BIGINT NULL,"
               " create_time BIGINT NOT NULL,"
               " update_time BIGINT NOT NULL,"
               " revision BIGINT NOT NULL){{TABLE_OPTIONS}}",
               "CREATE INDEX IF NOT EXISTS leads_by_status ON leads (status, id)",
               "CREATE INDEX IF NOT EXISTS leads_by_owner ON leads (owner, id)",
               "CREATE INDEX IF NOT EXISTS leads_by_channel ON leads (source_channel, id)",
               // Campaign performance counts a campaign's leads and conversions from this index
               // alone; ListLeads by campaign uses it too.
               "CREATE INDEX IF NOT EXISTS leads_by_campaign ON leads (source_campaign_id, status, id)",
           }},
          {2,
           "lead custom field values",
           {
               // The lead's custom values whole (common/customfields EncodeValues), NULL when it
               // has none; filters use the value index, custom_field_values.
               "ALTER TABLE leads ADD COLUMN custom_fields {{LONG_TEXT}} NULL",
           }},
          {3,
           "duplicate keys of stored leads",
           {},
           IndexStoredLeads},
          {4,
           "leads by converted account",
           {
               // A merge of accounts (or of contacts) moves the converted leads of the merged
               // records without reading every lead.
               "CREATE INDEX IF NOT EXISTS leads_by_converted_account ON leads (converted_account_id, converted_contact_id)",
           }},
      }};
}

}  // namespace crm::pipeline
