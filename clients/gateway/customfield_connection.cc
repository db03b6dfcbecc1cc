#include "clients/gateway/channel.h"
#include "clients/gateway/customfield_connection_impl.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {
namespace internal {

#define CRM_CUSTOMFIELD_CONNECTION_CALL(Method, Request, Response, Kind)                          \
  CRM_CUSTOMFIELD_CONNECTION_SIGNATURE(DefaultCustomFieldConnection::Method, Request, Response) { \
    return CallWithPolicy<CallKind::Kind>(                                                        \
        policy_, request, [this](grpc::ClientContext& context, const v1::Request& attempt) {      \
          return stub_->Method(context, attempt);                                                 \
        });                                                                                       \
  }
CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_CONNECTION_CALL)
#undef CRM_CUSTOMFIELD_CONNECTION_CALL

}  // namespace internal

absl::StatusOr<std::shared_ptr<CustomFieldConnection>> MakeCustomFieldConnection(
    const ClientOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options.address, options);
  if (!channel.ok()) return channel.status();
  return MakeCustomFieldConnection(CreateDefaultCustomFieldStub(*std::move(channel), options),
                                   options);
}

std::shared_ptr<CustomFieldConnection> MakeCustomFieldConnection(
    std::shared_ptr<CustomFieldStub> stub, const ClientOptions& options) {
  return std::make_shared<internal::DefaultCustomFieldConnection>(
      std::move(stub), internal::MakeCallPolicy(options));
}

}  // namespace crm::client
