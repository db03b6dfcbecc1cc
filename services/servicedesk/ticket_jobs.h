// The service desk's background work: the escalation sweep and following account tier changes.
//
// Every job period the sweep takes the database lease "servicedesk.escalation" (one process
// sweeps at a time; a crashed holder is replaced once the lease expires) and applies every
// escalation due (EscalationLogic::SweepDue). Each ticket is escalated in its own transaction by
// a conditional update at the revision it re-read, so a second process that slips past the lease
// finds nothing left to do: every ticket is escalated once per level.
//
// The event consumer "servicedesk.tiers" follows "account.updated" events (exactly once, in the
// transaction that advances its cursor) and re-targets the open tickets of accounts whose tier
// changed.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/events/consumer.h"
#include "common/server/periodic_job.h"
#include "common/server/runtime.h"
#include "services/servicedesk/escalation_logic.h"

namespace crm::servicedesk {

class TicketJobs {
 public:
  explicit TicketJobs(const server::Runtime& runtime);
  ~TicketJobs();
  TicketJobs(const TicketJobs&) = delete;
  TicketJobs& operator=(const TicketJobs&) = delete;

  // Starts the periodic sweep (the first round comes one period after the start) and the tier
  // consumer.
  void Start();
  // Stops both; a round in progress stops after the batch it is on. Idempotent.
  void Stop();

  // One sweep round, on the caller's thread, at the runtime clock's now: how many tickets it
  // escalated (0 when another process holds the lease).
  absl::StatusOr<int> RunEscalationSweep();

  // Handles every "account.updated" event committed so far, on the caller's thread; returns how
  // many events it handled (tier changes or not).
  absl::StatusOr<int64_t> CatchUpTierChanges(absl::Time deadline = absl::InfiniteFuture());

 private:
  const server::Runtime& rt_;
  EscalationLogic logic_;
  events::EventConsumer tier_changes_;
  server::PeriodicJob sweep_;
};

}  // namespace crm::servicedesk
