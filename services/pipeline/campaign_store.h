// SQL for campaigns, and the aggregates their performance is computed from: every statement
// named once here, rows mapped once (soci::type_conversion in campaign_store.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/core/money.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

// Ordered by id (creation order).
struct CampaignListQuery {
  crm::v1::LeadChannel channel = crm::v1::LEAD_CHANNEL_UNSPECIFIED;
  // Keyset position: campaigns with an id strictly greater ("" = from the start).
  std::string after_id;
  int limit = 50;
};

// Opportunities whose source is one campaign.
struct CampaignOpportunityTotals {
  int64_t opportunities = 0;
  int64_t won = 0;
  // The won amounts summed exactly per currency, one entry per currency, in currency order.
  std::vector<Amount> won_by_currency;
};

class CampaignStore {
 public:
  // nullopt when no campaign has this id.
  static absl::StatusOr<std::optional<crm::v1::Campaign>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Campaign>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Campaign& campaign);
  // Writes every mutable column and bumps the revision, only if the stored revision is still
  // `expected_revision`. False when it was not.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Campaign& campaign, int64_t expected_revision);
  static absl::StatusOr<std::vector<crm::v1::Campaign>> List(soci::session& sql, const CampaignListQuery& query);

  // Counts and won sums of the opportunities with source_campaign_id = `campaign_id`: two
  // aggregates over the opportunities table, no row is loaded.
  static absl::StatusOr<CampaignOpportunityTotals> OpportunityTotals(soci::session& sql,
                                                                     const std::string& campaign_id);
};

}  // namespace crm::pipeline
