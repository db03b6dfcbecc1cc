// The default ServiceDeskConnection: each RPC retried, given a request id or sent once according
// to its kind in servicedesk_rpcs.h (rules in retry_loop.h).
#pragma once

#include <memory>

#include "clients/gateway/retry_loop.h"
#include "clients/gateway/servicedesk_connection.h"

namespace crm::client::internal {

class DefaultServiceDeskConnection final : public ServiceDeskConnection {
 public:
  DefaultServiceDeskConnection(std::shared_ptr<ServiceDeskStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_SERVICEDESK_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_SERVICEDESK_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_CONNECTION_OVERRIDE)
#undef CRM_SERVICEDESK_CONNECTION_OVERRIDE

 private:
  std::shared_ptr<ServiceDeskStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
