// The connection layer of ServiceDeskService: one virtual per RPC (servicedesk_rpcs.h) without
// gRPC types, behind which the default implementation applies the retry and request-id rules of
// each RPC's kind. ServiceDeskClient forwards to it; tests of code using ServiceDeskClient
// substitute mocks/mock_servicedesk_connection.h. See account_connection.h for the layering.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/servicedesk_rpcs.h"
#include "clients/gateway/servicedesk_stub.h"
#include "crm/v1/servicedesk.pb.h"

// The connection-layer (and client) signature of one RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_SERVICEDESK_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

class ServiceDeskConnection {
 public:
  virtual ~ServiceDeskConnection() = default;

#define CRM_SERVICEDESK_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_SERVICEDESK_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_SERVICEDESK_RPCS(CRM_SERVICEDESK_CONNECTION_DECLARE)
#undef CRM_SERVICEDESK_CONNECTION_DECLARE
};

// Dials ServiceDeskAddress(options) with the default stub stack.
absl::StatusOr<std::shared_ptr<ServiceDeskConnection>> MakeServiceDeskConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<ServiceDeskConnection> MakeServiceDeskConnection(
    std::shared_ptr<ServiceDeskStub> stub, const ClientOptions& options);

}  // namespace crm::client
