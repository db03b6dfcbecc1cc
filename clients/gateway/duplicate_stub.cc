#include "clients/gateway/duplicate_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_DUPLICATE_GRPC_CALL(Method, Request, Response, Kind)                  \
  CRM_DUPLICATE_STUB_SIGNATURE(DefaultDuplicateStub::Method, Request, Response) { \
    v1::Response response;                                                        \
    grpc::Status status = grpc_stub_->Method(&context, request, &response);       \
    return internal::UnaryResult(status, std::move(response));                    \
  }
CRM_DUPLICATE_RPCS(CRM_DUPLICATE_GRPC_CALL)
#undef CRM_DUPLICATE_GRPC_CALL

#define CRM_DUPLICATE_WITH_METADATA(Method, Request, Response, Kind)               \
  CRM_DUPLICATE_STUB_SIGNATURE(MetadataDuplicateStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                                    \
    return child_->Method(context, request);                                       \
  }
CRM_DUPLICATE_RPCS(CRM_DUPLICATE_WITH_METADATA)
#undef CRM_DUPLICATE_WITH_METADATA

}  // namespace crm::client
