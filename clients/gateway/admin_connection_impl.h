// The default AdminConnection: each RPC retried or sent once according to its kind in
// admin_rpcs.h (rules in retry_loop.h).
#pragma once

#include <memory>

#include "clients/gateway/admin_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultAdminConnection final : public AdminConnection {
 public:
  DefaultAdminConnection(std::shared_ptr<AdminStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_ADMIN_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_ADMIN_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_ADMIN_RPCS(CRM_ADMIN_CONNECTION_OVERRIDE)
#undef CRM_ADMIN_CONNECTION_OVERRIDE

 private:
  std::shared_ptr<AdminStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
