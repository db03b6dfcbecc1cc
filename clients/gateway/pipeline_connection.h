// The connection layer of PipelineService: one virtual per RPC (pipeline_rpcs.h) without gRPC
// types, behind which the default implementation applies the retry and request-id rules of each
// RPC's kind. PipelineClient forwards to it; tests of code using PipelineClient substitute
// mocks/mock_pipeline_connection.h. See account_connection.h for the layering.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "clients/gateway/client_options.h"
#include "clients/gateway/pipeline_rpcs.h"
#include "clients/gateway/pipeline_stub.h"
#include "crm/v1/pipeline.pb.h"

// The connection-layer (and client) signature of one RPC:
//   absl::StatusOr<v1::Response> Method(const v1::Request& request)
#define CRM_PIPELINE_CONNECTION_SIGNATURE(Method, Request, Response) \
  absl::StatusOr<v1::Response> Method(const v1::Request& request)

namespace crm::client {

class PipelineConnection {
 public:
  virtual ~PipelineConnection() = default;

#define CRM_PIPELINE_CONNECTION_DECLARE(Method, Request, Response, Kind) \
  virtual CRM_PIPELINE_CONNECTION_SIGNATURE(Method, Request, Response) = 0;
  CRM_PIPELINE_RPCS(CRM_PIPELINE_CONNECTION_DECLARE)
#undef CRM_PIPELINE_CONNECTION_DECLARE
};

// Dials PipelineAddress(options) with the default stub stack.
absl::StatusOr<std::shared_ptr<PipelineConnection>> MakePipelineConnection(
    const ClientOptions& options);
// Over a given stub: a channel shared with other services, or a fake / mock in tests.
std::shared_ptr<PipelineConnection> MakePipelineConnection(std::shared_ptr<PipelineStub> stub,
                                                           const ClientOptions& options);

}  // namespace crm::client
