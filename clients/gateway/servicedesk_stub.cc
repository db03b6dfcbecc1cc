#include "clients/gateway/servicedesk_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_SERVICEDESK_GRPC_CALL(Method, Request, Response, Kind)                    \
  CRM_SERVICEDESK_STUB_SIGNATURE(DefaultServiceDeskStub::Method, Request, Response) { \
    v1::Response response;                                                            \
    grpc::Status status = grpc_stub_->Method(&context, request, &response);           \
    return internal::UnaryResult(status, std::move(response));                        \
  }
CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_GRPC_CALL)
#undef CRM_SERVICEDESK_GRPC_CALL

#define CRM_SERVICEDESK_WITH_METADATA(Method, Request, Response, Kind)                 \
  CRM_SERVICEDESK_STUB_SIGNATURE(MetadataServiceDeskStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                                        \
    return child_->Method(context, request);                                           \
  }
CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_WITH_METADATA)
#undef CRM_SERVICEDESK_WITH_METADATA

}  // namespace crm::client
