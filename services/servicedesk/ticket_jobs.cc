#include "services/servicedesk/ticket_jobs.h"

#include <algorithm>
#include <cstdio>

#include "common/db/shared_state.h"

namespace crm::servicedesk {
namespace {

constexpr char kSweepLease[] = "servicedesk.escalation";
constexpr char kTierConsumer[] = "servicedesk.tiers";
// The lease outlives a few missed periods before another process may take over.
constexpr int kLeasePeriods = 3;
// Upper bound on waiting for the database per step of a round (real time, not the business
// clock); a long round over a large backlog is fine as long as each step gets its turn.
constexpr absl::Duration kDatabaseWait = absl::Seconds(30);

events::ConsumerOptions TierConsumerOptions(const server::Runtime& rt) {
  events::ConsumerOptions options;
  options.name = kTierConsumer;
  options.types = {"account.updated"};
  options.poll = rt.settings.event_poll_period;
  return options;
}

}  // namespace

TicketJobs::TicketJobs(const server::Runtime& runtime)
    : rt_(runtime),
      logic_(runtime),
      tier_changes_(*runtime.db, runtime.hub, TierConsumerOptions(runtime),
                    [this](db::Tx& tx, const crm::v1::Event& event) { return logic_.FollowTierChange(tx, event); }),
      sweep_(runtime.settings.job_period, [this] {
        absl::StatusOr<int> escalated = RunEscalationSweep();
        // A failed round is retried next period; nothing was half-done (each ticket is one
        // transaction).
        if (!escalated.ok()) {
          std::fprintf(stderr, "escalation: sweep failed: %s\n", escalated.status().ToString().c_str());
        }
      }) {}

TicketJobs::~TicketJobs() { Stop(); }

void TicketJobs::Start() {
  sweep_.Start();
  tier_changes_.Start();
}

void TicketJobs::Stop() {
  tier_changes_.Stop();
  sweep_.Stop();
}

absl::StatusOr<int> TicketJobs::RunEscalationSweep() {
  const absl::Time now = rt_.clock->Now();
  absl::StatusOr<bool> held =
      db::TryAcquireLease(*rt_.db, kSweepLease, rt_.instance_id, now, kLeasePeriods * sweep_.period());
  if (!held.ok()) return held.status();
  if (!*held) return 0;
  // A round longer than the lease may overlap another process's round: harmless, as every
  // escalation is a conditional update of the row it re-read.
  auto keep_going = [this] { return !sweep_.stop_requested(); };
  return logic_.SweepDue(now, kDatabaseWait, keep_going);
}

absl::StatusOr<int64_t> TicketJobs::CatchUpTierChanges(absl::Time deadline) { return tier_changes_.CatchUp(deadline); }

}  // namespace crm::servicedesk
