#include "services/servicedesk/ticket_logic.h"

#include <soci/soci.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/etag.h"
#include "common/core/field_mask.h"
#include "common/core/ids.h"
#include "common/core/keyset_page.h"
#include "common/core/page_token.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_logic.h"
#include "services/accounts/account_store.h"
#include "services/accounts/tier_policy_store.h"
#include "services/servicedesk/business_calendar.h"
#include "services/servicedesk/sla_resolution.h"
#include "services/servicedesk/ticket_sla.h"
#include "services/servicedesk/ticket_store.h"

namespace crm::servicedesk {
namespace {

using crm::v1::Ticket;
using crm::v1::TicketComment;
using crm::v1::TicketStatus;

constexpr char kIdPrefix[] = "tkt";
constexpr char kCommentIdPrefix[] = "tkc";
constexpr char kCreateScope[] = "tickets.create";
constexpr char kCommentScope[] = "tickets.comment";
constexpr char kListScope[] = "tickets.list";
constexpr char kCommentListScope[] = "tickets.comments.list";
constexpr char kHistoryListScope[] = "tickets.history.list";
// ticket_history.reason is VARCHAR(2000).

// Status, assignment, escalation and timers move only through their own methods.
const absl::flat_hash_set<std::string>& UpdatableFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "subject", "description", "category", "contact_id", "priority", "channel", "custom_fields"};
  return *fields;
}

absl::Status ValidateTicket(const Ticket& t, const std::string& prefix) {
  const auto f = [&prefix](const char* field) { return absl::StrCat(prefix, ".", field); };
  Validator v;
  v.RequiredText(t.subject(), f("subject"), kMaxShortTextLength);
  v.OptionalLongText(t.description(), f("description"));
  v.OptionalText(t.category(), f("category"), kMaxShortTextLength);
  v.Enum(t.priority(), crm::v1::TicketPriority_IsValid, f("priority"), true);
  v.Enum(t.channel(), crm::v1::TicketChannel_IsValid, f("channel"), false);
  if (!t.contact_id().empty()) v.RequiredId(t.contact_id(), f("contact_id"));
  // Each value is checked against its definition in the writing transaction; this only bounds
  // the work.
  v.Check(t.custom_fields_size() <= customfields::kMaxFieldsPerEntity, f("custom_fields"),
          absl::StrCat("at most ", customfields::kMaxFieldsPerEntity, " values"));
  return v.status();
}

void NormaliseTicket(Ticket& t) {
  t.set_subject(Trimmed(t.subject()));
  t.set_category(Trimmed(t.category()));
}

std::string StatusName(TicketStatus status) { return crm::v1::TicketStatus_Name(status); }

// The status flow of ticket_logic.h (reopening is ReopenTicket's).
bool TransitionAllowed(TicketStatus from, TicketStatus to) {
  using namespace crm::v1;  // NOLINT: the enum constants read better unqualified here
  switch (from) {
    case TICKET_STATUS_NEW:
      return to == TICKET_STATUS_OPEN || to == TICKET_STATUS_PENDING || to == TICKET_STATUS_RESOLVED;
    case TICKET_STATUS_OPEN:
      return to == TICKET_STATUS_PENDING || to == TICKET_STATUS_RESOLVED;
    case TICKET_STATUS_PENDING:
      return to == TICKET_STATUS_OPEN || to == TICKET_STATUS_RESOLVED;
    case TICKET_STATUS_RESOLVED:
      return to == TICKET_STATUS_CLOSED;
    default:
      return false;
  }
}

absl::Status ClosedIsFinal(const std::string& field) {
  return FailedPreconditionField(field, "the ticket is closed; a closed ticket is final");
}

// ---- one change to a ticket ------------------------------------------------------------------

// A ticket being changed inside a write transaction: the new row, its pauses as they will be
// stored, and everything else the change writes with it.
struct TicketDraft {
  struct PauseWrite {
    bool start = true;
    PauseKind kind = PauseKind::kPending;
  };
  TicketRecord record;
  std::vector<TicketPause> pauses;
  std::vector<PauseWrite> pause_writes;
  std::vector<crm::v1::TicketChange> history;
  std::vector<std::string> events;
  absl::Time now;
  std::string actor;

  void Record(crm::v1::TicketChangeKind kind, std::string from, std::string to, std::string reason) {
    history.push_back(
        MakeTicketChange(record.id(), kind, std::move(from), std::move(to), std::move(reason), actor, now));
  }

  void Event(const std::string& type) {
    if (std::find(events.begin(), events.end(), type) == events.end()) events.push_back(type);
  }

  void StartPause(PauseKind kind) {
    pauses.push_back(TicketPause{kind, now, absl::InfiniteFuture()});
    pause_writes.push_back({true, kind});
  }

  void EndPause(PauseKind kind) {
    for (TicketPause& pause : pauses) {
      if (pause.kind == kind && pause.to == absl::InfiniteFuture()) pause.to = now;
    }
    pause_writes.push_back({false, kind});
  }

