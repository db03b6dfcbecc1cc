// A ticket's SLA state — due and warning times, time remaining, breaches, and when the
// escalation sweep next has work — computed from what the ticket row keeps (its policy snapshot
// and its timeline) at a given instant. Pure: no database, no gRPC types but the policy's
// escalation steps, so the ticket logic, the escalation sweep and the tier follow-up all count
// alike.
//
// The rules:
// - Both targets count business time of the calendar from the ticket's creation.
// - First response: paused while pending; met at the first public agent reply.
// - Resolution: paused while pending and while resolved (until a reopen); met at resolution,
//   and unmet again after a reopen (its counted time so far stays counted).
// - A target is breached once it passed unmet, or was met after its due time; a breach is never
//   undone (the stored flags carry it).
// - Warning time: when warning_percent of the target has elapsed (business time).
// - Escalation step k triggers at its trigger instant (the warning or the due time of either
//   unmet, running target, whichever comes first) plus after_minutes of business time. A paused
//   target triggers nothing; a resolved (or closed) ticket has no escalation at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/business_calendar.h"

namespace crm::servicedesk {

// What the ticket keeps from the policy it was targeted under (a later policy edit does not
// change it until the ticket is re-targeted).
struct SlaSnapshot {
  std::string policy_id;                // "" = no policy matched: no SLA
  std::string calendar_id;
  int64_t first_response_minutes = 0;   // 0 = no target
  int64_t resolution_minutes = 0;       // 0 = no target
  int warning_percent = 80;
  std::vector<crm::v1::EscalationStep> escalation;  // in level order 1, 2, ...
};

enum class PauseKind { kPending = 1, kResolved = 2 };

struct TicketPause {
  PauseKind kind = PauseKind::kPending;
  absl::Time from;
  absl::Time to = absl::InfiniteFuture();  // InfiniteFuture while it lasts
};

// The ticket's timeline as stored.
struct TicketTimeline {
  absl::Time created;
  std::vector<TicketPause> pauses;
  std::optional<absl::Time> first_response;  // first public agent reply
  std::optional<absl::Time> resolved;        // set while resolved / closed; cleared by a reopen
  bool first_response_breached = false;      // the stored (sticky) flags
  bool resolution_breached = false;
  int escalation_level = 0;
};

struct TimerState {
  int64_t target_minutes = 0;               // 0 = no target (the other fields are then empty)
  std::optional<absl::Time> due;            // unset while paused, once met, or without target
  std::optional<absl::Time> warning;        // unset like `due`
  absl::Duration remaining;                 // business time left at `now`; negative once overdue
  std::optional<absl::Time> met;
  bool breached = false;
  bool paused = false;
};

struct SlaState {
  TimerState first_response;
  TimerState resolution;
  // The highest escalation level whose trigger has passed at `now` (never below the ticket's
  // level), and why, in the calendar's zone, e.g. "resolution due 2026-11-26 10:00 CET breached"
  // or "first response warning reached 2026-11-26 09:48 CET (80% elapsed, due 2026-11-26 10:00
  // CET)", with ", +30m" when the step waits after its trigger. Empty when nothing is due.
  int due_level = 0;
  std::string due_reason;
  // When the sweep next has work: the trigger of the first step above max(level, due_level);
  // unset when there is none, while paused, or without a policy. While a due escalation has not
  // been applied yet (due_level > the ticket's level), the work is overdue: it is then the
  // earliest passed trigger above the ticket's level (<= now), so that any write of the ticket
  // before the sweep comes keeps the ticket in the sweep's sight.
  std::optional<absl::Time> next_escalation_time;
};

SlaState ComputeSla(const BusinessCalendar& calendar, const SlaSnapshot& snapshot, const TicketTimeline& timeline,
                    absl::Time now);

// The pauses that stop `target` (first response: pending only; resolution: pending and
// resolved), for BusinessCalendar arithmetic and ExplainDeadline.
std::vector<Pause> PausesFor(crm::v1::SlaTarget target, const TicketTimeline& timeline);

// TimerState as the wire message.
void TimerToProto(const TimerState& timer, crm::v1::SlaTimer* out);

// The snapshot a ticket row keeps (its policy, calendar, targets; warning_percent 0 means the
// default 80), with `escalation`, the chain of the ticket's policy.
SlaSnapshot SnapshotOfTicket(const crm::v1::Ticket& ticket, int warning_percent,
                             std::vector<crm::v1::EscalationStep> escalation);

// The timeline a ticket row keeps (creation, first response, resolution, stored breach flags,
// escalation level) with its pauses.
TicketTimeline TimelineOfTicket(const crm::v1::Ticket& ticket, std::vector<TicketPause> pauses);

// Writes both timers of `state` into the ticket (its SLA columns as stored at a write, the live
// view on a read); a breach flag already set on the ticket stays set.
void SetTicketTimers(const SlaState& state, crm::v1::Ticket* ticket);

}  // namespace crm::servicedesk
