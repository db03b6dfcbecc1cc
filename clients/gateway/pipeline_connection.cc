#include "clients/gateway/channel.h"
#include "clients/gateway/pipeline_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_PIPELINE_CONNECTION_CALL(Method, Request, Response, Kind)                        \
  CRM_PIPELINE_CONNECTION_SIGNATURE(DefaultPipelineConnection::Method, Request, Response) {  \
    return CallWithPolicy<CallKind::Kind>(                                                   \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) { \
          return stub_->Method(context, attempt);                                            \
        });                                                                                  \
  }
CRM_PIPELINE_RPCS(CRM_PIPELINE_CONNECTION_CALL)
#undef CRM_PIPELINE_CONNECTION_CALL

}  // namespace internal

absl::StatusOr<std::shared_ptr<PipelineConnection>> MakePipelineConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(PipelineAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakePipelineConnection(CreateDefaultPipelineStub(*std::move(channel), options), options);
}

std::shared_ptr<PipelineConnection> MakePipelineConnection(std::shared_ptr<PipelineStub> stub,
                                                           const ClientOptions& options) {
  return std::make_shared<internal::DefaultPipelineConnection>(std::move(stub),
                                                               internal::MakeCallPolicy(options));
}

}  // namespace crm::client
