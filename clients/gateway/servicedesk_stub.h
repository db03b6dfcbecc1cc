// The stub layer of ServiceDeskService: one virtual per RPC (servicedesk_rpcs.h lists them),
// nothing else. The default implementation calls gRPC; MetadataServiceDeskStub adds the caller's
// identity (as metadata_decorator.h does for the other services); tests substitute mocks
// (mocks/mock_servicedesk_stub.h). See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/metadata_decorator.h"
#include "clients/gateway/servicedesk_rpcs.h"
#include "crm/v1/servicedesk.grpc.pb.h"

// Declares the stub-layer signature of one RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_SERVICEDESK_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

class ServiceDeskStub {
 public:
  virtual ~ServiceDeskStub() = default;

#define CRM_SERVICEDESK_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_SERVICEDESK_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_STUB_DECLARE)
#undef CRM_SERVICEDESK_STUB_DECLARE
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_SERVICEDESK_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_SERVICEDESK_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultServiceDeskStub final : public ServiceDeskStub {
 public:
  explicit DefaultServiceDeskStub(
      std::unique_ptr<v1::ServiceDeskService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_STUB_OVERRIDE)

 private:
  std::unique_ptr<v1::ServiceDeskService::StubInterface> grpc_stub_;
};

// Adds `authorization` to every call (CallMetadata, metadata_decorator.h).
class MetadataServiceDeskStub final : public ServiceDeskStub {
 public:
  MetadataServiceDeskStub(std::shared_ptr<ServiceDeskStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_STUB_OVERRIDE)

 private:
  std::shared_ptr<ServiceDeskStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