  // Moves the status (already checked against the flow), with its pauses, stamps and history.
  void MoveStatus(TicketStatus to, const std::string& reason) {
    Ticket& t = record.ticket;
    const TicketStatus from = t.status();
    if (from == crm::v1::TICKET_STATUS_PENDING) EndPause(PauseKind::kPending);
    if (from == crm::v1::TICKET_STATUS_RESOLVED && to != crm::v1::TICKET_STATUS_CLOSED) {
      // A reopen: the resolution clock resumes, its counted time so far stays counted.
      EndPause(PauseKind::kResolved);
      t.clear_resolve_time();
    }
    switch (to) {
      case crm::v1::TICKET_STATUS_PENDING:
        StartPause(PauseKind::kPending);
        break;
      case crm::v1::TICKET_STATUS_RESOLVED:
        *t.mutable_resolve_time() = TimeToTimestamp(now);
        StartPause(PauseKind::kResolved);
        break;
      case crm::v1::TICKET_STATUS_CLOSED:
        *t.mutable_close_time() = TimeToTimestamp(now);
        break;
      default:
        break;
    }
    t.set_status(to);
    Record(crm::v1::TICKET_CHANGE_KIND_STATUS, StatusName(from), StatusName(to), reason);
    Event("ticket.status_changed");
  }
};

TicketDraft NewDraft(const TicketRecord& record, std::vector<TicketPause> pauses, absl::Time now,
                     const std::string& actor) {
  TicketDraft draft;
  draft.record = record;
  draft.pauses = std::move(pauses);
  draft.now = now;
  draft.actor = actor;
  return draft;
}

// Recomputes the SLA columns of the draft at its time.
absl::Status Retime(soci::session& sql, TicketDraft& draft) {
  TicketSlaSources sources;
  return sources.Retime(sql, draft.pauses, draft.now, draft.record);
}

// What a draft writes besides the row: pauses, history and events, in the row's transaction.
absl::Status WriteEffects(const server::Runtime& rt, db::Tx& tx, const Ticket* before, const TicketDraft& draft,
                          const server::CallContext& call, const std::string& request_id) {
  const Ticket& after = draft.record.ticket;
  for (const TicketDraft::PauseWrite& write : draft.pause_writes) {
    absl::Status s = write.start ? TicketStore::StartPause(tx, after.id(), write.kind, draft.now)
                                 : TicketStore::EndPause(tx, after.id(), write.kind, draft.now);
    if (!s.ok()) return s;
  }
  return RecordTicketChange(rt, tx, before, after, draft.history, draft.events,
                            before == nullptr ? crm::v1::CHANGE_KIND_CREATED : crm::v1::CHANGE_KIND_UPDATED,
                            after.assignee(), call.actor, request_id, draft.now);
}

// The ticket as callers see it, read on `sql`: its timers as of `now`, without the values of
// removed custom fields.
absl::StatusOr<std::optional<TicketRecord>> FindLive(soci::session& sql, const std::string& id, absl::Time now) {
  absl::StatusOr<std::optional<TicketRecord>> found = TicketStore::Find(sql, id);
  if (!found.ok() || !found->has_value()) return found;
  if (absl::Status s = customfields::HideRemovedValues(sql, crm::v1::CUSTOM_FIELD_ENTITY_TICKET,
                                                       std::vector<Ticket*>{&(*found)->ticket});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(sql, id);
  if (!pauses.ok()) return pauses.status();
  TicketSlaSources sources;
  if (absl::Status s = sources.Retime(sql, *pauses, now, **found); !s.ok()) return s;
  return found;
}

// Decides the change on a draft of the current ticket: false = nothing to do.
using TicketMutation = std::function<absl::StatusOr<bool>(db::Tx&, TicketDraft&)>;

// One change to ticket `id` under its etag: the mutation, then the custom values checked (when
// the mutation may change them: `touches_custom_fields`), the SLA recomputed, the row written at
// its revision, and pauses, history and events in the same transaction. The answer shows no
// removed custom fields' values.
absl::StatusOr<Ticket> ChangeTicket(const server::Runtime& rt, const server::CallContext& call, const std::string& id,
                                    const std::string& etag, const std::string& id_field, const TicketMutation& mutate,
                                    bool touches_custom_fields = false) {
  const absl::Time now = rt.clock->Now();
  TicketDraft draft;
  bool changed = false;
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_TICKET, "ticket.custom_fields");
  db::VersionedChange<TicketRecord> op;
  op.load = TicketStore::FindForUpdate;
  op.store = TicketStore::Update;
  op.not_found = [&] { return NoSuchEntity(id_field, kTicketEntity, id); };
  op.change = [&](db::Tx& tx, const TicketRecord& before) -> absl::StatusOr<std::optional<TicketRecord>> {
    absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(tx.session(), before.id());
    if (!pauses.ok()) return pauses.status();
    draft = NewDraft(before, *std::move(pauses), now, call.actor);
    absl::StatusOr<bool> wanted = mutate(tx, draft);
    if (!wanted.ok()) return wanted.status();
    changed = *wanted;
    // After the mutation, so that a replaced map gets removed fields' values back before the
    // changed values are checked.
    const bool values_touched = changed && touches_custom_fields;
    if (absl::Status s = values.PrepareChange(tx.session(), before.ticket.custom_fields(),
                                              draft.record.ticket.mutable_custom_fields(), values_touched);
        !s.ok()) {
      return s;
    }
    // What the mutation took for a change may have been only those values, now back.
    if (values_touched && DiffMessages(&before.ticket, draft.record.ticket, BookkeepingFields()).empty()) {
      changed = false;
    }
    if (changed) *draft.record.ticket.mutable_update_time() = TimeToTimestamp(now);
    // Unchanged, this is only the live view of the timers for the response.
    if (absl::Status s = Retime(tx.session(), draft); !s.ok()) return s;
    if (!changed) return std::optional<TicketRecord>();
    return std::optional<TicketRecord>(draft.record);
  };
  op.after_write = [&](db::Tx& tx, const TicketRecord& before, const TicketRecord&) {
    return WriteEffects(rt, tx, &before.ticket, draft, call, call.correlation_id);
  };
  absl::StatusOr<TicketRecord> result = db::ChangeVersioned(*rt.db, call.deadline, id, etag, "etag", kTicketEntity, op);
  if (!result.ok()) return result.status();
  Ticket answer = changed ? std::move(result->ticket) : draft.record.ticket;
  values.Present(answer.mutable_custom_fields());
  return answer;
}

