// The SLA engine: a ticket's timers and escalation state from its snapshot and timeline.
#include "services/servicedesk/ticket_sla.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/core/time_util.h"

namespace crm::servicedesk {
namespace {

bool StopsTarget(crm::v1::SlaTarget target, PauseKind kind) {
  if (kind == PauseKind::kPending) return true;
  return target == crm::v1::SLA_TARGET_RESOLUTION && kind == PauseKind::kResolved;
}

bool HasOpenPause(const std::vector<Pause>& pauses) {
  return std::any_of(pauses.begin(), pauses.end(),
                     [](const Pause& pause) { return pause.to == absl::InfiniteFuture(); });
}

// One target's timer, plus the instants escalation counts from (kept even where the wire form
// hides them).
struct TargetResult {
  TimerState timer;
  std::vector<Pause> pauses;
  bool escalates = false;  // unmet and running: its warning and due time trigger escalation
  absl::Time due = absl::InfiniteFuture();
  absl::Time warning = absl::InfiniteFuture();
};

TargetResult ComputeTarget(const BusinessCalendar& calendar, int64_t target_minutes, int warning_percent,
                           const std::optional<absl::Time>& met, bool stored_breach, absl::Time created,
                           std::vector<Pause> pauses, absl::Time now) {
  TargetResult result;
  if (target_minutes <= 0) return result;
  TimerState& timer = result.timer;
  timer.target_minutes = target_minutes;
  const absl::Duration target = absl::Minutes(target_minutes);
  // With a still-open pause this is InfiniteFuture unless the target ran out before the pause.
  result.due = calendar.AddBusinessTime(created, target, pauses);
  if (met.has_value()) {
    timer.met = *met;
    timer.remaining = target - calendar.BusinessTimeBetween(created, *met, pauses);
    timer.breached = stored_breach || *met > result.due;
    result.pauses = std::move(pauses);
    return result;
  }
  timer.remaining = target - calendar.BusinessTimeBetween(created, now, pauses);
  timer.breached = stored_breach || now >= result.due;
  timer.paused = HasOpenPause(pauses);
  if (!timer.paused) {
    result.warning = calendar.AddBusinessTime(created, target * warning_percent / 100, pauses);
    if (result.due != absl::InfiniteFuture()) timer.due = result.due;
    if (result.warning != absl::InfiniteFuture()) timer.warning = result.warning;
    result.escalates = true;
  }
  result.pauses = std::move(pauses);
  return result;
}

// The earliest instant of one kind (warning or due) among the escalating targets, and the
// target it comes from.
struct TriggerBase {
  absl::Time at = absl::InfiniteFuture();
  const TargetResult* source = nullptr;
  const char* target_name = "";
};

TriggerBase EarliestOf(bool warning, const TargetResult& first_response, const TargetResult& resolution) {
  TriggerBase base;
  const std::pair<const TargetResult*, const char*> candidates[] = {{&first_response, "first response"},
                                                                    {&resolution, "resolution"}};
  for (const auto& [result, name] : candidates) {
    if (!result->escalates) continue;
    const absl::Time at = warning ? result->warning : result->due;
    if (at < base.at) base = {at, result, name};
  }
  return base;
}

std::string FormatInstant(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", t, zone);
}

}  // namespace

std::vector<Pause> PausesFor(crm::v1::SlaTarget target, const TicketTimeline& timeline) {
  std::vector<Pause> pauses;
  for (const TicketPause& pause : timeline.pauses) {
    if (StopsTarget(target, pause.kind)) pauses.push_back({pause.from, pause.to});
  }
  return pauses;
}

SlaState ComputeSla(const BusinessCalendar& calendar, const SlaSnapshot& snapshot, const TicketTimeline& timeline,
                    absl::Time now) {
  SlaState state;
  state.due_level = timeline.escalation_level;
  if (snapshot.policy_id.empty()) return state;

  const TargetResult first_response = ComputeTarget(
      calendar, snapshot.first_response_minutes, snapshot.warning_percent, timeline.first_response,
      timeline.first_response_breached, timeline.created, PausesFor(crm::v1::SLA_TARGET_FIRST_RESPONSE, timeline), now);
  const TargetResult resolution = ComputeTarget(calendar, snapshot.resolution_minutes, snapshot.warning_percent,
                                                timeline.resolved, timeline.resolution_breached, timeline.created,
                                                PausesFor(crm::v1::SLA_TARGET_RESOLUTION, timeline), now);
  state.first_response = first_response.timer;
  state.resolution = resolution.timer;
  // Escalation is for open work: a resolved or closed ticket has none, even with its first
  // response still unmet.
  if (timeline.resolved.has_value()) return state;

  const TriggerBase warning_base = EarliestOf(/*warning=*/true, first_response, resolution);
  const TriggerBase breach_base = EarliestOf(/*warning=*/false, first_response, resolution);
  const absl::TimeZone& zone = calendar.time_zone();

  // Each step's trigger instant, in chain order; InfiniteFuture when it cannot come.
  std::vector<absl::Time> triggers;
  triggers.reserve(snapshot.escalation.size());
  for (const crm::v1::EscalationStep& step : snapshot.escalation) {
    const TriggerBase* base = nullptr;
    if (step.trigger() == crm::v1::ESCALATION_TRIGGER_WARNING) base = &warning_base;
    if (step.trigger() == crm::v1::ESCALATION_TRIGGER_BREACH) base = &breach_base;
    absl::Time at = absl::InfiniteFuture();
    if (base != nullptr && base->source != nullptr && base->at != absl::InfiniteFuture()) {
      at = calendar.AddBusinessTime(base->at, absl::Minutes(std::max<int64_t>(step.after_minutes(), 0)),
                                    base->source->pauses);
    }
    triggers.push_back(at);
  }

  auto level_of = [&](size_t index) {
    const int level = snapshot.escalation[index].level();
    return level > 0 ? level : static_cast<int>(index) + 1;
  };

  for (size_t i = 0; i < triggers.size(); ++i) {
    const int level = level_of(i);
    if (triggers[i] > now || level <= state.due_level) continue;
    state.due_level = level;
    const crm::v1::EscalationStep& step = snapshot.escalation[i];
    const bool warning = step.trigger() == crm::v1::ESCALATION_TRIGGER_WARNING;
    const TriggerBase& base = warning ? warning_base : breach_base;
    state.due_reason =
        warning ? absl::StrCat(base.target_name, " warning reached ", FormatInstant(base.at, zone), " (",
                               snapshot.warning_percent, "% elapsed, due ", FormatInstant(base.source->due, zone), ")")
                : absl::StrCat(base.target_name, " due ", FormatInstant(base.at, zone), " breached");
    if (step.after_minutes() > 0) absl::StrAppend(&state.due_reason, ", +", step.after_minutes(), "m");
  }

  if (state.due_level > timeline.escalation_level) {
    // Not applied yet: the sweep has had work since the earliest passed trigger.
    for (size_t i = 0; i < triggers.size(); ++i) {
      if (level_of(i) <= timeline.escalation_level || triggers[i] > now) continue;
      if (!state.next_escalation_time.has_value() || triggers[i] < *state.next_escalation_time) {
        state.next_escalation_time = triggers[i];
      }
    }
    return state;
  }
  for (size_t i = 0; i < triggers.size(); ++i) {
    if (level_of(i) <= state.due_level) continue;
    if (triggers[i] != absl::InfiniteFuture()) state.next_escalation_time = triggers[i];
    break;
  }
  return state;
}

void TimerToProto(const TimerState& timer, crm::v1::SlaTimer* out) {
  out->Clear();
  out->set_target_minutes(timer.target_minutes);
  if (timer.target_minutes <= 0) return;
  if (timer.due.has_value()) *out->mutable_due_time() = TimeToTimestamp(*timer.due);
  if (timer.warning.has_value()) *out->mutable_warning_time() = TimeToTimestamp(*timer.warning);
  if (timer.met.has_value()) *out->mutable_met_time() = TimeToTimestamp(*timer.met);
  const int64_t remaining_micros = absl::ToInt64Microseconds(timer.remaining);
  // Duration's seconds and nanos share a sign (truncating division gives that).
  out->mutable_remaining()->set_seconds(remaining_micros / 1000000);
  out->mutable_remaining()->set_nanos(static_cast<int32_t>(remaining_micros % 1000000 * 1000));
  out->set_breached(timer.breached);
  out->set_paused(timer.paused);
}

SlaSnapshot SnapshotOfTicket(const crm::v1::Ticket& ticket, int warning_percent,
                             std::vector<crm::v1::EscalationStep> escalation) {
  SlaSnapshot snapshot;
  snapshot.policy_id = ticket.sla_policy_id();
  snapshot.calendar_id = ticket.calendar_id();
  snapshot.first_response_minutes = ticket.first_response().target_minutes();
  snapshot.resolution_minutes = ticket.resolution().target_minutes();
  if (warning_percent > 0) snapshot.warning_percent = warning_percent;
  snapshot.escalation = std::move(escalation);
  return snapshot;
}

TicketTimeline TimelineOfTicket(const crm::v1::Ticket& ticket, std::vector<TicketPause> pauses) {
  TicketTimeline timeline;
  timeline.created = TimestampToTime(ticket.create_time());
  timeline.pauses = std::move(pauses);
  if (ticket.has_first_response_time()) timeline.first_response = TimestampToTime(ticket.first_response_time());
  if (ticket.has_resolve_time()) timeline.resolved = TimestampToTime(ticket.resolve_time());
  timeline.first_response_breached = ticket.first_response().breached();
  timeline.resolution_breached = ticket.resolution().breached();
  timeline.escalation_level = ticket.escalation_level();
  return timeline;
}

void SetTicketTimers(const SlaState& state, crm::v1::Ticket* ticket) {
  // Sticky even where the new state has no target (a re-target that dropped it).
  const bool first_response_breached = ticket->first_response().breached();
  const bool resolution_breached = ticket->resolution().breached();
  TimerToProto(state.first_response, ticket->mutable_first_response());
  TimerToProto(state.resolution, ticket->mutable_resolution());
  if (first_response_breached) ticket->mutable_first_response()->set_breached(true);
  if (resolution_breached) ticket->mutable_resolution()->set_breached(true);
}

}  // namespace crm::servicedesk
