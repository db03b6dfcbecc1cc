// The stub layer of DuplicateService: one virtual per RPC (duplicate_rpcs.h lists them),
// nothing else. The default implementation calls gRPC; MetadataDuplicateStub adds the caller's
// identity (as metadata_decorator.h does for the other services); tests substitute mocks
// (mocks/mock_duplicate_stub.h). See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/duplicate_rpcs.h"
#include "clients/gateway/metadata_decorator.h"
#include "crm/v1/duplicate_service.grpc.pb.h"

// Declares the stub-layer signature of one RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_DUPLICATE_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

class DuplicateStub {
 public:
  virtual ~DuplicateStub() = default;

#define CRM_DUPLICATE_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_DUPLICATE_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_STUB_DECLARE)
#undef CRM_DUPLICATE_STUB_DECLARE
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_DUPLICATE_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_DUPLICATE_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultDuplicateStub final : public DuplicateStub {
 public:
  explicit DefaultDuplicateStub(std::unique_ptr<v1::DuplicateService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_STUB_OVERRIDE)

 private:
  std::unique_ptr<v1::DuplicateService::StubInterface> grpc_stub_;
};

// Adds `authorization` to every call (CallMetadata, metadata_decorator.h).
class MetadataDuplicateStub final : public DuplicateStub {
 public:
  MetadataDuplicateStub(std::shared_ptr<DuplicateStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_STUB_OVERRIDE)

 private:
  std::shared_ptr<DuplicateStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