void ToSegment(const ExplainedSegment& segment, crm::v1::DeadlineSegment* out) {
  switch (segment.kind) {
    case ExplainedSegment::Kind::kCounted:
      out->set_kind(crm::v1::DEADLINE_SEGMENT_KIND_COUNTED);
      break;
    case ExplainedSegment::Kind::kClosedHours:
      out->set_kind(crm::v1::DEADLINE_SEGMENT_KIND_CLOSED_HOURS);
      break;
    case ExplainedSegment::Kind::kNoHoursDay:
      out->set_kind(crm::v1::DEADLINE_SEGMENT_KIND_NO_HOURS_DAY);
      break;
    case ExplainedSegment::Kind::kHoliday:
      out->set_kind(crm::v1::DEADLINE_SEGMENT_KIND_HOLIDAY);
      break;
    case ExplainedSegment::Kind::kPaused:
      out->set_kind(crm::v1::DEADLINE_SEGMENT_KIND_PAUSED);
      break;
  }
  *out->mutable_start_time() = TimeToTimestamp(segment.from);
  *out->mutable_end_time() = TimeToTimestamp(segment.to);
  out->mutable_local_date()->set_year(static_cast<int32_t>(segment.local_day.year()));
  out->mutable_local_date()->set_month(segment.local_day.month());
  out->mutable_local_date()->set_day(segment.local_day.day());
  out->set_holiday_name(segment.holiday_name);
}

}  // namespace

// ---- SLA helpers shared with the escalation area ----------------------------------------------

crm::v1::TicketChange MakeTicketChange(const std::string& ticket_id, crm::v1::TicketChangeKind kind, std::string from,
                                       std::string to, std::string reason, const std::string& actor, absl::Time now) {
  crm::v1::TicketChange change;
  change.set_ticket_id(ticket_id);
  change.set_kind(kind);
  change.set_from_value(std::move(from));
  change.set_to_value(std::move(to));
  if (reason.size() > kMaxTicketReasonLength) reason.resize(kMaxTicketReasonLength);
  change.set_reason(std::move(reason));
  change.set_actor(actor);
  *change.mutable_time() = TimeToTimestamp(now);
  return change;
}

