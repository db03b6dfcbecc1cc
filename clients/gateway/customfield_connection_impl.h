// The default CustomFieldConnection: each RPC retried, given a request id or sent once according
// to its kind in customfield_rpcs.h (rules in retry_loop.h).
#pragma once

#include <memory>

#include "clients/gateway/customfield_connection.h"
#include "clients/gateway/retry_loop.h"

namespace crm::client::internal {

class DefaultCustomFieldConnection final : public CustomFieldConnection {
 public:
  DefaultCustomFieldConnection(std::shared_ptr<CustomFieldStub> stub, CallPolicy policy)
      : stub_(std::move(stub)), policy_(std::move(policy)) {}

#define CRM_CUSTOMFIELD_CONNECTION_OVERRIDE(Method, Request, Response, Kind) \
  CRM_CUSTOMFIELD_CONNECTION_SIGNATURE(Method, Request, Response) override;
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_CONNECTION_OVERRIDE)
#undef CRM_CUSTOMFIELD_CONNECTION_OVERRIDE

 private:
  std::shared_ptr<CustomFieldStub> stub_;
  CallPolicy policy_;
};

}  // namespace crm::client::internal
