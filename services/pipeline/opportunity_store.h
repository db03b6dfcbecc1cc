// SQL for opportunities and their stage history: every statement named once here, rows mapped
// once (soci::type_conversion in opportunity_store.cc).
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
struct OpportunityListQuery {
  std::string account_id;
  std::string pipeline_id;
  std::string stage_id;
  crm::v1::OpportunityStatus status = crm::v1::OPPORTUNITY_STATUS_UNSPECIFIED;
  // The owners the caller may see (OwnerScope::ListOwners), narrowed by the request's owner;
  // nullopt: any owner.
  std::optional<std::vector<std::string>> owners;
  // Inclusive range of expected close day numbers; opportunities without a date never match a
  // range.
  std::optional<int64_t> close_from_day;
  std::optional<int64_t> close_to_day;
  // Conditions on custom fields (the request's custom_fields, resolved against the definitions).
  std::vector<customfields::IndexCondition> custom_conditions;
  // Keyset position: ids strictly greater ("" = from the start).
  std::string after_id;
  int limit = 50;
};

class OpportunityStore {
 public:
  // nullopt when no opportunity has this id.
  static absl::StatusOr<std::optional<crm::v1::Opportunity>> Find(soci::session& sql, const std::string& id);
  // Like Find, locking the row for the rest of the write transaction.
  static absl::StatusOr<std::optional<crm::v1::Opportunity>> FindForUpdate(db::Tx& tx, const std::string& id);
  // Inserts with revision 1, and the opportunity's custom values into the value index.
  static absl::Status Insert(db::Tx& tx, const crm::v1::Opportunity& opportunity);
  // Writes every mutable column (custom values included, the value index with them) and bumps
  // the revision, only if the stored revision is still `expected_revision`. False when it was not.
  // `stored` is the opportunity as read at that revision: the value index is rewritten only when
  // the custom values differ from its.
  static absl::StatusOr<bool> Update(db::Tx& tx, const crm::v1::Opportunity& stored,
                                     const crm::v1::Opportunity& opportunity, int64_t expected_revision);
  static absl::StatusOr<std::vector<crm::v1::Opportunity>> List(soci::session& sql, const OpportunityListQuery& query);
  // Every currency some opportunity has its amount in.
  static absl::StatusOr<std::vector<std::string>> AmountCurrencies(soci::session& sql);

  // Appends a stage-history row; returns it with its sequence.
  static absl::StatusOr<crm::v1::StageChange> InsertStageChange(db::Tx& tx, crm::v1::StageChange change);
  // One opportunity's history in sequence order after `after_sequence`, at most `limit`.
  static absl::StatusOr<std::vector<crm::v1::StageChange>> ListStageChanges(soci::session& sql,
                                                                            const std::string& opportunity_id,
                                                                            int64_t after_sequence, int limit);
  // The latest history row of an opportunity; nullopt when it has none.
  static absl::StatusOr<std::optional<crm::v1::StageChange>> LastStageChange(soci::session& sql,
                                                                             const std::string& opportunity_id);
};

}  // namespace crm::pipeline
