#include "clients/gateway/stub_factory.h"

#include "clients/gateway/metadata_decorator.h"

namespace crm::client {
namespace {

CallMetadata MetadataFrom(const ClientOptions& options) {
  return CallMetadata{options.bearer_token, options.user};
}

}  // namespace

std::shared_ptr<AccountStub> CreateDefaultAccountStub(std::shared_ptr<grpc::Channel> channel,
                                                      const ClientOptions& options) {
  std::shared_ptr<AccountStub> stub =
      std::make_shared<DefaultAccountStub>(v1::AccountService::NewStub(channel));
  stub = std::make_shared<MetadataAccountStub>(std::move(stub), MetadataFrom(options));
  return stub;
}

std::shared_ptr<EventStub> CreateDefaultEventStub(std::shared_ptr<grpc::Channel> channel,
                                                  const ClientOptions& options) {
  std::shared_ptr<EventStub> stub =
      std::make_shared<DefaultEventStub>(v1::EventService::NewStub(channel));
  stub = std::make_shared<MetadataEventStub>(std::move(stub), MetadataFrom(options));
  return stub;
}

}  // namespace crm::client