absl::Status RecordTicketChange(const server::Runtime& rt, db::Tx& tx, const Ticket* before, const Ticket& after,
                                const std::vector<crm::v1::TicketChange>& history,
                                const std::vector<std::string>& event_types, crm::v1::ChangeKind event_kind,
                                const std::string& user, const std::string& actor, const std::string& request_id,
                                absl::Time now) {
  for (const crm::v1::TicketChange& change : history) {
    if (absl::Status s = TicketStore::AppendHistory(tx, change); !s.ok()) return s;
  }
  if (event_types.empty()) return absl::OkStatus();
  const Ticket stored_after = StoredTicketView(after);
  const Ticket stored_before = before == nullptr ? Ticket() : StoredTicketView(*before);
  const std::vector<FieldDelta> deltas =
      DiffMessages(before == nullptr ? nullptr : &stored_before, stored_after, BookkeepingFields());
  for (const std::string& type : event_types) {
    absl::Status s =
        rt.outbox->AppendChange(tx, type, kTicketEntity, after.id(), event_kind, deltas, user, actor, request_id, now);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

Ticket StoredTicketView(const Ticket& ticket) {
  Ticket stored = ticket;
  for (crm::v1::SlaTimer* timer : {stored.mutable_first_response(), stored.mutable_resolution()}) {
    timer->clear_remaining();
    timer->clear_paused();
  }
  return stored;
}

absl::StatusOr<const BusinessCalendar*> TicketSlaSources::Calendar(soci::session& sql, const std::string& calendar_id) {
  auto found = calendars_.find(calendar_id);
  if (found == calendars_.end()) {
    absl::StatusOr<BusinessCalendar> loaded = LoadBusinessCalendar(sql, calendar_id);
    if (!loaded.ok()) return loaded.status();
    found = calendars_.emplace(calendar_id, std::make_unique<BusinessCalendar>(*std::move(loaded))).first;
  }
  return found->second.get();
}

absl::StatusOr<const std::vector<crm::v1::EscalationStep>*> TicketSlaSources::Chain(soci::session& sql,
                                                                                    const std::string& policy_id) {
  auto found = chains_.find(policy_id);
  if (found == chains_.end()) {
    absl::StatusOr<crm::v1::SlaPolicy> policy = LoadSlaPolicy(sql, policy_id);
    if (!policy.ok()) return policy.status();
    found = chains_
                .emplace(policy_id,
                         std::vector<crm::v1::EscalationStep>(policy->escalation().begin(), policy->escalation().end()))
                .first;
  }
  return &found->second;
}

absl::StatusOr<std::optional<SlaState>> TicketSlaSources::Evaluate(soci::session& sql, const TicketRecord& record,
                                                                   const std::vector<TicketPause>& pauses,
                                                                   absl::Time now) {
  const Ticket& t = record.ticket;
  if (t.sla_policy_id().empty()) return std::optional<SlaState>();
  absl::StatusOr<const std::vector<crm::v1::EscalationStep>*> chain = Chain(sql, t.sla_policy_id());
  if (!chain.ok()) return chain.status();
  absl::StatusOr<const BusinessCalendar*> calendar = Calendar(sql, t.calendar_id());
  if (!calendar.ok()) return calendar.status();
  return std::optional<SlaState>(
      ComputeSla(**calendar, SnapshotOfTicket(t, record.warning_percent, **chain), TimelineOfTicket(t, pauses), now));
}

absl::Status TicketSlaSources::Retime(soci::session& sql, const std::vector<TicketPause>& pauses, absl::Time now,
                                      TicketRecord& record) {
  absl::StatusOr<std::optional<SlaState>> state = Evaluate(sql, record, pauses, now);
  if (!state.ok()) return state.status();
  Ticket& t = record.ticket;
  if (!state->has_value()) {
    // No SLA: no timers, but a breach flagged under an earlier policy stays.
    const bool first_response_breached = t.first_response().breached();
    const bool resolution_breached = t.resolution().breached();
    t.clear_first_response();
    t.clear_resolution();
    if (first_response_breached) t.mutable_first_response()->set_breached(true);
    if (resolution_breached) t.mutable_resolution()->set_breached(true);
    record.next_escalation_time.reset();
    return absl::OkStatus();
  }
  SetTicketTimers(**state, &t);
  record.next_escalation_time = (*state)->next_escalation_time;
  return absl::OkStatus();
}

absl::Status ChooseTicketTargets(soci::session& sql, TicketRecord& record) {
  Ticket& t = record.ticket;
  // The tier policy may serve a tier under another tier's SLA; the ticket keeps the real tier.
  absl::StatusOr<crm::v1::AccountTier> sla_tier = accounts::TierPolicyStore::SlaTierFor(sql, t.account_tier());
  if (!sla_tier.ok()) return sla_tier.status();
  absl::StatusOr<std::optional<SlaChoice>> choice = ChooseSlaPolicy(sql, *sla_tier, t.priority(), t.category());
  if (!choice.ok()) return choice.status();
  if (!choice->has_value()) {
    t.clear_sla_policy_id();
    t.clear_calendar_id();
    record.warning_percent = 0;
    t.mutable_first_response()->set_target_minutes(0);
    t.mutable_resolution()->set_target_minutes(0);
    return absl::OkStatus();
  }
  const SlaChoice& chosen = **choice;
  t.set_sla_policy_id(chosen.policy.id());
  t.set_calendar_id(chosen.policy.calendar_id());
  // The effective percentage is stored, so readers of the column need not know the default.
  record.warning_percent =
      chosen.policy.warning_percent() > 0 ? chosen.policy.warning_percent() : SlaSnapshot().warning_percent;
  t.mutable_first_response()->set_target_minutes(chosen.target.first_response_minutes());
  t.mutable_resolution()->set_target_minutes(chosen.target.resolution_minutes());
  return absl::OkStatus();
}

std::string DescribeTicketTargets(const Ticket& t) {
  if (t.sla_policy_id().empty()) return "no SLA";
  return absl::StrCat(t.sla_policy_id(), " (first response ", t.first_response().target_minutes(), "m, resolution ",
                      t.resolution().target_minutes(), "m)");
}

absl::StatusOr<Ticket> TicketLogic::Create(const server::CallContext& call,
                                           const crm::v1::CreateTicketRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_ticket(), "ticket", "is required");
  request_checks.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!request_checks.ok()) return request_checks.status();
  const Ticket& asked = request.ticket();
  Validator v;
  v.RequiredId(asked.account_id(), "ticket.account_id");
  v.OptionalText(asked.assignee(), "ticket.assignee", kMaxShortTextLength);
  v.OptionalText(asked.assignee_group(), "ticket.assignee_group", kMaxShortTextLength);
  if (!v.ok()) return v.status();
  if (absl::Status valid = ValidateTicket(asked, "ticket"); !valid.ok()) return valid;

  const absl::Time now = rt_.clock->Now();
  // Only what a caller may set; status, timers and the rest are the server's.
  TicketRecord record;
  Ticket& t = record.ticket;
  t.set_account_id(asked.account_id());
  t.set_contact_id(asked.contact_id());
  t.set_channel(asked.channel());
  t.set_category(asked.category());
  t.set_priority(asked.priority());
  t.set_subject(asked.subject());
  t.set_description(asked.description());
  t.set_assignee(Trimmed(asked.assignee()));
  t.set_assignee_group(Trimmed(asked.assignee_group()));
  *t.mutable_custom_fields() = asked.custom_fields();
  NormaliseTicket(t);
  t.set_status(crm::v1::TICKET_STATUS_NEW);
  t.set_reporter(call.actor);
  t.set_id(NewIdAt(kIdPrefix, now));
  *t.mutable_create_time() = TimeToTimestamp(now);
  *t.mutable_update_time() = TimeToTimestamp(now);

  absl::StatusOr<TicketRecord> created = db::CreateOnce<TicketRecord>(
      *rt_.db, call.deadline, kCreateScope, request.request_id(), request,
      [now](soci::session& sql, const std::string& id) { return FindLive(sql, id, now); },
      [&](db::Tx& tx) -> absl::StatusOr<TicketRecord> {
        TicketDraft draft = NewDraft(record, {}, now, call.actor);
        Ticket& ticket = draft.record.ticket;
        // Shared: a merge of the account waits for this ticket, or this ticket sees its tombstone.
        absl::StatusOr<std::optional<crm::v1::Account>> account =
            accounts::AccountStore::FindForShare(tx, ticket.account_id());
        if (!account.ok()) return account.status();
        if (account->has_value() && !(*account)->merged_into_id().empty()) {
          return accounts::MergedAccount("ticket.account_id", **account);
        }
        if (!account->has_value() || (*account)->has_delete_time()) {
          return NoSuchEntity("ticket.account_id", accounts::kAccountEntity, ticket.account_id());
        }
        if (!ticket.contact_id().empty()) {
          absl::Status contact =
              accounts::CheckContactOfAccount(tx, ticket.contact_id(), ticket.account_id(), "ticket.contact_id");
          if (!contact.ok()) return contact;
        }
        customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_TICKET, "ticket.custom_fields");
        if (absl::Status s = values.PrepareCreate(tx.session(), ticket.mutable_custom_fields()); !s.ok()) return s;
        ticket.set_account_tier((*account)->tier());
        if (absl::Status s = ChooseTicketTargets(tx.session(), draft.record); !s.ok()) return s;
        if (absl::Status s = Retime(tx.session(), draft); !s.ok()) return s;
        draft.Record(crm::v1::TICKET_CHANGE_KIND_CREATED, "", StatusName(ticket.status()),
                     DescribeTicketTargets(ticket));
        draft.Event("ticket.created");
        if (absl::Status s = TicketStore::Insert(tx, draft.record); !s.ok()) return s;
        if (absl::Status s = WriteEffects(rt_, tx, nullptr, draft, call, request.request_id()); !s.ok()) return s;
        draft.record.set_etag(FormatEtag(1));
        return draft.record;
      });
  if (!created.ok()) return created.status();
  return std::move(created->ticket);
}

