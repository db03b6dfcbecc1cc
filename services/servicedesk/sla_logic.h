// The rules of business calendars and SLA policies: validation, creation with request-id replay,
// field-mask updates under etags, keyset lists, the soft delete of policies, and how a ticket is
// matched to a policy. No gRPC and no SQL here.
//
// Policies are soft-deleted: a deleted policy leaves Get, List and matching, but tickets that
// were targeted under it still load it (LoadSlaPolicy in sla_resolution.h).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/servicedesk.pb.h"
#include "services/servicedesk/business_calendar.h"

namespace crm::servicedesk {

inline constexpr char kCalendarEntity[] = "calendar";
inline constexpr char kSlaPolicyEntity[] = "sla_policy";
// The warning threshold of a policy that names none.
inline constexpr int kDefaultWarningPercent = 80;

// Checks every client-settable field of `calendar` (name, zone, hours, holidays); field names are
// prefixed with `prefix` (e.g. "calendar.time_zone"). Collects all violations.
absl::Status ValidateCalendar(const crm::v1::BusinessCalendar& calendar, const std::string& prefix);

// Checks every client-settable field of `policy` but the calendar's existence (that needs the
// database); field names are prefixed with `prefix` (e.g. "policy.targets[1].priority").
absl::Status ValidatePolicy(const crm::v1::SlaPolicy& policy, const std::string& prefix);

// A stored (valid) calendar as input for BusinessCalendar::Create.
CalendarSpec ToCalendarSpec(const crm::v1::BusinessCalendar& calendar);

// The policy's target for a ticket of this tier, priority and category, when the policy applies
// to it: its tiers include the tier (empty: every tier, untiered accounts included), its
// categories include the category (empty: every category), and it has a target for the priority.
std::optional<crm::v1::SlaPriorityTarget> MatchPolicy(const crm::v1::SlaPolicy& policy, crm::v1::AccountTier tier,
                                                      crm::v1::TicketPriority priority, absl::string_view category);

class SlaLogic {
 public:
  explicit SlaLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::BusinessCalendar> CreateCalendar(const server::CallContext& call,
                                                           const crm::v1::CreateCalendarRequest& request);
  absl::StatusOr<crm::v1::BusinessCalendar> GetCalendar(const server::CallContext& call,
                                                        const crm::v1::GetCalendarRequest& request);
  // In id order.
  absl::StatusOr<crm::v1::ListCalendarsResponse> ListCalendars(const server::CallContext& call,
                                                               const crm::v1::ListCalendarsRequest& request);
  // Field mask over name, time_zone, hours and holidays.
  absl::StatusOr<crm::v1::BusinessCalendar> UpdateCalendar(const server::CallContext& call,
                                                           const crm::v1::UpdateCalendarRequest& request);

  absl::StatusOr<crm::v1::SlaPolicy> CreatePolicy(const server::CallContext& call,
                                                  const crm::v1::CreateSlaPolicyRequest& request);
  absl::StatusOr<crm::v1::SlaPolicy> GetPolicy(const server::CallContext& call,
                                               const crm::v1::GetSlaPolicyRequest& request);
  // Live policies in precedence order, then id.
  absl::StatusOr<crm::v1::ListSlaPoliciesResponse> ListPolicies(const server::CallContext& call,
                                                                const crm::v1::ListSlaPoliciesRequest& request);
  absl::StatusOr<crm::v1::SlaPolicy> UpdatePolicy(const server::CallContext& call,
                                                  const crm::v1::UpdateSlaPolicyRequest& request);
  // A soft delete (see above).
  absl::StatusOr<crm::v1::DeleteSlaPolicyResponse> DeletePolicy(const server::CallContext& call,
                                                                const crm::v1::DeleteSlaPolicyRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::servicedesk
