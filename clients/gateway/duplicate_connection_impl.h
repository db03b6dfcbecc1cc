// The default DuplicateConnection: each RPC retried, given a request id or sent once according
// to its kind in duplicate_rpcs.h (rules in retry_loop.h).
#pragma once

#include <memory>

#include "clients/gateway/duplicate_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultDuplicateConnection final : public DuplicateConnection {
 public:
  DefaultDuplicateConnection(std::shared_ptr<DuplicateStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_DUPLICATE_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_DUPLICATE_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_CONNECTION_OVERRIDE)
#undef CRM_DUPLICATE_CONNECTION_OVERRIDE

 private:
  std::shared_ptr<DuplicateStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
