// The rules of dashboard summaries. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/keyaccount.pb.h"

namespace crm::kam {

class SummaryLogic {
 public:
  explicit SummaryLogic(const server::Runtime& runtime) : rt_(runtime) {}

  absl::StatusOr<crm::v1::TierSummary> GetTierSummary(const server::CallContext& call, const crm::v1::GetTierSummaryRequest& request);

 private:
  const server::Runtime& rt_;
};

}  // namespace crm::kam
