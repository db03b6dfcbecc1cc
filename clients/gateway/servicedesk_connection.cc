#include "clients/gateway/channel.h"
#include "clients/gateway/servicedesk_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_SERVICEDESK_CONNECTION_CALL(Method, Request, Response, Kind)                       \
  CRM_SERVICEDESK_CONNECTION_SIGNATURE(DefaultServiceDeskConnection::Method, Request,          \
                                       Response) {                                             \
    return CallWithPolicy<CallKind::Kind>(                                                     \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) {   \
          return stub_->Method(context, attempt);                                              \
        });                                                                                    \
  }
CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_CONNECTION_CALL)
#undef CRM_SERVICEDESK_CONNECTION_CALL

}  // namespace internal

absl::StatusOr<std::shared_ptr<ServiceDeskConnection>> MakeServiceDeskConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(ServiceDeskAddress(options), options);
  if (!channel.ok()) return channel.status();
  return MakeServiceDeskConnection(CreateDefaultServiceDeskStub(*std::move(channel), options),
                                   options);
}

std::shared_ptr<ServiceDeskConnection> MakeServiceDeskConnection(
    std::shared_ptr<ServiceDeskStub> stub, const ClientOptions& options) {
  return std::make_shared<internal::DefaultServiceDeskConnection>(
      std::move(stub), internal::MakeCallPolicy(options));
}

}  // namespace crm::client
