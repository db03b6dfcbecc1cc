// Rules for opportunities and their stage history. No gRPC and no SQL here.
//
// Shared with the other areas of PipelineService:
//  - CreateOpportunityInTx: the whole create (validation, defaults, first stage-history entry,
//    events, large-deal alert) inside the caller's transaction, e.g. ConvertLead's;
//  - FindOpportunity / FindOpportunityForUpdate: reads, e.g. an order from a won opportunity;
//  - RecordStageChange: the ONE place a stage-history row is written. Everything that follows
//    a stage change (funnel aggregates) hooks in there, inside the same transaction.
//
// Rules: stage and status change only through Move (to another active open stage of the same
// pipeline; the current stage again is FAILED_PRECONDITION naming stage_id), Close (won → the
// won stage; lost → lost_stage_id or the first active lost stage, a reason required) and Reopen
// (default: the open stage it was in before closing; FAILED_PRECONDITION naming stage_id when
// that stage is retired). Probability follows the stage on every stage change unless Move
// overrides it; on create 0 means "the stage's default"; a closed opportunity's probability
// cannot be updated. The expected close date may not lie before the creation day (UTC).
//
// Large-deal alert ("opportunity.large_deal", NOTICE, user = owner): when the amount converted
// to the base currency is at or above the configured threshold, on create, on every Move, and
// on an update that takes an open opportunity's amount from below to at/above the threshold.
// Not on Close or Reopen. With a threshold configured, an amount whose currency has no rate is
// refused on create and update (FAILED_PRECONDITION naming "<...>.amount.currency_code"); the
// settings keep every stored amount's currency convertible, so moves never meet that case.
// Without a threshold no conversion is needed and any well-formed currency is accepted.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

inline constexpr char kOpportunityEntity[] = "opportunity";
inline constexpr char kOpportunityIdPrefix[] = "opp";

// Creates `opportunity` inside `tx`. The caller's values are validated (field names prefixed
// with `field_prefix`, e.g. "opportunity" → "opportunity.amount.nanos") and defaulted:
//   pipeline_id → the stage's pipeline when only stage_id is given, else the default pipeline;
//   stage_id    → the pipeline's first open stage (a given stage must be an open, active stage
//                 of that pipeline: INVALID_ARGUMENT naming stage_id otherwise);
//   probability → the stage's default when 0;
//   owner       → call.actor when empty;
//   custom_fields → checked against the opportunity fields, defaults given, required ones
//                 present (INVALID_ARGUMENT naming "<prefix>.custom_fields.<key>").
// The account must exist and not be deleted (NOT_FOUND / FAILED_PRECONDITION naming account_id);
// the pipeline must exist (NOT_FOUND naming pipeline_id); a source_campaign_id must name a
// campaign (NOT_FOUND naming source_campaign_id). lead_id, source_channel and source_campaign_id
// are kept as given (ConvertLead sets them). Output-only fields are ignored.
// With a large-deal threshold configured, an amount whose currency has no exchange rate is
// FAILED_PRECONDITION naming "<prefix>.amount.currency_code".
// Writes the row, the first stage-history entry (RecordStageChange), "opportunity.created" and,
// at or above the threshold, "opportunity.large_deal". `request_id` goes into the events
// (call.correlation_id when empty). Returns the stored opportunity with its etag.
absl::StatusOr<crm::v1::Opportunity> CreateOpportunityInTx(const server::Runtime& rt, db::Tx& tx,
                                                           const server::CallContext& call,
                                                           crm::v1::Opportunity opportunity,
                                                           absl::string_view field_prefix = "opportunity",
                                                           absl::string_view request_id = "");

// The opportunity with this id, as stored (removed custom fields' values included: for the
// server's own use, not for answers); nullopt when there is none.
absl::StatusOr<std::optional<crm::v1::Opportunity>> FindOpportunity(soci::session& sql, const std::string& id);
// Like FindOpportunity, locking the row for the rest of the write transaction.
absl::StatusOr<std::optional<crm::v1::Opportunity>> FindOpportunityForUpdate(db::Tx& tx, const std::string& id);

// One stage change of one opportunity, as RecordStageChange receives it.
struct StageTransition {
  // The opportunity's pipeline as it is right now (its stage order judges conversions).
  const crm::v1::Pipeline* pipeline = nullptr;
  // The opportunity before the change (nullptr for the first entry, at creation) and after it
  // (its stage_id, status, probability and stage_enter_time already the new ones).
  const crm::v1::Opportunity* before = nullptr;
  const crm::v1::Opportunity* after = nullptr;
  // The stage left (nullptr at creation) and the stage entered, as they are right now: their
  // names are written into the history and never rewritten afterwards.
  const crm::v1::Stage* from_stage = nullptr;
  const crm::v1::Stage* to_stage = nullptr;
  absl::Time time;
  std::string changed_by;
};

// Appends one stage-history row inside `tx` and returns it (sequence assigned). Every stage
// change goes through here: creation, MoveOpportunity, CloseOpportunity, ReopenOpportunity.
absl::StatusOr<crm::v1::StageChange> RecordStageChange(db::Tx& tx, const StageTransition& transition);

class OpportunityLogic {
 public:
  explicit OpportunityLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Opportunity> Create(const server::CallContext& call,
                                              const crm::v1::CreateOpportunityRequest& request);
  absl::StatusOr<crm::v1::Opportunity> Get(const server::CallContext& call,
                                           const crm::v1::GetOpportunityRequest& request);
  absl::StatusOr<crm::v1::Opportunity> Update(const server::CallContext& call,
                                              const crm::v1::UpdateOpportunityRequest& request);
  absl::StatusOr<crm::v1::ListOpportunitiesResponse> List(const server::CallContext& call,
                                                          const crm::v1::ListOpportunitiesRequest& request);
  absl::StatusOr<crm::v1::Opportunity> Move(const server::CallContext& call,
                                            const crm::v1::MoveOpportunityRequest& request);
  absl::StatusOr<crm::v1::Opportunity> Close(const server::CallContext& call,
                                             const crm::v1::CloseOpportunityRequest& request);
  absl::StatusOr<crm::v1::Opportunity> Reopen(const server::CallContext& call,
                                              const crm::v1::ReopenOpportunityRequest& request);
  absl::StatusOr<crm::v1::ListStageChangesResponse> ListStageChanges(const server::CallContext& call,
                                                                     const crm::v1::ListStageChangesRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::pipeline
