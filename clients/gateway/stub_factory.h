// Builds each service's stub stack in one place: the gRPC stub at the bottom, then the
// decorators (today: call metadata). A new cross-cutting layer (logging, metrics) is added here.
#pragma once

#include <grpcpp/channel.h>

#include <memory>

#include "clients/gateway/account_stub.h"
#include "clients/gateway/admin_stub.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/customfield_stub.h"
#include "clients/gateway/duplicate_stub.h"
#include "clients/gateway/event_stub.h"
#include "clients/gateway/keyaccount_stub.h"
#include "clients/gateway/pipeline_stub.h"
#include "clients/gateway/servicedesk_stub.h"

namespace crm::client {

std::shared_ptr<AccountStub> CreateDefaultAccountStub(std::shared_ptr<grpc::Channel> channel,
                                                      const ClientOptions& options);
std::shared_ptr<EventStub> CreateDefaultEventStub(std::shared_ptr<grpc::Channel> channel,
                                                  const ClientOptions& options);
std::shared_ptr<PipelineStub> CreateDefaultPipelineStub(std::shared_ptr<grpc::Channel> channel,
                                                        const ClientOptions& options);
std::shared_ptr<ServiceDeskStub> CreateDefaultServiceDeskStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options);
std::shared_ptr<KeyAccountStub> CreateDefaultKeyAccountStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options);
std::shared_ptr<AdminStub> CreateDefaultAdminStub(std::shared_ptr<grpc::Channel> channel,
                                                  const ClientOptions& options);
std::shared_ptr<CustomFieldStub> CreateDefaultCustomFieldStub(
    std::shared_ptr<grpc::Channel> channel, const ClientOptions& options);
std::shared_ptr<DuplicateStub> CreateDefaultDuplicateStub(std::shared_ptr<grpc::Channel> channel,
                                                          const ClientOptions& options);

}  // namespace crm::client
