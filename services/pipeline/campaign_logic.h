// Rules for the campaign area of PipelineService. No gRPC and no SQL here.
#pragma once

#include "absl/status/statusor.h"
#include "common/server/call_context.h"
#include "common/server/runtime.h"
#include "crm/v1/pipeline.pb.h"

namespace crm::pipeline {

class CampaignLogic {
 public:
  explicit CampaignLogic(const server::Runtime& runtime) : rt_(runtime) {}

 private:
  [[maybe_unused]] const server::Runtime& rt_;
};

}  // namespace crm::pipeline
