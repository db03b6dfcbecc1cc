#include "clients/gateway/admin_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_ADMIN_GRPC_CALL(Method, Request, Response, Kind)                \
  CRM_ADMIN_STUB_SIGNATURE(DefaultAdminStub::Method, Request, Response) {   \
    v1::Response response;                                                  \
    grpc::Status status = grpc_stub_->Method(&context, request, &response); \
    return internal::UnaryResult(status, std::move(response));              \
  }
CRM_ADMIN_RPCS(CRM_ADMIN_GRPC_CALL)
#undef CRM_ADMIN_GRPC_CALL

#define CRM_ADMIN_WITH_METADATA(Method, Request, Response, Kind)           \
  CRM_ADMIN_STUB_SIGNATURE(MetadataAdminStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                            \
    return child_->Method(context, request);                               \
  }
CRM_ADMIN_RPCS(CRM_ADMIN_WITH_METADATA)
#undef CRM_ADMIN_WITH_METADATA

}  // namespace crm::client
