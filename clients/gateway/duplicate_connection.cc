#include "clients/gateway/channel.h"
#include "clients/gateway/duplicate_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_DUPLICATE_CONNECTION_CALL(Method, Request, Response, Kind)                        \
  CRM_DUPLICATE_CONNECTION_SIGNATURE(DefaultDuplicateConnection::Method, Request, Response) { \
    return CallWithPolicy<CallKind::Kind>(                                                    \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) {  \
          return stub_->Method(context, attempt);                                             \
        });                                                                                   \
  }
CRM_DUPLICATE_RPCS(CRM_DUPLICATE_CONNECTION_CALL)
#undef CRM_DUPLICATE_CONNECTION_CALL

}  // namespace internal

absl::StatusOr<std::shared_ptr<DuplicateConnection>> MakeDuplicateConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(PipelineAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakeDuplicateConnection(CreateDefaultDuplicateStub(*std::move(channel), options), options);
}

std::shared_ptr<DuplicateConnection> MakeDuplicateConnection(std::shared_ptr<DuplicateStub> stub,
                                                             const ClientOptions& options) {
  return std::make_shared<internal::DefaultDuplicateConnection>(std::move(stub),
                                                                internal::MakeCallPolicy(options));
}

}  // namespace crm::client
