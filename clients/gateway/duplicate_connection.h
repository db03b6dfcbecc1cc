// The connection layer of DuplicateService: one virtual per RPC (duplicate_rpcs.h) without
// gRPC types, behind which the default implementation applies the retry and request-id rules of
// each RPC's kind. DuplicateClient forwards to it; tests of code using DuplicateClient
// substitute mocks/mock_duplicate_connection.h. See account_connection.h for the layering.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/duplicate_rpcs.h"
#include "clients/gateway/duplicate_stub.h"
#include "crm/v1/duplicate_service.pb.h"

// The connection-layer (and client) signature of one RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_DUPLICATE_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

class DuplicateConnection {
 public:
  virtual ~DuplicateConnection() = default;

#define CRM_DUPLICATE_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_DUPLICATE_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_DUPLICATE_RPCS(CRM_DUPLICATE_CONNECTION_DECLARE)
#undef CRM_DUPLICATE_CONNECTION_DECLARE
};

// Dials the pipeline address (PipelineAddress: the pipeline server hosts DuplicateService, since
// it compares accounts, contacts and leads; so does the all-in-one server) with the default stub
// stack.
absl::StatusOr<std::shared_ptr<DuplicateConnection>> MakeDuplicateConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<DuplicateConnection> MakeDuplicateConnection(std::shared_ptr<DuplicateStub> stub,
                                                             const ClientOptions& options);

}  // namespace crm::client