absl::StatusOr<Ticket> TicketLogic::Get(const server::CallContext& call, const crm::v1::GetTicketRequest& request) {
  if (absl::Status s = Validator().RequiredId(request.id(), "id").status(); !s.ok()) return s;
  const absl::Time now = rt_.clock->Now();
  absl::StatusOr<TicketRecord> record = db::ReadEntity<TicketRecord>(
      *rt_.db, call.deadline, [now](soci::session& sql, const std::string& id) { return FindLive(sql, id, now); },
      request.id(), kTicketEntity);
  if (!record.ok()) return record.status();
  return std::move(record->ticket);
}

absl::StatusOr<crm::v1::ListTicketsResponse> TicketLogic::List(const server::CallContext& call,
                                                               const crm::v1::ListTicketsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  const crm::v1::TicketFilter& filter = request.filter();
  Validator v;
  for (int i = 0; i < filter.statuses_size(); ++i) {
    v.Enum(filter.statuses(i), crm::v1::TicketStatus_IsValid, absl::StrCat("filter.statuses[", i, "]"), true);
  }
  v.Enum(filter.priority(), crm::v1::TicketPriority_IsValid, "filter.priority", false);
  v.OptionalText(filter.assignee(), "filter.assignee", kMaxShortTextLength);
  v.OptionalText(filter.assignee_group(), "filter.assignee_group", kMaxShortTextLength);
  if (!filter.account_id().empty()) v.RequiredId(filter.account_id(), "filter.account_id");
  v.OptionalText(filter.category(), "filter.category", kMaxShortTextLength);
  if (filter.has_escalation_level()) v.NonNegative(filter.escalation_level(), "filter.escalation_level");
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  TicketListQuery query;
  for (int status : filter.statuses()) query.statuses.push_back(static_cast<TicketStatus>(status));
  query.priority = filter.priority();
  query.assignee = filter.assignee();
  query.assignee_group = filter.assignee_group();
  query.account_id = filter.account_id();
  query.category = filter.category();
  if (filter.has_escalation_level()) query.escalation_level = filter.escalation_level();
  if (filter.has_breached()) query.breached = filter.breached();
  query.now = now;
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.before_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<TicketRecord>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<TicketRecord>> {
        absl::StatusOr<std::vector<customfields::IndexCondition>> conditions = customfields::ResolveListFields(
            sql, crm::v1::CUSTOM_FIELD_ENTITY_TICKET, filter.custom_fields(), std::nullopt);
        if (!conditions.ok()) return conditions.status();
        query.custom_conditions = *std::move(conditions);
        absl::StatusOr<std::vector<TicketRecord>> found = TicketStore::List(sql, query);
        if (!found.ok()) return found.status();
        std::vector<Ticket*> tickets;
        for (TicketRecord& r : *found) tickets.push_back(&r.ticket);
        if (absl::Status s = customfields::HideRemovedValues(sql, crm::v1::CUSTOM_FIELD_ENTITY_TICKET, tickets);
            !s.ok()) {
          return s;
        }
        std::vector<std::string> ids;
        for (const TicketRecord& r : *found) ids.push_back(r.id());
        absl::StatusOr<std::map<std::string, std::vector<TicketPause>>> pauses = TicketStore::PausesOf(sql, ids);
        if (!pauses.ok()) return pauses.status();
        TicketSlaSources sources;
        for (TicketRecord& r : *found) {
          auto mine = pauses->find(r.id());
          absl::Status s =
              sources.Retime(sql, mine == pauses->end() ? std::vector<TicketPause>() : mine->second, now, r);
          if (!s.ok()) return s;
        }
        return found;
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListTicketsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const TicketRecord& last) { return KeysetPage::Cursor{last.id()}; }));
  for (TicketRecord& r : *rows) *response.add_tickets() = std::move(r.ticket);
  return response;
}

