// The connection layer of CustomFieldService: one virtual per RPC (customfield_rpcs.h) without
// gRPC types, behind which the default implementation applies the retry and request-id rules of
// each RPC's kind. CustomFieldClient forwards to it; tests of code using CustomFieldClient
// substitute mocks/mock_customfield_connection.h. See account_connection.h for the layering.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/customfield_rpcs.h"
#include "clients/gateway/customfield_stub.h"
#include "crm/v1/customfield.pb.h"

// The connection-layer (and client) signature of one RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_CUSTOMFIELD_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

class CustomFieldConnection {
 public:
  virtual ~CustomFieldConnection() = default;

#define CRM_CUSTOMFIELD_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_CUSTOMFIELD_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_CUSTOMFIELD_RPCS(CRM_CUSTOMFIELD_CONNECTION_DECLARE)
#undef CRM_CUSTOMFIELD_CONNECTION_DECLARE
};

// Dials ClientOptions::address (custom fields span the entities of every service, so the
// service has no address of its own, as AdminService has none) with the default stub stack.
absl::StatusOr<std::shared_ptr<CustomFieldConnection>> MakeCustomFieldConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<CustomFieldConnection> MakeCustomFieldConnection(
    std::shared_ptr<CustomFieldStub> stub, const ClientOptions& options);

}  // namespace crm::client
