#include "clients/gateway/keyaccount_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_KEYACCOUNT_GRPC_CALL(Method, Request, Response, Kind)                   \
  CRM_KEYACCOUNT_STUB_SIGNATURE(DefaultKeyAccountStub::Method, Request, Response) { \
    v1::Response response;                                                          \
    grpc::Status status = grpc_stub_->Method(&context, request, &response);         \
    return internal::UnaryResult(status, std::move(response));                      \
  }
CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_GRPC_CALL)
#undef CRM_KEYACCOUNT_GRPC_CALL

std::unique_ptr<ReclassifyStream> DefaultKeyAccountStub::Reclassify(
    std::unique_ptr<grpc::ClientContext> context, const v1::ReclassifyRequest& request) {
  auto reader = grpc_stub_->Reclassify(context.get(), request);
  return std::make_unique<internal::GrpcStreamingReadRpc<v1::ReclassifyProgress>>(
      std::move(context), std::move(reader));
}

#define CRM_KEYACCOUNT_WITH_METADATA(Method, Request, Response, Kind)                \
  CRM_KEYACCOUNT_STUB_SIGNATURE(MetadataKeyAccountStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                                      \
    return child_->Method(context, request);                                         \
  }
CRM_KEYACCOUNT_RPCS(CRM_KEYACCOUNT_WITH_METADATA)
#undef CRM_KEYACCOUNT_WITH_METADATA

std::unique_ptr<ReclassifyStream> MetadataKeyAccountStub::Reclassify(
    std::unique_ptr<grpc::ClientContext> context, const v1::ReclassifyRequest& request) {
  metadata_.ApplyTo(*context);
  return child_->Reclassify(std::move(context), request);
}

}  // namespace crm::client
