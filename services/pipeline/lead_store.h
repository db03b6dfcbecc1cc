// SQL for leads: every statement named once here, rows mapped once (soci::type_conversion in
// lead_store.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/customfields/custom_fields.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Ordered by id (creation order). Every set filter narrows the result (AND).
struct LeadListQuery {
  crm::v1::LeadStatus status = crm::v1::LEAD_STATUS_UNSPECIFIED;
  // The owners the caller may see (OwnerScope::ListOwners), narrowed by the request's owner;
  // nullopt: any owner.
  std::optional<std::vector<std::string>> owners;
  crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_UNSPECIFIED;
  std::string campaign_id;
  // Case-insensitive substring of full name, company name or email.
  std::string text;
  int min_score = 0;
  // Conditions on custom fields (the request's custom_fields, resolved against the definitions).
  std::vector<customfields::IndexCondition> custom_conditions;
  // Keyset position: leads with an id strictly greater ("" = from the start).
  std::string after_id;
  int limit = 50;
};

// What a campaign's leads add up to.
struct CampaignLeadTotals {
  int64_t leads = 0;
  int64_t conversions = 0;
};

class LeadStore {
 public:
  // nullopt when no lead has this id.
  static absl::StatusOr<std::optional<crm::v1::Lead>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Lead>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1, and the lead's custom values into the value index.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Lead& lead);
  // Writes every mutable column (status, conversion and custom values included, the value index
  // with them) and bumps the revision, only if the stored revision is still `expected_revision`.
  // False when it was not. `stored` is the lead as read at that revision: the value index and
  // the duplicate keys are rewritten only when the values they hold differ from its.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Lead& stored, const crm::v1::Lead& lead,
                                     int64_t expected_revision);
  // Removes the row and its value index rows if its revision is still `expected_revision`. False
  // when it was not.
  static absl::StatusOr<bool> Delete(db::Tx& tx, const std::string& id, int64_t expected_revision);
  static absl::StatusOr<std::vector<crm::v1::Lead>> List(soci::session& sql, const LeadListQuery& query);

  // Leads whose source is `campaign_id`, and how many of them were converted: one aggregate
  // over the index leads_by_campaign.
  static absl::StatusOr<CampaignLeadTotals> TotalsForCampaign(soci::session& sql, const std::string& campaign_id);
};

}  // namespace crm::pipeline
