#include "clients/gateway/stub_factory.h"

#include "clients/gateway/metadata_decorator.h"

namespace crm::client {
namespace {

CallMetadata MetadataFrom(const ClientOptions& options) {
  return CallMetadata{options.bearer_token};
}

// The stack every service gets: the gRPC stub of `Service` at the bottom, then the decorators.
template <typename Stub, typename DefaultStub, typename MetadataStub, typename Service>
std::shared_ptr<Stub> DecoratedStub(std::shared_ptr<grpc::Channel> channel,
                                    const ClientOptions& options) {
  std::shared_ptr<Stub> stub = std::make_shared<DefaultStub>(Service::NewStub(channel));
  stub = std::make_shared<MetadataStub>(std::move(stub), MetadataFrom(options));
  return stub;
}

}  // namespace

std::shared_ptr<AccountStub> CreateDefaultAccountStub(std::shared_ptr<grpc::Channel> channel,
                                                      const ClientOptions& options) {
  return DecoratedStub<AccountStub, DefaultAccountStub, MetadataAccountStub, v1::AccountService>(
      std::move(channel), options);
}

std::shared_ptr<EventStub> CreateDefaultEventStub(std::shared_ptr<grpc::Channel> channel,
                                                  const ClientOptions& options) {
  return DecoratedStub<EventStub, DefaultEventStub, MetadataEventStub, v1::EventService>(
      std::move(channel), options);
}

std::shared_ptr<PipelineStub> CreateDefaultPipelineStub(std::shared_ptr<grpc::Channel> channel,
                                                        const ClientOptions& options) {
  return DecoratedStub<PipelineStub, DefaultPipelineStub, MetadataPipelineStub,
                       v1::PipelineService>(std::move(channel), options);
}

std::shared_ptr<ServiceDeskStub> CreateDefaultServiceDeskStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options) {
  return DecoratedStub<ServiceDeskStub, DefaultServiceDeskStub, MetadataServiceDeskStub,
                       v1::ServiceDeskService>(std::move(channel), options);
}

std::shared_ptr<KeyAccountStub> CreateDefaultKeyAccountStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options) {
  return DecoratedStub<KeyAccountStub, DefaultKeyAccountStub, MetadataKeyAccountStub,
                       v1::KeyAccountService>(std::move(channel), options);
}

std::shared_ptr<AdminStub> CreateDefaultAdminStub(std::shared_ptr<grpc::Channel> channel,
                                                  const ClientOptions& options) {
  return DecoratedStub<AdminStub, DefaultAdminStub, MetadataAdminStub, v1::AdminService>(
      std::move(channel), options);
}

std::shared_ptr<CustomFieldStub> CreateDefaultCustomFieldStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options) {
  return DecoratedStub<CustomFieldStub, DefaultCustomFieldStub, MetadataCustomFieldStub,
                       v1::CustomFieldService>(std::move(channel), options);
}

std::shared_ptr<DuplicateStub> CreateDefaultDuplicateStub(std::shared_ptr<grpc::Channel> channel,
                                                          const ClientOptions& options) {
  return DecoratedStub<DuplicateStub, DefaultDuplicateStub, MetadataDuplicateStub,
                       v1::DuplicateService>(std::move(channel), options);
}

}  // namespace crm::client
