// The connection layer of AdminService: one virtual per RPC (admin_rpcs.h) without gRPC types,
// behind which the default implementation applies the retry rules of each RPC's kind.
// AdminClient forwards to it; tests of code using AdminClient substitute
// mocks/mock_admin_connection.h. See account_connection.h for the layering.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/admin_rpcs.h"
#include "clients/gateway/admin_stub.h"
#include "clients/gateway/client_options.h"
#include "crm/v1/admin.pb.h"

// The connection-layer (and client) signature of one RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_ADMIN_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

class AdminConnection {
 public:
  virtual ~AdminConnection() = default;

#define CRM_ADMIN_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_ADMIN_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_ADMIN_RPCS(CRM_ADMIN_CONNECTION_DECLARE)
#undef CRM_ADMIN_CONNECTION_DECLARE
};

// Dials ClientOptions::address (every server binary hosts AdminService) with the default stub
// stack.
absl::StatusOr<std::shared_ptr<AdminConnection>> MakeAdminConnection(const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<AdminConnection> MakeAdminConnection(std::shared_ptr<AdminStub> stub,
                                                     const ClientOptions& options);

}  // namespace crm::client
