// The rules of escalation: manual escalation of one ticket, the sweep over tickets whose
// escalation is due, and re-targeting an account's open tickets when its tier changes. No gRPC;
// SQL only through the stores.
//
// Escalating to level k queues the ticket for step k of its policy's chain: assignee_group
// becomes the step's group, and the assignee the step's assignee when it names one. Each
// escalation writes, in one transaction with the ticket, a history entry ESCALATED (from level,
// to level, why, who) and the event "ticket.escalated".
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/database.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/event.pb.h"
#include "crm/v1/servicedesk.pb.h"

namespace crm::servicedesk {

class EscalationLogic {
 public:
  explicit EscalationLogic(const server::Runtime& runtime) : rt_(runtime) {}

  // One level up, by hand: the reason is required; a resolved or closed ticket is
  // FAILED_PRECONDITION; a stale etag ABORTED. The ticket as of now.
  absl::StatusOr<crm::v1::Ticket> Escalate(const server::CallContext& call,
                                           const crm::v1::EscalateTicketRequest& request);

  // Applies every escalation due at `now`: each open ticket whose next_escalation_time has
  // come is re-read and re-computed in its own transaction and raised (conditionally on its
  // revision) to the level due, or only rescheduled when nothing is due any more. Consults
  // `keep_going` between batches (stop requested, lease lost). Returns how many tickets it
  // escalated. The caller holds the sweep's lease. Each read or transaction waits at most
  // `db_wait` (real time) for the database.
  absl::StatusOr<int> SweepDue(absl::Time now, absl::Duration db_wait, const std::function<bool()>& keep_going);

  // Handles an "account.updated" event inside the consumer's transaction: when it changed the
  // tier, every open ticket of the account gets the policy of the new tier (SLA_RETARGETED in
  // its history, event "ticket.sla_retargeted"); creation stays the start, pauses, breach flags
  // and the escalation level stay.
  absl::Status FollowTierChange(db::Tx& tx, const crm::v1::Event& event);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
