// The funnel aggregates: how GetFunnel's building blocks stay summed as opportunities change,
// inside the transaction that changes them, so a funnel reads a few thousand pre-summed rows
// instead of the whole stage history. The figures are defined in analytics_logic.h; this is how
// they are kept. No SQL here (funnel_store).
//
// What is kept:
//  - per opportunity and stage it ever entered (its "facts"): whether it has gone on to a later
//    stage since, and its completed visits (count, total length);
//  - what the opportunity is counted under (its attribution): pipeline, creation day, owner,
//    the account's region and industry, source channel and campaign;
//  - the cube: those facts, the opportunities now closed in each stage with Σ cycle length,
//    and the opportunities now in each stage with their amounts per currency, summed per
//    pipeline × creation day and month × stage, once over all opportunities and once per value
//    of each filter dimension (owner, region, industry, source channel, source campaign); and
//    per creation month × stage for each combination of values of the combined dimensions
//    (CombinedDimensions: every pair and some triples), so a funnel with several filters reads
//    pre-summed rows too.
//
// When:
//  - CountStageChange: every stage change (RecordStageChange calls it: creation, move, close,
//    reopen). Entering a stage for the first time counts it as entered; the visit to the stage
//    left completes; every open stage entered earlier and not yet converted converts when the
//    stage entered is a won stage or an open stage placed after it. Conversion is judged by the
//    pipeline's stage order at the moment of the change: reordering stages later does not
//    rewrite conversions already counted (history is never rewritten);
//  - CountOpportunityUpdate: an update of owner, source channel, source campaign or amount
//    moves the opportunity's whole contribution to its new slices (and amount);
//  - CountAccountChange: when an account's region or industry changed, its opportunities'
//    contributions move to the new values.
//  - RebuildFunnelAggregates: everything recomputed from the opportunities and their stage
//    history with the same rules (conversion judged by the stage order at rebuild time): for
//    bulk loads, and the migration that introduces the aggregates.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/db/database.h"
#include "crm/v1/pipeline.pb.h"

namespace soci {
class session;
}

namespace crm::pipeline {

struct StageTransition;

// Counts one stage change (see StageTransition; transition.pipeline must be set).
absl::Status CountStageChange(db::Tx& tx, const StageTransition& transition);

// Counts an update that changed none of the stage, status or times: only owner, source channel,
// source campaign and amount matter to the funnel.
absl::Status CountOpportunityUpdate(db::Tx& tx, const crm::v1::Opportunity& before,
                                    const crm::v1::Opportunity& after);

// Moves the opportunities of `account_id` counted under another region or industry than the
// account's current ones.
absl::Status CountAccountChange(db::Tx& tx, const std::string& account_id);

// Recomputes every funnel aggregate from scratch on `sql`, inside the caller's write transaction.
absl::Status RebuildFunnelAggregates(soci::session& sql);
// The same in one write transaction of its own.
absl::Status RebuildFunnelAggregates(db::Database& db);

}  // namespace crm::pipeline
