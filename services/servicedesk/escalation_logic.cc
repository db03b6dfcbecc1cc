#include "services/servicedesk/escalation_logic.h"

#include <soci/soci.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/core/errors.h"
#include "common/core/field_mask.h"
#include "common/core/time_util.h"
#include "common/core/validation.h"
#include "common/customfields/custom_field_store.h"
#include "common/customfields/record_fields.h"
#include "common/db/entity_ops.h"
#include "services/accounts/account_store.h"
#include "services/servicedesk/business_calendar.h"
#include "services/servicedesk/escalation_store.h"
#include "services/servicedesk/sla_resolution.h"
#include "services/servicedesk/ticket_logic.h"
#include "services/servicedesk/ticket_sla.h"
#include "services/servicedesk/ticket_store.h"

namespace crm::servicedesk {
namespace {

using crm::v1::EscalationStep;
using crm::v1::Ticket;

constexpr char kSystemActor[] = "system";
constexpr char kEscalatedEvent[] = "ticket.escalated";
constexpr char kRetargetedEvent[] = "ticket.sla_retargeted";
// Rows read per query; a round reads batch after batch, so memory stays bounded.
constexpr int kBatchSize = 200;

// Step `level` of the chain, or nullptr when the chain is that short.
const EscalationStep* StepAt(const std::vector<EscalationStep>* chain, int level) {
  if (chain == nullptr) return nullptr;
  for (size_t i = 0; i < chain->size(); ++i) {
    const int step_level = (*chain)[i].level() > 0 ? (*chain)[i].level() : static_cast<int>(i) + 1;
    if (step_level == level) return &(*chain)[i];
  }
  return nullptr;
}

// Moves the ticket to `level` and queues it along `step` (if any). Returns the user the
// escalation event concerns: the new assignee, else the group it is queued for.
std::string RaiseTo(Ticket& ticket, int level, const EscalationStep* step) {
  ticket.set_escalation_level(level);
  if (step != nullptr) {
    ticket.set_assignee_group(step->assignee_group());
    if (!step->assignee().empty()) ticket.set_assignee(step->assignee());
    return step->assignee().empty() ? step->assignee_group() : step->assignee();
  }
  return ticket.assignee().empty() ? ticket.assignee_group() : ticket.assignee();
}

bool ChangesTier(const crm::v1::Event& event) {
  for (const crm::v1::FieldChange& change : event.changes()) {
    if (change.field() == "tier") return true;
  }
  return false;
}

// One due ticket, in its own transaction. True when it was escalated.
absl::StatusOr<bool> SweepTicket(const server::Runtime& rt, const std::string& id, absl::Time now, absl::Time deadline,
                                 TicketSlaSources& sources) {
  bool escalated = false;
  absl::Status status = rt.db->Write(
      [&](db::Tx& tx) -> absl::Status {
        escalated = false;  // the transaction may run more than once
        absl::StatusOr<std::optional<TicketRecord>> found = TicketStore::FindForUpdate(tx, id);
        if (!found.ok()) return found.status();
        // Gone, or resolved / closed since it was selected: the ticket's own writes cleared it.
        if (!found->has_value() || !IsOpenTicketStatus((*found)->ticket.status())) return absl::OkStatus();
        const TicketRecord& before = **found;
        const int64_t revision = db::RevisionOf(before);
        if (before.ticket.sla_policy_id().empty()) {
          return EscalationStore::Reschedule(tx, id, std::nullopt, revision).status();
        }
        absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(tx.session(), id);
        if (!pauses.ok()) return pauses.status();
        absl::StatusOr<std::optional<SlaState>> evaluated = sources.Evaluate(tx.session(), before, *pauses, now);
        if (!evaluated.ok()) return evaluated.status();
        const SlaState& state = **evaluated;
        const int level = before.ticket.escalation_level();
        if (state.due_level <= level) {
          // Nothing due (another process was first, or the ticket changed): only the schedule.
          if (state.next_escalation_time == before.next_escalation_time) return absl::OkStatus();
          return EscalationStore::Reschedule(tx, id, state.next_escalation_time, revision).status();
        }
        absl::StatusOr<const std::vector<EscalationStep>*> chain =
            sources.Chain(tx.session(), before.ticket.sla_policy_id());
        if (!chain.ok()) return chain.status();

        TicketRecord after = before;
        const std::string user = RaiseTo(after.ticket, state.due_level, StepAt(*chain, state.due_level));
        if (absl::Status s = sources.Retime(tx.session(), *pauses, now, after); !s.ok()) return s;
        *after.ticket.mutable_update_time() = TimeToTimestamp(now);
        absl::StatusOr<bool> written = TicketStore::Update(tx, before, after, revision);
        if (!written.ok()) return written.status();
        if (!*written) return absl::OkStatus();  // changed meanwhile: the next round looks again
        escalated = true;
        const crm::v1::TicketChange change =
            MakeTicketChange(after.ticket.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED, absl::StrCat(level),
                             absl::StrCat(state.due_level), state.due_reason, kSystemActor, now);
        return RecordTicketChange(rt, tx, &before.ticket, after.ticket, {change}, {kEscalatedEvent},
                                  crm::v1::CHANGE_KIND_NOTICE, user, change.actor(), "", now);
      },
      deadline);
  if (!status.ok()) return status;
  return escalated;
}

}  // namespace

absl::StatusOr<Ticket> EscalationLogic::Escalate(const server::CallContext& call,
                                                 const crm::v1::EscalateTicketRequest& request) {
  Validator v;
  v.RequiredId(request.id(), "id");
  v.RequiredText(request.reason(), "reason", kMaxTicketReasonLength);
  if (!v.ok()) return v.status();

  const absl::Time now = rt_.clock->Now();
  TicketSlaSources sources;
  std::string user;
  customfields::RecordWrite values(crm::v1::CUSTOM_FIELD_ENTITY_TICKET, "ticket.custom_fields");
  db::VersionedChange<TicketRecord> op;
  op.load = TicketStore::FindForUpdate;
  op.store = TicketStore::Update;
  op.not_found = [&] { return NoSuchEntity("id", kTicketEntity, request.id()); };
  op.change = [&](db::Tx& tx, const TicketRecord& before) -> absl::StatusOr<std::optional<TicketRecord>> {
    // For the answer only: an escalation leaves the custom values alone.
    if (absl::Status s = values.PrepareChange(tx.session(), before.ticket.custom_fields(), nullptr, false); !s.ok()) {
      return s;
    }
    if (!IsOpenTicketStatus(before.ticket.status())) {
      return FailedPreconditionField("id",
                                     absl::StrCat("the ticket is ", crm::v1::TicketStatus_Name(before.ticket.status()),
                                                  "; only new, open and pending tickets can be escalated"));
    }
    // Without a policy there is no chain: the level still rises, the assignment stays.
    const std::vector<EscalationStep>* chain = nullptr;
    if (!before.ticket.sla_policy_id().empty()) {
      absl::StatusOr<const std::vector<EscalationStep>*> found =
          sources.Chain(tx.session(), before.ticket.sla_policy_id());
      if (!found.ok()) return found.status();
      chain = *found;
    }
    absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(tx.session(), before.ticket.id());
    if (!pauses.ok()) return pauses.status();
    TicketRecord after = before;
    const int level = before.ticket.escalation_level() + 1;
    user = RaiseTo(after.ticket, level, StepAt(chain, level));
    if (absl::Status s = sources.Retime(tx.session(), *pauses, now, after); !s.ok()) return s;
    *after.ticket.mutable_update_time() = TimeToTimestamp(now);
    return std::optional<TicketRecord>(std::move(after));
  };
  op.after_write = [&](db::Tx& tx, const TicketRecord& before, const TicketRecord& after) {
    const crm::v1::TicketChange change = MakeTicketChange(
        after.ticket.id(), crm::v1::TICKET_CHANGE_KIND_ESCALATED, absl::StrCat(before.ticket.escalation_level()),
        absl::StrCat(after.ticket.escalation_level()), Trimmed(request.reason()), call.actor, now);
    return RecordTicketChange(rt_, tx, &before.ticket, after.ticket, {change}, {kEscalatedEvent},
                              crm::v1::CHANGE_KIND_NOTICE, user, change.actor(), call.correlation_id, now);
  };
  absl::StatusOr<TicketRecord> escalated =
      db::ChangeVersioned(*rt_.db, call.deadline, request.id(), request.etag(), "etag", kTicketEntity, op);
  if (!escalated.ok()) return escalated.status();
  values.Present(escalated->ticket.mutable_custom_fields());
  return std::move(escalated->ticket);
}

absl::StatusOr<int> EscalationLogic::SweepDue(absl::Time now, absl::Duration db_wait,
                                              const std::function<bool()>& keep_going) {
  TicketSlaSources sources;
  int escalated = 0;
  std::optional<DueTicket> position;
  for (;;) {
    std::vector<DueTicket> due;
    absl::Status read = rt_.db->Read(
        [&](soci::session& sql) -> absl::Status {
          absl::StatusOr<std::vector<DueTicket>> batch = EscalationStore::DueTickets(sql, now, position, kBatchSize);
          if (!batch.ok()) return batch.status();
          due = *std::move(batch);
          return absl::OkStatus();
        },
        absl::Now() + db_wait);
    if (!read.ok()) return read;

    for (const DueTicket& ticket : due) {
      absl::StatusOr<bool> raised = SweepTicket(rt_, ticket.id, now, absl::Now() + db_wait, sources);
      if (absl::IsNotFound(raised.status())) {
        // Its policy or calendar is missing: nothing to count in; the others still get their turn.
        std::fprintf(stderr, "escalation: ticket %s skipped: %s\n", ticket.id.c_str(),
                     raised.status().ToString().c_str());
        continue;
      }
      if (!raised.ok()) return raised.status();
      if (*raised) ++escalated;
    }
    if (static_cast<int>(due.size()) < kBatchSize) break;
    position = due.back();
    if (!keep_going()) break;
  }
  return escalated;
}

absl::Status EscalationLogic::FollowTierChange(db::Tx& tx, const crm::v1::Event& event) {
  if (!ChangesTier(event)) return absl::OkStatus();
  soci::session& sql = tx.session();
  absl::StatusOr<std::optional<crm::v1::Account>> account = accounts::AccountStore::Find(sql, event.entity_id());
  if (!account.ok()) return account.status();
  if (!account->has_value()) return absl::OkStatus();
  // The account's tier now: later events of the same account then find nothing left to do.
  const crm::v1::AccountTier tier = (*account)->tier();
  const absl::Time now = rt_.clock->Now();
  TicketSlaSources sources;

  std::string after_id;
  for (;;) {
    absl::StatusOr<std::vector<std::string>> ids =
        EscalationStore::OpenTicketsOfAccount(sql, event.entity_id(), after_id, kBatchSize);
    if (!ids.ok()) return ids.status();
    for (const std::string& id : *ids) {
      absl::StatusOr<std::optional<TicketRecord>> found = TicketStore::FindForUpdate(tx, id);
      if (!found.ok()) return found.status();
      if (!found->has_value() || !IsOpenTicketStatus((*found)->ticket.status())) continue;
      const TicketRecord& before = **found;
      if (before.ticket.account_tier() == tier) continue;

      TicketRecord after = before;
      after.ticket.set_account_tier(tier);
      if (absl::Status s = ChooseTicketTargets(sql, after); !s.ok()) return s;
      absl::StatusOr<std::vector<TicketPause>> pauses = TicketStore::Pauses(sql, id);
      if (!pauses.ok()) return pauses.status();
      if (absl::Status s = sources.Retime(sql, *pauses, now, after); !s.ok()) return s;
      *after.ticket.mutable_update_time() = TimeToTimestamp(now);
      absl::StatusOr<bool> written = TicketStore::Update(tx, before, after, db::RevisionOf(before));
      if (!written.ok()) return written.status();
      // The row is locked by this transaction, so this only happens under a broken lock.
      if (!*written) return absl::AbortedError(absl::StrCat("ticket ", id, " changed during its re-target"));
      const crm::v1::TicketChange change =
          MakeTicketChange(after.ticket.id(), crm::v1::TICKET_CHANGE_KIND_SLA_RETARGETED,
                           DescribeTicketTargets(before.ticket), DescribeTicketTargets(after.ticket),
                           absl::StrCat("account tier ", crm::v1::AccountTier_Name(before.ticket.account_tier()), " → ",
                                        crm::v1::AccountTier_Name(tier)),
                           kSystemActor, now);
      const std::string& user =
          after.ticket.assignee().empty() ? after.ticket.assignee_group() : after.ticket.assignee();
      absl::Status recorded =
          RecordTicketChange(rt_, tx, &before.ticket, after.ticket, {change}, {kRetargetedEvent},
                             crm::v1::CHANGE_KIND_UPDATED, user, change.actor(), event.request_id(), now);
      if (!recorded.ok()) return recorded;
    }
    if (static_cast<int>(ids->size()) < kBatchSize) break;
    after_id = ids->back();
  }
  return absl::OkStatus();
}

}  // namespace crm::servicedesk
