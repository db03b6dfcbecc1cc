#include "clients/gateway/gateway_client.h"

#include <map>
#include <memory>
#include <string>

#include "clients/gateway/channel.h"
#include "clients/gateway/stub_factory.h"

namespace crm::client {

absl::StatusOr<GatewayClient> GatewayClient::Create(const ClientOptions& options) {
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  auto channel_for =
      [&](const std::string& address) -> absl::StatusOr<std::shared_ptr<grpc::Channel>> {
    auto it = channels.find(address);
    if (it != channels.end()) return it->second;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(address, options);
    if (channel.ok()) channels.emplace(address, *channel);
    return channel;
  };

  absl::StatusOr<std::shared_ptr<grpc::Channel>> accounts = channel_for(AccountsAddress(options));
  if (!accounts.ok()) return accounts.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> events = channel_for(EventsAddress(options));
  if (!events.ok()) return events.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> pipeline = channel_for(PipelineAddress(options));
  if (!pipeline.ok()) return pipeline.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> servicedesk =
      channel_for(ServiceDeskAddress(options));
  if (!servicedesk.ok()) return servicedesk.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> keyaccount =
      channel_for(KeyAccountAddress(options));
  if (!keyaccount.ok()) return keyaccount.status();
  // Every server binary hosts AdminService, so it has no address of its own.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> admin = channel_for(options.address);
  if (!admin.ok()) return admin.status();
  // Nor has CustomFieldService, whose fields belong to the entities of every service.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> customfields = channel_for(options.address);
  if (!customfields.ok()) return customfields.status();

  return GatewayClient(
      AccountsClient(MakeAccountConnection(CreateDefaultAccountStub(*accounts, options), options)),
      EventsClient(MakeEventConnection(CreateDefaultEventStub(*events, options), options)),
      PipelineClient(
          MakePipelineConnection(CreateDefaultPipelineStub(*pipeline, options), options)),
      ServiceDeskClient(
          MakeServiceDeskConnection(CreateDefaultServiceDeskStub(*servicedesk, options), options)),
      KeyAccountClient(
          MakeKeyAccountConnection(CreateDefaultKeyAccountStub(*keyaccount, options), options)),
      AdminClient(MakeAdminConnection(CreateDefaultAdminStub(*admin, options), options)),
      CustomFieldClient(MakeCustomFieldConnection(
          CreateDefaultCustomFieldStub(*customfields, options), options)),
      // DuplicateService is hosted with PipelineService (see MakeDuplicateConnection).
      DuplicateClient(
          MakeDuplicateConnection(CreateDefaultDuplicateStub(*pipeline, options), options)));
}

}  // namespace crm::client
