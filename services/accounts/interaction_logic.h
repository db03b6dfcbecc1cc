// Rules for the interaction log (communication records): validation, append with request-id
// replay, lists by account / contact / time range, newest first. The log is history, so there
// is no update or delete. No gRPC and no SQL here.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

// Checks every client-settable field of `interaction`; field names are prefixed with `prefix`
// (e.g. "interaction"). Collects all violations.
absl::Status ValidateInteraction(const crm::v1::Interaction& interaction, const std::string& prefix);

class InteractionLogic {
 public:
  explicit InteractionLogic(const server::Runtime& runtime) : rt_(runtime) {}

  // occur_time defaults to now and user to the caller.
  absl::StatusOr<crm::v1::Interaction> Log(const server::CallContext& call,
                                           const crm::v1::LogInteractionRequest& request);
  absl::StatusOr<crm::v1::Interaction> Get(const server::CallContext& call,
                                           const crm::v1::GetInteractionRequest& request);
  absl::StatusOr<crm::v1::ListInteractionsResponse> List(const server::CallContext& call,
                                                         const crm::v1::ListInteractionsRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::accounts
