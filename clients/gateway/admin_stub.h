// The stub layer of AdminService: one virtual per RPC (admin_rpcs.h lists them), nothing else.
// The default implementation calls gRPC; MetadataAdminStub adds the caller's identity (as
// metadata_decorator.h does for the other services); tests substitute mocks
// (mocks/mock_admin_stub.h). See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/admin_rpcs.h"
#include "clients/gateway/metadata_decorator.h"
#include "crm/v1/admin.grpc.pb.h"

// Declares the stub-layer signature of one RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_ADMIN_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

class AdminStub {
 public:
  virtual ~AdminStub() = default;

#define CRM_ADMIN_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_ADMIN_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_ADMIN_RPCS(CRM_ADMIN_STUB_DECLARE)
#undef CRM_ADMIN_STUB_DECLARE
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_ADMIN_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_ADMIN_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultAdminStub final : public AdminStub {
 public:
  explicit DefaultAdminStub(std::unique_ptr<v1::AdminService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_ADMIN_RPCS(CRM_ADMIN_STUB_OVERRIDE)

 private:
  std::unique_ptr<v1::AdminService::StubInterface> grpc_stub_;
};

// Adds `authorization` to every call (CallMetadata, metadata_decorator.h).
class MetadataAdminStub final : public AdminStub {
 public:
  MetadataAdminStub(std::shared_ptr<AdminStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_ADMIN_RPCS(CRM_ADMIN_STUB_OVERRIDE)

 private:
  std::shared_ptr<AdminStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
