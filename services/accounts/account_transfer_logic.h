// Bulk import and export of accounts. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/account.pb.h"

namespace crm::accounts {

class AccountTransferLogic {
 public:
  explicit AccountTransferLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  [[maybe_unused]] const server::Runtime& rt_;
};

}  // namespace crm::accounts
