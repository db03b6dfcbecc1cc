// The rules of tickets: create, list, status flow, comments, history, SLA timers and
// ExplainDeadline. No gRPC and no SQL here.
//
// Status flow (every other move, the same status included, is FAILED_PRECONDITION naming
// `status`):
//
//   NEW ──▶ OPEN | PENDING | RESOLVED        assigning or the first public agent reply opens a NEW one
//   OPEN ──▶ PENDING | RESOLVED
//   PENDING ──▶ OPEN | RESOLVED              a customer comment moves it to OPEN
//   RESOLVED ──▶ CLOSED                      back to OPEN only through ReopenTicket
//   CLOSED: final (no status change, comment, update or assignment)
//
// SLA timers follow ticket_sla.h (ComputeSla is the only rule): entering PENDING opens a pause of
// both targets, leaving it ends the pause; RESOLVED meets the resolution target and pauses it
// until a reopen. After every write the stored due / warning times, breach flags (sticky) and
// next_escalation_time are those ComputeSla gives at the time of the write.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/business_calendar.h"
#include "services/servicedesk/ticket_sla.h"
#include "services/servicedesk/ticket_store.h"

namespace soci {
class session;
}

namespace crm::servicedesk {

inline constexpr char kTicketEntity[] = "ticket";

// What ComputeSla needs besides a ticket row — its calendar and its policy's escalation chain —
// each read once per transaction, list page or sweep round (the session is passed per call, so
// one cache can serve a round of transactions). Every area that writes tickets' SLA columns
// (tickets, the escalation sweep, the tier follow-up) computes them through it.
class TicketSlaSources {
 public:
  absl::StatusOr<const BusinessCalendar*> Calendar(soci::session& sql, const std::string& calendar_id);
  absl::StatusOr<const std::vector<crm::v1::EscalationStep>*> Chain(soci::session& sql, const std::string& policy_id);
  // ComputeSla for the ticket at `now`; nullopt when it has no SLA policy.
  absl::StatusOr<std::optional<SlaState>> Evaluate(soci::session& sql, const TicketRecord& record,
                                                   const std::vector<TicketPause>& pauses, absl::Time now);
  // Sets the record's timers and next_escalation_time to Evaluate's (no policy: no timers);
  // stored breach flags stay set. At a write this is what the SLA columns hold.
  absl::Status Retime(soci::session& sql, const std::vector<TicketPause>& pauses, absl::Time now, TicketRecord& record);

 private:
  std::map<std::string, std::unique_ptr<BusinessCalendar>> calendars_;
  std::map<std::string, std::vector<crm::v1::EscalationStep>> chains_;
};

// Points the ticket at the policy ChooseSlaPolicy picks for the SLA tier its account_tier maps
// to through the tier service policy (TierPolicyStore::SlaTierFor), its priority and category
// (targets, calendar, warning percentage), or at none. Timers are left to Retime.
absl::Status ChooseTicketTargets(soci::session& sql, TicketRecord& record);

// ticket_history.reason is VARCHAR(2000).
inline constexpr size_t kMaxTicketReasonLength = 2000;

// One history entry; a longer reason is cut to what the column holds.
crm::v1::TicketChange MakeTicketChange(const std::string& ticket_id, crm::v1::TicketChangeKind kind, std::string from,
                                       std::string to, std::string reason, const std::string& actor, absl::Time now);

// What a written ticket change records besides the row, in its transaction: its history entries
// and one event per type, whose field deltas compare the stored views (`before` null: created).
absl::Status RecordTicketChange(const server::Runtime& rt, db::Tx& tx, const crm::v1::Ticket* before,
                                const crm::v1::Ticket& after, const std::vector<crm::v1::TicketChange>& history,
                                const std::vector<std::string>& event_types, crm::v1::ChangeKind event_kind,
                                const std::string& user, const std::string& actor, const std::string& request_id,
                                absl::Time now);

// The ticket as its row stores it: remaining time and the paused flag depend on the instant
// asked about, so events compare tickets without them.
crm::v1::Ticket StoredTicketView(const crm::v1::Ticket& ticket);

// "pol_… (first response 60m, resolution 240m)" or "no SLA", for SLA_RETARGETED history.
std::string DescribeTicketTargets(const crm::v1::Ticket& ticket);

class TicketLogic {
 public:
  explicit TicketLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::Ticket> Create(const server::CallContext& call, const crm::v1::CreateTicketRequest& request);
  // Timers as of now.
  absl::StatusOr<crm::v1::Ticket> Get(const server::CallContext& call, const crm::v1::GetTicketRequest& request);
  absl::StatusOr<crm::v1::ListTicketsResponse> List(const server::CallContext& call,
                                                    const crm::v1::ListTicketsRequest& request);
  // A new priority or category re-targets the SLA: the policy is chosen again for the ticket's
  // tier; creation stays the start, pauses and breach flags stay.
  absl::StatusOr<crm::v1::Ticket> Update(const server::CallContext& call, const crm::v1::UpdateTicketRequest& request);
  absl::StatusOr<crm::v1::Ticket> Assign(const server::CallContext& call, const crm::v1::AssignTicketRequest& request);
  absl::StatusOr<crm::v1::Ticket> ChangeStatus(const server::CallContext& call,
                                               const crm::v1::ChangeTicketStatusRequest& request);
  absl::StatusOr<crm::v1::Ticket> Reopen(const server::CallContext& call, const crm::v1::ReopenTicketRequest& request);
  absl::StatusOr<crm::v1::TicketComment> AddComment(const server::CallContext& call,
                                                    const crm::v1::AddCommentRequest& request);
  absl::StatusOr<crm::v1::ListCommentsResponse> ListComments(const server::CallContext& call,
                                                             const crm::v1::ListCommentsRequest& request);
  absl::StatusOr<crm::v1::ListTicketHistoryResponse> ListHistory(const server::CallContext& call,
                                                                 const crm::v1::ListTicketHistoryRequest& request);
  absl::StatusOr<crm::v1::DeadlineExplanation> ExplainDeadline(const server::CallContext& call,
                                                               const crm::v1::ExplainDeadlineRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
