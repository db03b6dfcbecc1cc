// The stub layer of PipelineService: one virtual per RPC (pipeline_rpcs.h lists them), nothing
// else. The default implementation calls gRPC; decorators (metadata_decorator.h) wrap it, and
// tests substitute mocks (mocks/mock_pipeline_stub.h). See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/pipeline_rpcs.h"
#include "crm/v1/pipeline.grpc.pb.h"

// Declares the stub-layer signature of one RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_PIPELINE_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

class PipelineStub {
 public:
  virtual ~PipelineStub() = default;

#define CRM_PIPELINE_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_PIPELINE_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_PIPELINE_RPCS(CRM_PIPELINE_STUB_DECLARE)
#undef CRM_PIPELINE_STUB_DECLARE
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_PIPELINE_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_PIPELINE_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultPipelineStub final : public PipelineStub {
 public:
  explicit DefaultPipelineStub(std::unique_ptr<v1::PipelineService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_PIPELINE_RPCS(CRM_PIPELINE_STUB_OVERRIDE)

 private:
  std::unique_ptr<v1::PipelineService::StubInterface> grpc_stub_;
};

}  // namespace crm::client
