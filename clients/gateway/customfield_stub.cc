#include "clients/gateway/customfield_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_CUSTOMFIELD_GRPC_CALL(Method, Request, Response, Kind)                    \
  CRM_CUSTOMFIELD_STUB_SIGNATURE(DefaultCustomFieldStub::Method, Request, Response) { \
    v1::Response response;                                                            \
    grpc::Status status = grpc_stub_->Method(&context, request, &response);           \
    return internal::UnaryResult(status, std::move(response));                        \
  }
CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_GRPC_CALL)
#undef CRM_CUSTOMFIELD_GRPC_CALL

#define CRM_CUSTOMFIELD_WITH_METADATA(Method, Request, Response, Kind)                 \
  CRM_CUSTOMFIELD_STUB_SIGNATURE(MetadataCustomFieldStub::Method, Request, Response) { \
    metadata_.ApplyTo(context);                                                        \
    return child_->Method(context, request);                                           \
  }
CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_WITH_METADATA)
#undef CRM_CUSTOMFIELD_WITH_METADATA

}  // namespace crm::client
