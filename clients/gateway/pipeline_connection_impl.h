// The default PipelineConnection: each RPC retried, given a request id or sent once according to
// its kind in pipeline_rpcs.h (rules in retry_loop.h).
#pragma once

#include <memory>

#include "clients/gateway/pipeline_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultPipelineConnection final : public PipelineConnection {
 public:
  DefaultPipelineConnection(std::shared_ptr<PipelineStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_PIPELINE_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_PIPELINE_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_PIPELINE_RPCS(CRM_PIPELINE_CONNECTION_OVERRIDE)
#undef CRM_PIPELINE_CONNECTION_OVERRIDE

 private:
  std::shared_ptr<PipelineStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
