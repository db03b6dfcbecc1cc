// Rules for activities (the schedule): validation, creation with request-id replay, field-mask
// updates under etags, the PLANNED → COMPLETED / CANCELLED transitions, filtered keyset lists.
// Reminders are sent by ReminderJob. No gRPC and no SQL here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Checks every client-settable field of `activity`; field names are prefixed with `prefix`
// (e.g. "activity"). Collects all violations.
absl::Status ValidateActivity(const crm::v1::Activity& activity, const std::string& prefix);

class ActivityLogic {
 public:
  explicit ActivityLogic(const server::Runtime& runtime) : rt_(runtime) {}

  // Starts PLANNED; the assignee defaults to the caller.
  absl::StatusOr<crm::v1::Activity> Create(const server::CallContext& call,
                                           const crm::v1::CreateActivityRequest& request);
  absl::StatusOr<crm::v1::Activity> Get(const server::CallContext& call, const crm::v1::GetActivityRequest& request);
  // Changing reminder_time re-arms the reminder: the sent marker is cleared so it fires once more.
  absl::StatusOr<crm::v1::Activity> Update(const server::CallContext& call,
                                           const crm::v1::UpdateActivityRequest& request);
  absl::StatusOr<crm::v1::Activity> Complete(const server::CallContext& call,
                                             const crm::v1::CompleteActivityRequest& request);
  // The activity has no reason field: the cancel reason is kept as its outcome.
  absl::StatusOr<crm::v1::Activity> Cancel(const server::CallContext& call,
                                           const crm::v1::CancelActivityRequest& request);
  absl::StatusOr<crm::v1::ListActivitiesResponse> List(const server::CallContext& call,
                                                       const crm::v1::ListActivitiesRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::accounts
