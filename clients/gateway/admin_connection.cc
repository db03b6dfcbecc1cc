#include "clients/gateway/admin_connection_impl.h"
#include "clients/gateway/channel.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_ADMIN_CONNECTION_CALL(Method, Request, Response, Kind)                           \
  CRM_ADMIN_CONNECTION_SIGNATURE(DefaultAdminConnection::Method, Request, Response) {        \
    return CallWithPolicy<CallKind::Kind>(                                                   \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) { \
          return stub_->Method(context, attempt);                                            \
        });                                                                                  \
  }
CRM_ADMIN_RPCS(CRM_ADMIN_CONNECTION_CALL)
#undef CRM_ADMIN_CONNECTION_CALL

}  // namespace internal

absl::StatusOr<std::shared_ptr<AdminConnection>> MakeAdminConnection(const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options.address, options);
  if (!channel.ok()) return channel.status();
  return MakeAdminConnection(CreateDefaultAdminStub(*std::move(channel), options), options);
}

std::shared_ptr<AdminConnection> MakeAdminConnection(std::shared_ptr<AdminStub> stub,
                                                     const ClientOptions& options) {
  return std::make_shared<internal::DefaultAdminConnection>(std::move(stub),
                                                            internal::MakeCallPolicy(options));
}

}  // namespace crm::client
