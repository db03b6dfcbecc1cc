// What the ticket area needs from the SLA configuration: the policy a ticket falls under and the
// calendar its targets are counted in. Implemented by the SLA area (sla_store.cc); called inside
// the ticket's own transaction.
#pragma once

#include <optional>
#include <string>

#include <soci/soci.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/business_calendar.h"

namespace crm::servicedesk {

struct SlaChoice {
  crm::v1::SlaPolicy policy;
  // The policy's target for the ticket's priority.
  crm::v1::SlaPriorityTarget target;
};

// The policy for a ticket of this tier, priority and category: the first by precedence (then id)
// among live policies whose tiers and categories match and that have a target for the priority.
// nullopt when none does (the ticket then has no SLA).
absl::StatusOr<std::optional<SlaChoice>> ChooseSlaPolicy(soci::session& sql, crm::v1::AccountTier tier,
                                                         crm::v1::TicketPriority priority,
                                                         absl::string_view category);

// A policy by id, deleted ones included (tickets keep the policy they were targeted under).
// NOT_FOUND when it never existed.
absl::StatusOr<crm::v1::SlaPolicy> LoadSlaPolicy(soci::session& sql, absl::string_view policy_id);

// A calendar by id, ready for arithmetic. NOT_FOUND when missing.
absl::StatusOr<BusinessCalendar> LoadBusinessCalendar(soci::session& sql, absl::string_view calendar_id);

}  // namespace crm::servicedesk
