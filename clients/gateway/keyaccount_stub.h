// The stub layer of KeyAccountService: one virtual per RPC (keyaccount_rpcs.h lists the unary
// ones; Reclassify streams), nothing else. The default implementation calls gRPC;
// MetadataKeyAccountStub adds the caller's identity (as metadata_decorator.h does for the older
// services); tests substitute mocks (mocks/mock_keyaccount_stub.h). See account_stub.h for the
// layering.
#pragma once

#include <grpcpp/client_context.h>

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/keyaccount_rpcs.h"
#include "clients/gateway/metadata_decorator.h"
#include "clients/gateway/streaming.h"
#include "crm/v1/keyaccount.grpc.pb.h"

// Declares the stub-layer signature of one unary RPC (without `virtual`, `override` or `= 0`):
//   absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)
#define CRM_KEYACCOUNT_STUB_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(grpc::ClientContext& context, const v1::Request& request)

namespace crm::client {

using ReclassifyStream = StreamingReadRpc<v1::ReclassifyProgress>;

class KeyAccountStub {
 public:
  virtual ~KeyAccountStub() = default;

#define CRM_KEYACCOUNT_STUB_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_KEYACCOUNT_STUB_SIGNATURE(Method, Request, Response) = 0;
  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_STUB_DECLARE)
#undef CRM_KEYACCOUNT_STUB_DECLARE

  // The stream owns its context: the caller prepares it (deadline, metadata) and hands it over.
  virtual std::unique_ptr<ReclassifyStream> Reclassify(std::unique_ptr<grpc::ClientContext> context,
                                                       const v1::ReclassifyRequest& request) = 0;
};

// Every method of a stub that overrides them all (the default stub, decorators).
#define CRM_KEYACCOUNT_STUB_OVERRIDE(Method, Request, Response, Kind) \
  CRM_KEYACCOUNT_STUB_SIGNATURE(Method, Request, Response) override;

// Calls the service over gRPC.
class DefaultKeyAccountStub final : public KeyAccountStub {
 public:
  explicit DefaultKeyAccountStub(std::unique_ptr<v1::KeyAccountService::StubInterface> grpc_stub)
      : grpc_stub_(std::move(grpc_stub)) {}

  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_STUB_OVERRIDE)
  std::unique_ptr<ReclassifyStream> Reclassify(std::unique_ptr<grpc::ClientContext> context,
                                               const v1::ReclassifyRequest& request) override;

 private:
  std::unique_ptr<v1::KeyAccountService::StubInterface> grpc_stub_;
};

// Adds `authorization` to every call (CallMetadata, metadata_decorator.h).
class MetadataKeyAccountStub final : public KeyAccountStub {
 public:
  MetadataKeyAccountStub(std::shared_ptr<KeyAccountStub> child, CallMetadata metadata)
      : child_(std::move(child)), metadata_(std::move(metadata)) {}

  CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_STUB_OVERRIDE)
  std::unique_ptr<ReclassifyStream> Reclassify(std::unique_ptr<grpc::ClientContext> context,
                                               const v1::ReclassifyRequest& request) override;

 private:
  std::shared_ptr<KeyAccountStub> child_;
  CallMetadata metadata_;
};

}  // namespace crm::client
