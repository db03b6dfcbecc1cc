// Rules for interactions. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

class InteractionLogic {
 public:
  explicit InteractionLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  [[maybe_unused]] const server::Runtime& rt_;
};

}  // namespace crm::accounts