absl::StatusOr<Ticket> TicketLogic::Update(const server::CallContext& call,
                                           const crm::v1::UpdateTicketRequest& request) {
  Validator request_checks;
  request_checks.Check(request.has_ticket(), "ticket", "is required");
  if (request.has_ticket()) request_checks.RequiredId(request.ticket().id(), "ticket.id");
  if (!request_checks.ok()) return request_checks.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ResolveUpdatePaths(request.ticket(), request.update_mask(), UpdatableFields());
  if (!paths.ok()) return paths.status();

  return ChangeTicket(
      rt_, call, request.ticket().id(), request.etag(), "ticket.id",
      [&](db::Tx& tx, TicketDraft& draft) -> absl::StatusOr<bool> {
        const Ticket before = draft.record.ticket;
        if (before.status() == crm::v1::TICKET_STATUS_CLOSED) return ClosedIsFinal("ticket.id");
        Ticket& after = draft.record.ticket;
        ApplyPaths(request.ticket(), *paths, &after);
        if (absl::Status s = ValidateTicket(after, "ticket"); !s.ok()) return s;
        NormaliseTicket(after);
        if (DiffMessages(&before, after, BookkeepingFields()).empty()) return false;
        if (after.contact_id() != before.contact_id() && !after.contact_id().empty()) {
          absl::Status contact =
              accounts::CheckContactOfAccount(tx, after.contact_id(), after.account_id(), "ticket.contact_id");
          if (!contact.ok()) return contact;
        }
        const bool priority_changed = after.priority() != before.priority();
        if (priority_changed) {
          draft.Record(crm::v1::TICKET_CHANGE_KIND_PRIORITY, crm::v1::TicketPriority_Name(before.priority()),
                       crm::v1::TicketPriority_Name(after.priority()), "");
        }
        if (priority_changed || after.category() != before.category()) {
          // Re-targeted from creation: pauses and sticky breach flags stay.
          if (absl::Status s = ChooseTicketTargets(tx.session(), draft.record); !s.ok()) return s;
          const std::string why =
              priority_changed ? absl::StrCat("priority ", crm::v1::TicketPriority_Name(before.priority()), " → ",
                                              crm::v1::TicketPriority_Name(after.priority()))
                               : absl::StrCat("category \"", before.category(), "\" → \"", after.category(), "\"");
          draft.Record(crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED, DescribeTicketTargets(before),
                       DescribeTicketTargets(after), why);
        }
        draft.Event("ticket.updated");
        return true;
      },
      customfields::TouchesCustomFields(*paths));
}

absl::StatusOr<Ticket> TicketLogic::Assign(const server::CallContext& call,
                                           const crm::v1::AssignTicketRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  v.OptionalText(request.assignee(), "assignee", kMaxShortTextLength);
  v.OptionalText(request.assignee_group(), "assignee_group", kMaxShortTextLength);
  if (!v.ok()) return v.status();
  const std::string assignee = Trimmed(request.assignee());
  const std::string group = Trimmed(request.assignee_group());

  return ChangeTicket(rt_, call, request.id(), request.etag(), "id",
                      [&](db::Tx&, TicketDraft& draft) -> absl::StatusOr<bool> {
                        Ticket& t = draft.record.ticket;
                        if (t.status() == crm::v1::TICKET_STATUS_CLOSED) return ClosedIsFinal("id");
                        const bool group_changes = !group.empty() && group != t.assignee_group();
                        if (assignee == t.assignee() && !group_changes) return false;
                        const std::string from = t.assignee();
                        t.set_assignee(assignee);
                        if (group_changes) t.set_assignee_group(group);
                        draft.Record(crm::v1::TICKET_CHANGE_KIND_ASSIGNED, from, assignee,
                                     group_changes ? absl::StrCat("group ", group) : "");
                        draft.Event("ticket.assigned");
                        if (t.status() == crm::v1::TICKET_STATUS_NEW && !assignee.empty()) {
                          draft.MoveStatus(crm::v1::TICKET_STATUS_OPEN, "assigned");
                        }
                        return true;
                      });
}

absl::StatusOr<Ticket> TicketLogic::ChangeStatus(const server::CallContext& call,
                                                 const crm::v1::ChangeTicketStatusRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  v.Enum(request.status(), crm::v1::TicketStatus_IsValid, "status", true);
  v.OptionalLongText(request.reason(), "reason", kMaxTicketReasonLength);
  if (!v.ok()) return v.status();
  const TicketStatus to = request.status();
  return ChangeTicket(
      rt_, call, request.id(), request.etag(), "id", [&](db::Tx&, TicketDraft& draft) -> absl::StatusOr<bool> {
        const TicketStatus from = draft.record.ticket.status();
        if (!TransitionAllowed(from, to)) {
          std::string why = absl::StrCat("a ", StatusName(from), " ticket cannot move to ", StatusName(to));
          if (from == crm::v1::TICKET_STATUS_RESOLVED && to == crm::v1::TICKET_STATUS_OPEN) {
            absl::StrAppend(&why, " (use ReopenTicket)");
          }
          return FailedPreconditionField("status", why);
        }
        draft.MoveStatus(to, Trimmed(request.reason()));
        return true;
      });
}

absl::StatusOr<Ticket> TicketLogic::Reopen(const server::CallContext& call,
                                           const crm::v1::ReopenTicketRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  v.OptionalLongText(request.reason(), "reason", kMaxTicketReasonLength);
  if (!v.ok()) return v.status();
  return ChangeTicket(
      rt_, call, request.id(), request.etag(), "id", [&](db::Tx&, TicketDraft& draft) -> absl::StatusOr<bool> {
        const TicketStatus from = draft.record.ticket.status();
        if (from != crm::v1::TICKET_STATUS_RESOLVED) {
          return FailedPreconditionField(
              "id", absl::StrCat("only a resolved ticket can be reopened; this one is ", StatusName(from)));
        }
        draft.MoveStatus(crm::v1::TICKET_STATUS_OPEN, Trimmed(request.reason()));
        return true;
      });
}

