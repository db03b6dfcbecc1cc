// The stub layer of CustomFieldService: one virtual per RPC (customfield_rpcs.h lists them),
// nothing else. The default implementation calls gRPC; MetadataCustomFieldStub adds the caller's
// identity (as metadata_decorator.h does for the other services); tests substitute mocks
// (mocks/mock_customfield_stub.h). See account_stub.h for the layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/customfield_rpcs.h"
#include "clients/gateway/metadata_decorator.h"
#include "crm/v1/customfield.grpc.pb.h"

// Declares the stub-layer signature of one RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_CUSTOMFIELD_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

class CustomFieldStub {
 public:
  virtual ~CustomFieldStub() = default;

#define CRM_CUSTOMFIELD_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_CUSTOMFIELD_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_STUB_DECLARE)
#undef CRM_CUSTOMFIELD_STUB_DECLARE
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_CUSTOMFIELD_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_CUSTOMFIELD_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultCustomFieldStub final : public CustomFieldStub {
 public:
  explicit DefaultCustomFieldStub(std::unique_ptr<v1::CustomFieldService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_STUB_OVERRIDE)

 private:
  std::unique_ptr<v1::CustomFieldService::StubInterface> grpc_stub_;
};

// Adds `authorization` to every call (CallMetadata, metadata_decorator.h).
class MetadataCustomFieldStub final : public CustomFieldStub {
 public:
  MetadataCustomFieldStub(std::shared_ptr<CustomFieldStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_STUB_OVERRIDE)

 private:
  std::shared_ptr<CustomFieldStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
