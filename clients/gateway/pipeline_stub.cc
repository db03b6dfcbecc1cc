#include "clients/gateway/pipeline_stub.h"

#include "clients/gateway/grpc_adapters.h"

namespace crm::client {

#define CRM_PIPELINE_GRPC_CALL(Method, Request, Response, Kind)                 \
  CRM_PIPELINE_STUB_SIGNATURE(DefaultPipelineStub::Method, Request, Response) { \
    v1::Response response;                                                      \
    grpc::Status status = grpc_stub_->Method(&context, request, &response);     \
    return internal::UnaryResult(status, std::move(response));                  \
  }
CRM_PIPELINE_RPCS(CRM_PIPELINE_GRPC_CALL)
#undef CRM_PIPELINE_GRPC_CALL

}  // namespace crm::client