absl::StatusOr<TicketComment> TicketLogic::AddComment(const server::CallContext& call,
                                                      const crm::v1::AddCommentRequest& request) {
  Validator v;
  v.Check(request.has_comment(), "comment", "is required");
  v.OptionalText(request.request_id(), "request_id", kMaxShortTextLength);
  if (!v.ok()) return v.status();
  TicketComment comment = request.comment();
  comment.set_body(Trimmed(comment.body()));
  v.RequiredId(comment.ticket_id(), "comment.ticket_id");
  v.Enum(comment.visibility(), crm::v1::CommentVisibility_IsValid, "comment.visibility", true);
  v.Enum(comment.author_kind(), crm::v1::CommentAuthorKind_IsValid, "comment.author_kind", false);
  v.Check(!comment.body().empty(), "comment.body", "is required");
  v.OptionalLongText(comment.body(), "comment.body");
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  if (comment.author_kind() == crm::v1::COMMENT_AUTHOR_KIND_UNSPECIFIED) {
    comment.set_author_kind(crm::v1::COMMENT_AUTHOR_KIND_AGENT);
  }
  comment.set_author(call.actor);
  comment.set_id(NewIdAt(kCommentIdPrefix, now));
  *comment.mutable_create_time() = TimeToTimestamp(now);

  return db::CreateOnce<TicketComment>(
      *rt_.db, call.deadline, kCommentScope, request.request_id(), request, TicketStore::FindComment,
      [&](db::Tx& tx) -> absl::StatusOr<TicketComment> {
        absl::StatusOr<std::optional<TicketRecord>> loaded = TicketStore::FindForUpdate(tx, comment.ticket_id());
        if (!loaded.ok()) return loaded.status();
        if (!loaded->has_value()) return NoSuchEntity("comment.ticket_id", kTicketEntity, comment.ticket_id());
        const TicketRecord& before = **loaded;
        if (before.ticket.status() == crm::v1::TICKET_STATUS_CLOSED) return ClosedIsFinal("comment.ticket_id");
        if (absl::Status s = TicketStore::InsertComment(tx, comment); !s.ok()) return s;

        absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(tx.session(), before.id());
        if (!pauses.ok()) return pauses.status();
        TicketDraft draft = NewDraft(before, *std::move(pauses), now, call.actor);
        Ticket& t = draft.record.ticket;
        bool ticket_changed = false;
        const bool agent = comment.author_kind() == crm::v1::COMMENT_AUTHOR_KIND_AGENT;
        if (agent && comment.visibility() == crm::v1::COMMENT_VISIBILITY_PUBLIC && !t.has_first_response_time()) {
          *t.mutable_first_response_time() = TimeToTimestamp(now);
          draft.Record(crm::v1::TICKET_CHANGE_KIND_FIRST_RESPONSE, "",
                       absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone()), "first public agent reply");
          if (t.status() == crm::v1::TICKET_STATUS_NEW) draft.MoveStatus(crm::v1::TICKET_STATUS_OPEN, "first response");
          ticket_changed = true;
        }
        if (!agent && t.status() == crm::v1::TICKET_STATUS_PENDING) {
          draft.MoveStatus(crm::v1::TICKET_STATUS_OPEN, "customer replied");
          ticket_changed = true;
        }
        draft.Event("ticket.commented");
        if (ticket_changed) {
          *t.mutable_update_time() = TimeToTimestamp(now);
          if (absl::Status s = Retime(tx.session(), draft); !s.ok()) return s;
          const int64_t revision = db::RevisionOf(before);
          absl::StatusOr<bool> written = TicketStore::Update(tx, before, draft.record, revision);
          if (!written.ok()) return written.status();
          if (!*written) return StaleEtag(kTicketEntity);
        }
        if (absl::Status s = WriteEffects(rt_, tx, &before.ticket, draft, call, request.request_id()); !s.ok()) {
          return s;
        }
        return comment;
      });
}

absl::StatusOr<crm::v1::ListCommentsResponse> TicketLogic::ListComments(const server::CallContext& call,
                                                                        const crm::v1::ListCommentsRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().RequiredId(request.ticket_id(), "ticket_id").status(); !s.ok()) return s;
  CommentListQuery query;
  query.ticket_id = request.ticket_id();
  query.public_only = request.public_only();
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kCommentListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  if (!page->first()) query.after_id = page->cursor()[0];
  query.limit = page->fetch_limit();

  absl::StatusOr<std::vector<TicketComment>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<TicketComment>> {
        absl::StatusOr<std::optional<TicketRecord>> ticket = TicketStore::Find(sql, request.ticket_id());
        if (!ticket.ok()) return ticket.status();
        if (!ticket->has_value()) return NoSuchEntity("ticket_id", kTicketEntity, request.ticket_id());
        return TicketStore::ListComments(sql, query);
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListCommentsResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const TicketComment& last) { return KeysetPage::Cursor{last.id()}; }));
  for (TicketComment& c : *rows) *response.add_comments() = std::move(c);
  return response;
}

absl::StatusOr<crm::v1::ListTicketHistoryResponse> TicketLogic::ListHistory(
    const server::CallContext& call, const crm::v1::ListTicketHistoryRequest& request) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = Validator().RequiredId(request.ticket_id(), "ticket_id").status(); !s.ok()) return s;
  absl::StatusOr<KeysetPage> page = KeysetPage::Open(*rt_.page_tokens, kHistoryListScope, request, *page_size, 1);
  if (!page.ok()) return page.status();
  int64_t after_seq = 0;
  if (!page->first()) {
    absl::StatusOr<int64_t> seq = page->IntAt(0);
    if (!seq.ok()) return seq.status();
    after_seq = *seq;
  }

  absl::StatusOr<std::vector<HistoryEntry>> rows =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<std::vector<HistoryEntry>> {
        absl::StatusOr<std::optional<TicketRecord>> ticket = TicketStore::Find(sql, request.ticket_id());
        if (!ticket.ok()) return ticket.status();
        if (!ticket->has_value()) return NoSuchEntity("ticket_id", kTicketEntity, request.ticket_id());
        return TicketStore::History(sql, request.ticket_id(), after_seq, page->fetch_limit());
      });
  if (!rows.ok()) return rows.status();
  crm::v1::ListTicketHistoryResponse response;
  response.set_next_page_token(
      page->Finish(&*rows, [](const HistoryEntry& last) { return KeysetPage::Cursor{absl::StrCat(last.seq)}; }));
  for (HistoryEntry& h : *rows) *response.add_changes() = std::move(h.change);
  return response;
}

absl::StatusOr<crm::v1::DeadlineExplanation> TicketLogic::ExplainDeadline(
    const server::CallContext& call, const crm::v1::ExplainDeadlineRequest& request) {
  Validator v;
  v.RequiredId(request.ticket_id(), "ticket_id");
  v.Enum(request.target(), crm::v1::SlaTarget_IsValid, "target", true);
  if (!v.ok()) return v.status();
  const absl::Time now = rt_.clock->Now();

  struct Loaded {
    TicketRecord record;
    std::vector<TicketPause> pauses;
    std::optional<BusinessCalendar> calendar;
  };
  absl::StatusOr<Loaded> loaded =
      db::ReadValue(*rt_.db, call.deadline, [&](soci::session& sql) -> absl::StatusOr<Loaded> {
        absl::StatusOr<std::optional<TicketRecord>> ticket = TicketStore::Find(sql, request.ticket_id());
        if (!ticket.ok()) return ticket.status();
        if (!ticket->has_value()) return NoSuchEntity("ticket_id", kTicketEntity, request.ticket_id());
        Loaded out{**std::move(ticket), {}, std::nullopt};
        const Ticket& t = out.record.ticket;
        const int64_t minutes = request.target() == crm::v1::SLA_TARGET_FIRST_RESPONSE
                                    ? t.first_response().target_minutes()
                                    : t.resolution().target_minutes();
        if (t.sla_policy_id().empty() || minutes <= 0) {
          return FailedPreconditionField(
              "target", absl::StrCat("the ticket has no ", crm::v1::SlaTarget_Name(request.target()), " target"));
        }
        absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(sql, t.id());
        if (!pauses.ok()) return pauses.status();
        out.pauses = *std::move(pauses);
        absl::StatusOr<BusinessCalendar> calendar = LoadBusinessCalendar(sql, t.calendar_id());
        if (!calendar.ok()) return calendar.status();
        out.calendar = *std::move(calendar);
        return out;
      });
  if (!loaded.ok()) return loaded.status();

  const Ticket& t = loaded->record.ticket;
  const bool first_response = request.target() == crm::v1::SLA_TARGET_FIRST_RESPONSE;
  const int64_t minutes = first_response ? t.first_response().target_minutes() : t.resolution().target_minutes();
  const absl::Time start = TimestampToTime(t.create_time());
  std::vector<Pause> pauses = PausesFor(request.target(), TimelineOfTicket(t, loaded->pauses));
  // A met target is explained as it stood when it was met: pauses from then on did not move it.
  const bool met = first_response ? t.has_first_response_time() : t.has_resolve_time();
  if (met) {
    const absl::Time met_at = TimestampToTime(first_response ? t.first_response_time() : t.resolve_time());
    pauses.erase(std::remove_if(pauses.begin(), pauses.end(), [met_at](const Pause& p) { return p.from >= met_at; }),
                 pauses.end());
  }
  // A pause still running has no end to count past: explain up to now with the pause ending
  // there, and keep the due time only if the target ran out before the pause began.
  std::optional<absl::Time> open_since;
  for (Pause& pause : pauses) {
    if (pause.to != absl::InfiniteFuture()) continue;
    open_since = open_since ? std::min(*open_since, pause.from) : pause.from;
    pause.to = std::max(now, pause.from);
  }
  const Explanation explanation = loaded->calendar->ExplainDeadline(start, absl::Minutes(minutes), pauses);
  const bool due_known = explanation.due != absl::InfiniteFuture() && (!open_since || explanation.due <= *open_since);

  crm::v1::DeadlineExplanation response;
  response.set_ticket_id(t.id());
  response.set_target(request.target());
  response.set_target_minutes(minutes);
  response.set_calendar_id(t.calendar_id());
  response.set_time_zone(loaded->calendar->time_zone().name());
  *response.mutable_start_time() = TimeToTimestamp(start);
  if (due_known) *response.mutable_due_time() = TimeToTimestamp(explanation.due);
  for (const ExplainedSegment& segment : explanation.segments) {
    if (!due_known && segment.from >= now) break;
    crm::v1::DeadlineSegment* out = response.add_segments();
    ToSegment(segment, out);
    if (!due_known && segment.to > now) *out->mutable_end_time() = TimeToTimestamp(now);
  }
  return response;
}

}  // namespace crm::servicedesk
